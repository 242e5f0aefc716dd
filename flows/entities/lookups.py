"""Indexes entity resolution looks spans up in: taken spans, list neighbours, names by first word.

Resolution asks, for every candidate span, whether it overlaps a known mention, which labelled
mentions sit right beside it, and which resolved name is written at a capitalised word. Each
question is a binary search or a dict lookup here, not a scan of the document's mentions.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

from flows.entities import words
from flows.entities.clusters import Mention


class Occupancy:
    """Sorted spans with a fast overlap test: the spans it starts with, and those added since.

    Added spans come in document order, so adding one is an append, not an insertion into the
    middle of a list the size of the document."""

    def __init__(self, taken: Iterable[tuple[int, int]]) -> None:
        self._spans = sorted(taken)
        self._added: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        return _overlaps(self._spans, start, end) or _overlaps(self._added, start, end)

    def add(self, start: int, end: int) -> None:
        if not self._added or self._added[-1] <= (start, end):
            self._added.append((start, end))
        else:
            bisect.insort(self._added, (start, end))


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    pos = bisect.bisect_left(spans, (start, start))
    if pos < len(spans) and spans[pos][0] < end:
        return True
    return pos > 0 and spans[pos - 1][1] > start


class Neighbours:
    """Labelled mentions by unit and by where they start and end: the ones a span can be
    conjoined with lie within words.LIST_GAP_MAX_CHARS of it."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self._by_end: dict[tuple[int, int], list[tuple[int, Mention]]] = defaultdict(list)
        self._by_start: dict[tuple[int, int], list[tuple[int, Mention]]] = defaultdict(list)
        for order, mention in enumerate(mentions):
            self._by_end[mention.unit, mention.end].append((order, mention))
            self._by_start[mention.unit, mention.start].append((order, mention))

    def near(self, unit: int, start: int, end: int) -> list[Mention]:
        """The mentions of `unit` ending just before `start` or starting just after `end`, in
        the order they were given."""
        found: dict[int, Mention] = {}
        for gap in range(words.LIST_GAP_MAX_CHARS + 1):
            found.update(self._by_end.get((unit, start - gap), ()))
            found.update(self._by_start.get((unit, end + gap), ()))
        return [found[order] for order in sorted(found)]


class SameFirstWord:
    """Known name keys that open with one word, by length: the longest one written at an offset
    is found with one set lookup per length, not one comparison per key."""

    def __init__(self) -> None:
        self._by_length: dict[int, set[str]] = defaultdict(set)
        self._lengths: list[int] = []

    def add(self, key: str) -> None:
        self._by_length[len(key)].add(key)

    def freeze(self) -> None:
        self._lengths = sorted(self._by_length, reverse=True)[: words.PROPAGATE_MAX_LENGTHS]

    def longest_at(self, view: str, start: int) -> str | None:
        """The longest key written at `start` (folded as keys are) and ending a word."""
        for length in self._lengths:
            end = start + length
            written = view[start:end].casefold()
            if written in self._by_length[length] and (
                end == len(view) or not (view[end].isalnum() or view[end] in "_-")
            ):
                return written
        return None


class KeysByFirstWord(dict[str, SameFirstWord]):
    """Name keys grouped by their first word."""

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__()
        for key in keys:
            self.setdefault(key.split(" ", 1)[0], SameFirstWord()).add(key)
        for group in self.values():
            group.freeze()
