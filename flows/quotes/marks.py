"""Pair quotation marks into quoted spans inside one paragraph, robust to stray and mixed marks.

Pure string work, no NLP: every mark is classified as opening or closing by its glyph and, when
the glyph lies (a ” used to open, an apostrophe inside a word), by the characters around it.
Double marks pair first; single marks pair only outside them (nested single quotes stay part of the
outer quote and are reported separately as nested). A stray mark never stops the pairing: an
unmatched closing mark is skipped, and of two opening marks in a row the later one wins, so the
well-formed quotes around a stray mark are always found.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from flows.quotes import words as rv

Direction = Literal["open", "close", "either", "none"]

# ASCII double quotes, TeX/NYT doubled backticks and apostrophes, and every typographic mark.
# Normalized text only holds the typographic ones, but the finder must not depend on that.
_MARK = re.compile(r"''|``|[\"“”„‟«»″'‘’‚‛‹›]")
_NON_SPACE_RUN = re.compile(r"\S+")
_DOUBLE_OPENERS = frozenset({"“", "„", "‟", "«", "``"})
_DOUBLE_CLOSERS = frozenset({"”", "»", "″", "''"})
# ASCII '"' has no direction of its own: only its context (or what is open) gives one.
_SINGLES = frozenset({"‘", "‚", "‛", "‹", "’", "›", "'"})
_SINGLE_OPENERS = frozenset({"‘", "‚", "‛", "‹"})
# A mark opens when it follows one of these (or a space, or the start) and precedes a non-space.
_OPEN_CONTEXT = frozenset("([{<—–-/") | _DOUBLE_OPENERS | _SINGLE_OPENERS | {'"', "'", "`"}
# A mark closes when it follows a non-space and precedes one of these (or a space, or the end).
_CLOSE_CONTEXT = frozenset(".,;:!?)]}>—–-/…*") | frozenset("”»″’›") | {'"', "'"}


@dataclass(frozen=True, slots=True)
class MarkedSpan:
    """Quoted words between two marks, as offsets into the paragraph they were found in."""

    open_mark: int  # offset of the opening mark
    start: int  # first quoted character (after the mark and any space)
    end: int  # one past the last quoted character
    close_mark: int | None  # offset of the closing mark; None: the quote runs to the paragraph end
    single: bool = False  # delimited by single marks
    nested: bool = False  # a single-quoted span inside a double-quoted one


@dataclass(frozen=True, slots=True)
class _Mark:
    pos: int
    width: int
    direction: Direction
    single: bool


def find_marked_spans(text: str) -> tuple[MarkedSpan, ...]:
    """Every quoted span of one paragraph, in text order (nested spans after their outer span).

    Never raises: any string, however its marks are scattered, gives a (possibly empty) tuple.
    Only the first rv.MARKS_PER_PARAGRAPH_MAX marks are read; the paragraph is taken to end at
    the next one.
    """
    marks: list[_Mark] = []
    for found in _MARK.finditer(text):
        if len(marks) == rv.MARKS_PER_PARAGRAPH_MAX:
            text = text[: found.start()]
            break
        marks.append(_classify(text, found.start(), found.group()))
    doubles = _pair([m for m in marks if not m.single], text, allow_open_end=True)
    singles = [m for m in marks if m.single and m.direction in ("open", "close")]
    positions = [m.pos for m in singles]
    spans: list[MarkedSpan] = []
    covered: list[tuple[int, int]] = []  # in text order and disjoint, as pairing leaves them
    for span in doubles:
        spans.append(span)
        inner = singles[
            bisect.bisect_left(positions, span.start) : bisect.bisect_left(positions, span.end)
        ]
        spans.extend(_nested(s) for s in _pair(inner, text, allow_open_end=False, single=True))
        covered.append((span.open_mark, span.end if span.close_mark is None else span.close_mark))
    outside = _outside(singles, covered)
    spans.extend(_pair(outside, text, allow_open_end=False, single=True, check_gaps=covered))
    return tuple(sorted(spans, key=lambda s: (s.open_mark, s.nested)))


def _outside(marks: list[_Mark], covered: list[tuple[int, int]]) -> list[_Mark]:
    """The marks (in text order) that lie in none of the closed ranges (in text order, disjoint):
    one sweep over both."""
    out = []
    k = 0
    for mark in marks:
        while k < len(covered) and covered[k][1] < mark.pos:
            k += 1
        if k < len(covered) and covered[k][0] <= mark.pos:
            continue
        out.append(mark)
    return out


def _nested(span: MarkedSpan) -> MarkedSpan:
    return MarkedSpan(span.open_mark, span.start, span.end, span.close_mark, True, True)


def _classify(text: str, pos: int, glyph: str) -> _Mark:
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + len(glyph)] if pos + len(glyph) < len(text) else " "
    left = (before.isspace() or before in _OPEN_CONTEXT) and not after.isspace()
    right = not before.isspace() and (after.isspace() or after in _CLOSE_CONTEXT)
    single = glyph in _SINGLES
    if left and not right:
        direction: Direction = "open"
    elif right and not left:
        direction = "close"
    elif single:
        direction = "none"  # an apostrophe inside a word (don’t) or a lone mark between spaces
    elif glyph in _DOUBLE_OPENERS:
        direction = "open"
    elif glyph in _DOUBLE_CLOSERS:
        direction = "close"
    else:
        direction = "either"
    if single and direction == "open" and _is_elision(text, pos + len(glyph)):
        direction = "none"
    return _Mark(pos, len(glyph), direction, single)


def _is_elision(text: str, after: int) -> bool:
    """‘90s, ‘em, ‘til: an apostrophe standing for dropped letters, not an opening mark."""
    if after < len(text) and text[after].isdigit():
        return True
    word = re.match(r"[a-z]+(?![a-z])", text[after : after + rv.ELISION_WINDOW_CHARS])
    return word is not None and word.group() in rv.ELISIONS


def _pair(
    marks: list[_Mark],
    text: str,
    *,
    allow_open_end: bool,
    single: bool = False,
    check_gaps: list[tuple[int, int]] | None = None,
) -> list[MarkedSpan]:
    """Left-to-right pairing; a later opening mark replaces an unclosed earlier one."""
    spans: list[MarkedSpan] = []
    opened: _Mark | None = None
    gaps = _Gaps(check_gaps or [])
    words = _WordCount(text)
    for mark in marks:
        if opened is not None and gaps.crossed(opened.pos, mark.pos):
            opened = None  # a single-quoted span never straddles a double-quoted one
        if single and opened is not None and words.more_than(opened.pos, mark.pos):
            opened = None  # the "opening" mark was an apostrophe; give it up
        if mark.direction == "open" or (mark.direction == "either" and opened is None):
            opened = mark
        elif mark.direction in ("close", "either") and opened is not None:
            span = _span(text, opened, mark.pos, mark.pos, single)
            if span is not None:
                spans.append(span)
            opened = None
    if opened is not None and allow_open_end:
        span = _span(text, opened, len(text), None, single)
        if span is not None:
            spans.append(span)
    return spans


class _Gaps:
    """Ranges in text order, disjoint (double-quoted spans): does one lie strictly inside?"""

    def __init__(self, covered: list[tuple[int, int]]) -> None:
        self._covered = covered
        self._starts = [lo for lo, _ in covered]

    def crossed(self, lo: int, hi: int) -> bool:
        # Of the ranges opening after lo, the first also closes first: only it can fit.
        index = bisect.bisect_right(self._starts, lo)
        return index < len(self._covered) and self._covered[index][1] < hi


class _WordCount:
    """Words (whitespace-separated, as str.split counts them) of text[start:end] for one start
    and a growing end: each stretch of text is read once, not once per mark."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._start = -1
        self._end = -1
        self._count = 0

    def more_than(self, start: int, end: int) -> bool:
        """len(text[start:end].split()) > rv.SINGLE_QUOTE_MAX_WORDS."""
        if start != self._start or end < self._end:
            self._start, self._end, self._count = start, start, 0
        for run in _NON_SPACE_RUN.finditer(self._text, self._end, end):
            at = run.start()
            if at == start or self._text[at - 1].isspace():  # else it goes on from before
                self._count += 1
        self._end = end
        return self._count > rv.SINGLE_QUOTE_MAX_WORDS


def _span(
    text: str, opened: _Mark, end: int, close_mark: int | None, single: bool
) -> MarkedSpan | None:
    start = opened.pos + opened.width
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None  # “” or “ - ”: marks with no words between them quote nothing
    return MarkedSpan(opened.pos, start, end, close_mark, single)
