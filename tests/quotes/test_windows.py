"""flows.quotes.windows: long paragraphs parsed and attributed in windows; short ones whole."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from flows.quotes import words as rv
from flows.quotes.attribution import attribute_spans
from flows.quotes.marks import find_marked_spans
from flows.quotes.windows import ParseWindow, attribute_windows, quoting_windows, window_bounds
from tests.quotes.helpers import document, extract

FILLER = "The delegation met again on Tuesday in the capital. "


def _long(*inserts: str) -> str:
    """A paragraph several windows long with the inserts spread over it."""
    chunks = [FILLER * (rv.PARSE_WINDOW_CHARS // len(FILLER) // 2) for _ in inserts]
    return " ".join(
        f"{chunk}{insert}" for chunk, insert in zip(chunks * 3, inserts * 3, strict=True)
    )


def test_a_paragraph_that_fits_is_one_window() -> None:
    text = "“Yes,” she said."
    assert window_bounds(text, find_marked_spans(text)) == [(0, len(text))]
    assert window_bounds("") == [(0, 0)]


def test_windows_are_short_cut_at_spaces_and_cover_every_word() -> None:
    text = _long("“We will win,” Anna Berg said. ", "Otto Zorin said “no” again. ")
    bounds = window_bounds(text, find_marked_spans(text))
    assert len(bounds) > 2
    assert all(0 < end - start <= rv.PARSE_WINDOW_CHARS for start, end in bounds)
    assert bounds[0][0] == 0
    assert bounds[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(bounds):
        assert text[end:start].strip() == ""  # only spaces fall between windows


def test_a_quote_shorter_than_a_window_is_never_cut() -> None:
    quote = "“" + "word " * 400 + "end.”"
    text = FILLER * (rv.PARSE_WINDOW_CHARS // len(FILLER) - 10) + quote + " Anna said."
    spans = find_marked_spans(text)
    bounds = window_bounds(text, spans)
    (span,) = spans
    assert span.close_mark is not None
    assert any(start <= span.open_mark and span.close_mark < end for start, end in bounds)


def test_a_text_without_spaces_is_cut_anyway() -> None:
    text = "x" * (2 * rv.PARSE_WINDOW_CHARS + 5)
    bounds = window_bounds(text)
    assert [end - start for start, end in bounds] == [
        rv.PARSE_WINDOW_CHARS,
        rv.PARSE_WINDOW_CHARS,
        5,
    ]


def test_only_windows_where_a_quote_opens_are_parsed() -> None:
    text = FILLER * (3 * rv.PARSE_WINDOW_CHARS // len(FILLER)) + "“Late,” she said."
    spans = find_marked_spans(text)
    bounds = window_bounds(text, spans)
    assert len(bounds) > 2
    assert quoting_windows(bounds, spans) == [bounds[-1]]
    assert quoting_windows([(0, 10)], []) == [(0, 10)]


def test_one_window_attributes_as_the_whole_paragraph(nlp: Any) -> None:
    text = "“We will win,” Barack Obama said. “And we will win big.”"
    spans = find_marked_spans(text)
    doc = nlp(text, disable=["ner"])
    found = attribute_windows([ParseWindow(0, len(text), doc)], spans, [True, True])
    assert [attr for attr, _ in found] == list(attribute_spans(doc, spans, [True, True]))
    assert attribute_windows([], spans, [True, True]) == [(None, None), (None, None)]


def test_quotes_in_later_windows_get_speakers_in_paragraph_offsets(nlp: Any) -> None:
    text = _long("“We will win,” Anna Berg said. ", "Otto Zorin said, “No.” ")
    spans = find_marked_spans(text)
    bounds = quoting_windows(window_bounds(text, spans), spans)
    windows = [ParseWindow(a, b, nlp(text[a:b], disable=["ner"])) for a, b in bounds]
    found = attribute_windows(windows, spans, [True] * len(spans))
    speakers = [None if attr is None else text[slice(*attr.speaker)] for attr, _ in found]
    assert speakers == ["Anna Berg", "Otto Zorin"] * 3
    assert len({id(window) for _, window in found}) > 1


def test_a_quote_longer_than_a_window_is_attributed_where_it_opens(nlp: Any) -> None:
    quote = "“" + "word " * (rv.PARSE_WINDOW_CHARS // 4) + "end,” Anna Berg said."
    text = "Otto Zorin said: " + quote
    spans = find_marked_spans(text)
    bounds = window_bounds(text, spans)
    assert len(bounds) > 1
    windows = [ParseWindow(a, b, nlp(text[a:b], disable=["ner"])) for a, b in bounds]
    ((attr, window),) = attribute_windows(windows, spans, [True])
    assert window is windows[0]
    assert attr is not None
    assert text[slice(*attr.speaker)] == "Otto Zorin"  # the cue it can see


@pytest.mark.slow
def test_a_paragraph_of_many_windows_goes_through_the_stage(nlp: Any) -> None:
    text = _long("“We will win,” Anna Berg said. ", "He added: “No.” ")
    (found,) = extract(nlp, [document(text)])
    assert [q.text for q in found] == ["We will win,", "No."] * 3
    for quote in found:
        assert quote.speaker_canonical == "Anna Berg"
