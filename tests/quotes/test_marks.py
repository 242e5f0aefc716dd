"""flows.quotes.marks: pairing every mark style, stray marks, apostrophes and open ends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.normalize import normalize_text
from flows.quotes import words as rv
from flows.quotes.marks import MarkedSpan, _Gaps, _WordCount, find_marked_spans


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


# ------------------------------------------------------------------------ bounds ---


def test_only_the_first_marks_of_a_paragraph_are_read() -> None:
    pair = "“yes” "
    text = pair * (rv.MARKS_PER_PARAGRAPH_MAX // 2) + "“late” " + "“never”"
    spans = find_marked_spans(text)
    assert len(spans) == rv.MARKS_PER_PARAGRAPH_MAX // 2
    last = spans[-1]
    assert text[last.start : last.end] == "yes"
    assert last.close_mark is not None
    assert last.close_mark < text.index("“late”")


def test_an_open_quote_at_the_cap_runs_to_the_last_mark_read() -> None:
    # the marks read: the pairs, “ and ‘; the paragraph is taken to end at the next, ’
    text = "“a” " * (rv.MARKS_PER_PARAGRAPH_MAX // 2 - 1) + "“open words ‘x’ here” “never”"
    spans = find_marked_spans(text)
    assert spans[-1].close_mark is None
    assert text[spans[-1].start : spans[-1].end] == "open words ‘x"


@pytest.mark.parametrize(("count", "paired"), [(1, True), (40, True), (41, False), (500, False)])
def test_a_long_single_quote_is_an_apostrophe(count: int, paired: bool) -> None:
    assert rv.SINGLE_QUOTE_MAX_WORDS == 40
    words = " ".join(["w"] * count)
    text = f"He said ‘{words}’ today."
    found = [text[s.start : s.end] for s in find_marked_spans(text)]
    assert found == ([words] if paired else [])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["w", "ab", " ", "  ", "\n", "\t", "x\u00a0y"]), max_size=30).map(
        "".join
    ),
    st.lists(st.integers(0, 60), max_size=8),
)
def test_word_counts_grow_with_the_end_like_split(text: str, ends: list[int]) -> None:
    counter = _WordCount(text)
    for end in sorted(min(e, len(text)) for e in ends):
        expected = len(text[0:end].split()) > rv.SINGLE_QUOTE_MAX_WORDS
        assert counter.more_than(0, end) is expected
    limit = rv.SINGLE_QUOTE_MAX_WORDS
    many = "a " * (limit + 1)
    assert _WordCount(many).more_than(0, len(many))
    assert not _WordCount(many).more_than(0, 2 * limit - 1)


def test_gaps_find_a_range_strictly_inside() -> None:
    gaps = _Gaps([(10, 20), (30, 40), (50, 60)])
    assert gaps.crossed(5, 25)
    assert not gaps.crossed(10, 25)  # the range starts at lo: not strictly inside
    assert gaps.crossed(11, 45)
    assert not gaps.crossed(11, 39)
    assert gaps.crossed(25, 45)
    assert not gaps.crossed(25, 40)
    assert not _Gaps([]).crossed(0, 100)
