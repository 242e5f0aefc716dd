"""Pair quotation marks into quoted spans inside one paragraph, robust to stray and mixed marks.

Pure string work, no NLP: every mark is classified as opening or closing by its glyph and, when
the glyph lies (a ” used to open, an apostrophe inside a word), by the characters around it.
Double marks pair first; single marks pair only outside them (nested single quotes stay part of the
outer quote and are reported separately as nested). A stray mark never stops the pairing: an
unmatched closing mark is skipped, and of two opening marks in a row the later one wins, so the
well-formed quotes around a stray mark are always found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from flows.quotes import words as rv

Direction = Literal["open", "close", "either", "none"]

# ASCII double quotes, TeX/NYT doubled backticks and apostrophes, and every typographic mark.
# Normalized text only holds the typographic ones, but the finder must not depend on that.
_MARK = re.compile(r"''|``|[\"“”„‟«»″'‘’‚‛‹›]")
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
    """
    marks = [_classify(text, m.start(), m.group()) for m in _MARK.finditer(text)]
    doubles = _pair([m for m in marks if not m.single], text, allow_open_end=True)
    singles = [m for m in marks if m.single and m.direction in ("open", "close")]
    spans: list[MarkedSpan] = []
    covered: list[tuple[int, int]] = []
    for span in doubles:
        spans.append(span)
        inner = [m for m in singles if span.start <= m.pos < span.end]
        spans.extend(_nested(s) for s in _pair(inner, text, allow_open_end=False, single=True))
        covered.append((span.open_mark, span.end if span.close_mark is None else span.close_mark))
    outside = [m for m in singles if not any(lo <= m.pos <= hi for lo, hi in covered)]
    spans.extend(_pair(outside, text, allow_open_end=False, single=True, check_gaps=covered))
    return tuple(sorted(spans, key=lambda s: (s.open_mark, s.nested)))


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
    for mark in marks:
        if opened is not None and check_gaps and _crosses(opened.pos, mark.pos, check_gaps):
            opened = None  # a single-quoted span never straddles a double-quoted one
        if single and opened is not None and _too_long(text, opened.pos, mark.pos):
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


def _crosses(lo: int, hi: int, covered: list[tuple[int, int]]) -> bool:
    return any(lo < a and b < hi for a, b in covered)


def _too_long(text: str, start: int, end: int) -> bool:
    return len(text[start:end].split()) > rv.SINGLE_QUOTE_MAX_WORDS


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
