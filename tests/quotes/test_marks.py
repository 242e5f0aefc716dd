"""flows.quotes.marks: pairing every mark style, stray marks, apostrophes and open ends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.normalize import normalize_text
from flows.quotes.marks import MarkedSpan, find_marked_spans


def _quoted(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_marked_spans(text) if not s.nested]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # straight, curly and mixed marks (the seed opens with " and closes with ”)
        ('He said "we will win" today.', ["we will win"]),
        ("He said “we will win” today.", ["we will win"]),
        ('He called the talks "technical” and left.', ["technical"]),
        # doubled apostrophes and backticks, as some newspaper archives write them
        ("''This isn't tax reform,'' said Mr. Holtz-Eakin.", ["This isn't tax reform,"]),
        ("``It is over,'' she said.", ["It is over,"]),
        # guillemets, with and without the French inner spaces
        ("Il a dit « non » hier.", ["non"]),
        ("He said «no» twice.", ["no"]),
        # a wrong-direction mark used to open, a left one used to close
        ("He called it ”technical” twice.", ["technical"]),
        ("He called it “technical“ twice.", ["technical"]),
        # apostrophes inside and at the ends of words never pair
        ("“Don’t go,” the voters’ leader said.", ["Don’t go,"]),
        ("In the ’90s, the voters’ mood changed.", []),
        ("Rock ’n’ roll in the ‘90s and ’em all.", []),
        # two quotes in one sentence
        ("“A,” she said, “B.”", ["A,", "B."]),
        # an empty pair quotes nothing
        ("He said “” and “ - ” then.", []),
        # single marks at the top level (headlines)
        ("Trump Was ‘Mocking’ Clinton Camp.", ["Mocking"]),
    ],
)
def test_pairs_every_mark_style(text: str, expected: list[str]) -> None:
    assert _quoted(text) == expected


def test_nested_single_quotes_stay_inside_and_are_reported_as_nested() -> None:
    text = "“Out of nowhere, he said, ‘If we don’t act, it is over,’ and left,” she recalled."
    spans = find_marked_spans(text)
    assert [(text[s.start : s.end], s.nested) for s in spans] == [
        ("Out of nowhere, he said, ‘If we don’t act, it is over,’ and left,", False),
        ("If we don’t act, it is over,", True),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a stray ” closer before “the real quote” here", ["the real quote"]),
        ("a stray “ opener before “the real quote” here", ["the real quote"]),
        ("“first” then a stray ” then “second”", ["first", "second"]),
        ("5’ 10” tall and “quoted words” later", ["quoted words"]),
    ],
)
def test_stray_marks_do_not_break_pairing(text: str, expected: list[str]) -> None:
    assert _quoted(text) == expected


def test_unclosed_quote_runs_to_the_end_of_the_paragraph() -> None:
    text = "“We will keep fighting for every vote in this state"
    (span,) = find_marked_spans(text)
    assert span == MarkedSpan(open_mark=0, start=1, end=len(text), close_mark=None)


def test_offsets_point_at_the_marks() -> None:
    text = "Ann said “yes” twice."
    (span,) = find_marked_spans(text)
    assert text[span.open_mark] == "“"
    assert span.close_mark is not None
    assert text[span.close_mark] == "”"
    assert text[span.start : span.end] == "yes"


def test_normalized_text_pairs_like_the_source() -> None:
    raw = "''It is,'' he said. \"No,\" she said, 'maybe'."
    assert _quoted(normalize_text(raw)) == ["It is,", "No,", "maybe"]


# ---------------------------------------------------------------- properties ---

_MARKS = [*"\"'“”‘’«»„‚`″", "''", "``"]
_WORD = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
_NOISE = st.lists(st.one_of(_WORD, st.sampled_from(_MARKS)), max_size=8).map(" ".join)
_OPEN_CLOSE = [("“", "”"), ('"', '"'), ("«", "»"), ("''", "''"), ("``", "''")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_MARKS, "a", "b", " ", ".", ",", "-", "\n"])).map("".join))
def test_any_text_gives_ordered_spans_inside_it(text: str) -> None:
    spans = find_marked_spans(text)
    for span in spans:
        assert 0 <= span.open_mark < span.start < span.end <= len(text)
        assert span.close_mark is None or span.end <= span.close_mark < len(text)
        assert not text[span.start].isspace()
        assert not text[span.end - 1].isspace()
    assert [s.open_mark for s in spans] == sorted(s.open_mark for s in spans)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(_NOISE, st.lists(_WORD, min_size=1, max_size=5), st.sampled_from(_OPEN_CLOSE)),
        min_size=1,
        max_size=5,
    ),
    _NOISE,
)
def test_stray_marks_never_lose_the_well_formed_quotes_around_them(
    parts: list[tuple[str, list[str], tuple[str, str]]], tail: str
) -> None:
    pieces, wanted = [], []
    for noise, words, (opening, closing) in parts:
        quote = " ".join(words)
        pieces += [noise, f"{opening}{quote}{closing}"]
        wanted.append(quote)
    text = " ".join([*pieces, tail])
    found = _quoted(text)
    position = 0
    for quote in wanted:  # every well-formed quote is found, in order
        assert quote in found[position:]
        position = found.index(quote, position) + 1
