"""split_sections: tiling, spans, and the seed article's golden sections."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.errors import RejectError
from flows.pipeline import parse_document
from flows.records import RawDocument
from flows.sections import section_index_at, section_starts, split_sections
from tests.conftest import SEED

# The seed's gold (../shared/gold): 7 sections, these headings in order, and the credit line is
# metadata, never a heading.
SEED_HEADINGS = [
    None,
    "What’s on the Agenda",
    "The Russian Delegation",
    "The Ukrainian Delegation",
    "Russia’s Position",
    "Ukraine’s Position",
    "What’s Next?",
]
SEED_STARTS = [
    "Ukrainian and US officials on Tuesday held",
    "The meetings in Riyadh",
    "The Russian negotiators are led by",
    "Umerov is leading the Ukrainian delegation",
    "Last week, Putin told Trump",
    "Ukraine had previously agreed",
    "Witkoff said Wednesday in an interview",
]


def _parse(text: str) -> tuple[str, list[tuple[int, int, int, str | None]]]:
    doc = parse_document(RawDocument("t.txt", text.encode(), "text/plain"))
    return doc.text, [
        (s.char_start, s.body_start, s.char_end, s.heading) for s in split_sections(doc)
    ]


def test_seed_golden() -> None:
    doc = parse_document(RawDocument(str(SEED), SEED.read_bytes(), "text/plain"))
    sections = split_sections(doc)
    assert [s.heading for s in sections] == SEED_HEADINGS
    for section, start in zip(sections, SEED_STARTS, strict=True):
        assert doc.text[section.body_start :].startswith(start)
    assert doc.meta.source_name == "The New York Times News Service"
    assert doc.meta.title is None
    assert "The New York Times News Service" not in doc.text[sections[0].body_start :]
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 31  # the gold's paragraphs_in_body
    # Must not find: the credit line as a heading, any body sentence as a heading.
    assert all(s.heading is None or len(s.heading.split()) <= 4 for s in sections)


_LINE = st.one_of(
    st.sampled_from(
        [
            "The Heading",
            "What’s Next?",
            "ALL CAPS HEAD",
            "## Markdown Head",
            "By Jane Doe",
            "Reuters",
            "",
            "",
            "* * *",
        ]
    ),
    st.text(alphabet=st.sampled_from(list("abc XYZ.,\"'“”\t\u00a0")), min_size=1, max_size=60),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=25))
def test_sections_tile_the_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    if not any(ch.isalnum() for ch in text):  # only an input with no words is refused
        with pytest.raises(RejectError) as caught:
            _parse(text)
        assert caught.value.reason == "empty"
        return
    doc_text, spans = _parse(text)
    assert spans[0][0] == 0
    assert spans[-1][2] == len(doc_text)
    for (_, _, end, _), (start, _, _, _) in itertools.pairwise(spans):
        assert end == start
    for start, body, end, heading in spans:
        assert start <= body <= end
        if heading is not None:
            assert doc_text[start : start + len(heading)] == heading


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab Cd.\n")), max_size=40), max_size=15))
def test_every_block_slices_its_own_text(lines: list[str]) -> None:
    text = "Lead line here.\n" + "\n".join(lines)
    doc = parse_document(RawDocument("t.txt", text.encode(), "text/plain"))
    for block in doc.blocks:
        piece = doc.text[block.start : block.end]
        assert piece == piece.strip()
        assert piece
    sections = split_sections(doc)
    for block in doc.blocks:
        index = section_index_at(sections, block.start)
        section = sections[index]
        assert section.char_start <= block.start < block.end <= section.char_end


def test_many_headings_each_open_a_section_whose_body_starts_at_the_next_block() -> None:
    lines = []
    for i in range(2_000):
        lines += [f"## Heading {i}", *([f"Body {i} says something."] if i % 3 else [])]
    doc = parse_document(RawDocument("t.txt", "\n\n".join(lines).encode(), "text/plain"))
    sections = split_sections(doc)
    starts = [b.start for b in doc.blocks]
    headings = [b for b in doc.blocks if b.kind == "heading"]
    titled = [s for s in sections if s.heading is not None]
    assert len(titled) == len(headings) > 1_990  # the first line may be the headline
    for section, block in zip(titled, headings, strict=True):
        after = [s for s in starts if s >= block.end]
        assert section.body_start == min(after[0] if after else len(doc.text), section.char_end)
    lookup = section_starts(sections)
    for offset in range(0, len(doc.text), 97):
        assert section_index_at(sections, offset, lookup) == section_index_at(sections, offset)
