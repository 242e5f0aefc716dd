"""Hand-built documents, placed model spans and Hypothesis strategies for the entity tests."""

from __future__ import annotations

from hypothesis import strategies as st

from flows.assemble import assemble_document
from flows.entities.extract import run_units
from flows.entities.resolution import RawMention, make_entity_id, resolve_entities
from flows.records import BlockKind, Draft, DraftBlock, Entity, Metadata, ParsedDocument
from flows.sections import split_sections


def document(*blocks: tuple[BlockKind, str]) -> ParsedDocument:
    """A normalized document of the given blocks (headings at level 2)."""
    draft = Draft(
        tuple(DraftBlock(kind, text, 2 if kind == "heading" else 0) for kind, text in blocks),
        Metadata(),
    )
    return assemble_document(
        draft, doc_id="t", source_uri="t.txt", media_type="text/plain", content_hash="h"
    )


def paragraphs(*texts: str) -> ParsedDocument:
    return document(*(("paragraph", t) for t in texts))


def resolve(doc: ParsedDocument, *marks: tuple[str, str, int]) -> tuple[Entity, ...]:
    """Resolve hand-placed model spans: (surface, label, occurrence) -> RawMention."""
    units = run_units(doc)
    mentions = []
    for surface, label, occurrence in marks:
        start = -1
        for _ in range(occurrence + 1):
            start = doc.text.index(surface, start + 1)
        unit = next(i for i, (a, b) in enumerate(units) if a <= start < b)
        mentions.append(RawMention(unit, start, start + len(surface), label))
    mentions.sort(key=lambda m: m.start)
    return resolve_entities(doc.text, units, split_sections(doc), mentions)


def by_text(entities: tuple[Entity, ...]) -> dict[str, list[Entity]]:
    out: dict[str, list[Entity]] = {}
    for entity in entities:
        out.setdefault(entity.text, []).append(entity)
    return out


# --------------------------------------------------------------------- random documents ---

_WORDS = st.sampled_from(
    [
        "Anna",
        "Berg",
        "said",
        "the",
        "Kestrel",
        "Institute",
        "in",
        "Norhaven",
        "and",
        "President",
        "Otto",
        "Zorin",
        "met",
        "on",
        "Monday",
        "1996",
        "42",
        "-",
        "(",
        ")",
        ",",
        ".",
        "’s",
        "“",
        "”",
        "NATO",
        "PORTVILLE",
        "Mr.",
        "P.",
        "of",
        "United",
        "States",
        "analyst",
        "a",
    ]
)
_LINE = st.lists(_WORDS, min_size=1, max_size=14).map(" ".join)
_BLOCK = st.tuples(
    st.sampled_from(["paragraph", "paragraph", "paragraph", "heading", "credit"]),
    st.lists(_LINE, min_size=1, max_size=2).map("\n".join),
)
DOCUMENTS = st.lists(_BLOCK, min_size=1, max_size=6)
LABELS = st.sampled_from(["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "CARDINAL", "EVENT"])


def build(blocks: list[tuple[str, str]]) -> ParsedDocument:
    """A document from drawn blocks; a credit line is kept only as the first block."""
    kinds: list[tuple[BlockKind, str]] = []
    for kind, text in blocks:
        block_kind: BlockKind = "paragraph"
        if kind == "heading":
            block_kind = "heading"
        elif kind == "credit" and not kinds:
            block_kind = "credit"
        kinds.append((block_kind, text))
    return document(*kinds)


def check_spans(doc: ParsedDocument, entities: tuple[Entity, ...]) -> None:
    """Every entity slices its own text, inside its section, sorted, without overlaps."""
    sections = split_sections(doc)
    previous_end = -1
    for entity in entities:
        assert doc.text[entity.char_start : entity.char_end] == entity.text
        assert entity.text
        assert entity.text.strip() == entity.text
        assert "\n" not in entity.text
        section = sections[entity.section_index]
        assert section.char_start <= entity.char_start < entity.char_end <= section.char_end
        assert entity.char_start >= previous_end  # sorted, no overlaps
        previous_end = entity.char_end
        assert entity.canonical
        assert entity.entity_id == make_entity_id(entity.label, entity.canonical)
