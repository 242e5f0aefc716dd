"""Parse windows: a paragraph longer than rv.PARSE_WINDOW_CHARS is parsed and attributed in parts.

spaCy refuses a text over a million characters and its memory grows with the text, and a
paragraph that long is no prose anyway (a page flattened into one line). It is cut at spaces into
windows of at most rv.PARSE_WINDOW_CHARS characters, before a quote's opening mark rather than
inside the quote where the quote is shorter than a window; each window is parsed on its own, and
each quote is attributed in the window holding its opening mark, blind to the next one. Every
paragraph of natural news is a single window, attributed exactly as a whole paragraph.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.quotes import words as rv
from flows.quotes.attribution import Attribution, attribute_spans
from flows.quotes.marks import MarkedSpan


@dataclass(frozen=True, slots=True)
class ParseWindow:
    """The parse of text[start:end] of one paragraph."""

    start: int
    end: int
    doc: Any  # spacy.tokens.Doc


def window_bounds(text: str, spans: Sequence[MarkedSpan] = ()) -> list[tuple[int, int]]:
    """[start, end) of each window of a paragraph, in order; one for a paragraph that fits."""
    if len(text) <= rv.PARSE_WINDOW_CHARS:
        return [(0, len(text))]
    regions = [(s.open_mark, _region_end(s)) for s in spans if not s.nested]
    opens = [lo for lo, _ in regions]  # in text order, disjoint
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > rv.PARSE_WINDOW_CHARS:
        limit = start + rv.PARSE_WINDOW_CHARS
        cut = text.rfind(" ", start + 1, limit)
        cut = limit if cut < 0 else cut
        quote = bisect.bisect_right(opens, cut) - 1
        if quote >= 0 and start < regions[quote][0] < cut < regions[quote][1]:
            lo, hi = regions[quote]
            if hi - lo <= rv.PARSE_WINDOW_CHARS:
                cut = lo  # the quote opens the next window instead of being cut
        bounds.append((start, cut))
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def quoting_windows(
    bounds: Sequence[tuple[int, int]], spans: Sequence[MarkedSpan]
) -> list[tuple[int, int]]:
    """The windows where some quote opens: the only ones worth parsing."""
    if len(bounds) == 1:
        return list(bounds)
    starts = [start for start, _ in bounds]
    used = {max(bisect.bisect_right(starts, span.open_mark) - 1, 0) for span in spans}
    return [bounds[i] for i in sorted(used)]


def attribute_windows(
    windows: Sequence[ParseWindow], spans: Sequence[MarkedSpan], statements: Sequence[bool]
) -> list[tuple[Attribution | None, ParseWindow | None]]:
    """One attribution (or None) per span, with the window it was found in."""
    if not windows:
        return [(None, None)] * len(spans)
    if len(windows) == 1:
        attrs = attribute_spans(windows[0].doc, spans, statements)
        return [(attr, windows[0]) for attr in attrs]
    starts = [window.start for window in windows]
    members: list[list[int]] = [[] for _ in windows]
    for i, span in enumerate(spans):
        members[max(bisect.bisect_right(starts, span.open_mark) - 1, 0)].append(i)
    out: list[tuple[Attribution | None, ParseWindow | None]] = [(None, None)] * len(spans)
    carried: list[MarkedSpan] = []  # quotes opened in an earlier window that reach into this one
    for window, indexes in zip(windows, members, strict=True):
        carried = [s for s in carried if _region_end(s) > window.start]
        local = [_clip(spans[i], window) for i in indexes] + [_clip(s, window) for s in carried]
        flags = [statements[i] for i in indexes] + [False] * len(carried)
        attrs = attribute_spans(window.doc, local, flags)
        for i, attr in zip(indexes, attrs, strict=False):
            out[i] = (None if attr is None else shifted(attr, window.start), window)
        carried += [
            spans[i] for i in indexes if not spans[i].nested and _region_end(spans[i]) > window.end
        ]
    return out


def _region_end(span: MarkedSpan) -> int:
    return span.end if span.close_mark is None else span.close_mark + 1


def _clip(span: MarkedSpan, window: ParseWindow) -> MarkedSpan:
    """A span in the window's offsets, cut to the window."""
    lo, hi = window.start, window.end
    close = span.close_mark
    return MarkedSpan(
        open_mark=max(span.open_mark, lo) - lo,
        start=min(max(span.start, lo), hi) - lo,
        end=min(max(span.end, lo), hi) - lo,
        close_mark=None if close is None or close >= hi else close - lo,
        single=span.single,
        nested=span.nested,
    )


def shifted(attr: Attribution, offset: int) -> Attribution:
    """An attribution found in a window, in its paragraph's offsets."""

    def move(pair: tuple[int, int]) -> tuple[int, int]:
        return pair[0] + offset, pair[1] + offset

    alias = None if attr.alias is None else move(attr.alias)
    return Attribution(move(attr.speaker), move(attr.head), alias, attr.cue)
