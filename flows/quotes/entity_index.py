"""A document's entities indexed for the quote stage: by offset, label group, surname and end.

Speakers are linked to the entity under their words, pronouns to the latest person before them,
surnames to a full name, and a possessive before a quote to its owner. Scanning the entities for
each quote costs quotes x entities; every lookup here is a binary search or a dict lookup.
Entities must come sorted by char_start, as flows.entities gives them.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence

from flows.records import Entity

LINKED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})


class _ByStart:
    """Entities sorted by start, with the furthest end reached by each prefix."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        self.entities = list(entities)
        self.starts = [e.char_start for e in self.entities]
        self.reach = list(itertools.accumulate((e.char_end for e in self.entities), max))

    def first_overlapping(self, lo: int, hi: int) -> Entity | None:
        """The first entity, in order, that overlaps [lo, hi)."""
        opening = bisect.bisect_left(self.starts, hi)  # those starting before hi
        first = bisect.bisect_right(self.reach, lo)  # the first ending after lo
        return self.entities[first] if first < opening else None

    def latest(self, before: int, after: int) -> Entity | None:
        """The last entity, in order, starting in [after, before)."""
        pos = bisect.bisect_left(self.starts, before) - 1
        return self.entities[pos] if pos >= 0 and self.starts[pos] >= after else None

    def backwards(self, start: int, end: int) -> Iterator[Entity]:
        """The entities starting in [start, end), last first."""
        pos = bisect.bisect_left(self.starts, end) - 1
        while pos >= 0 and self.starts[pos] >= start:
            yield self.entities[pos]
            pos -= 1


class EntityIndex:
    """The lookups the quote stage makes in one document's entities."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        ordered = sorted(entities, key=lambda e: e.char_start)  # stable: keeps equal starts
        self.entities = tuple(ordered)
        self._every = _ByStart(ordered)
        self._linked = _ByStart([e for e in ordered if e.label in LINKED_LABELS])
        self._groups: dict[frozenset[str], _ByStart] = {}
        self._surnames: dict[str, list[Entity]] = defaultdict(list)
        self._ends: dict[int, str] = {}
        for entity in ordered:
            words = entity.canonical.split()
            if entity.label == "PERSON" and words:
                self._surnames[words[-1]].append(entity)
            self._ends.setdefault(entity.char_end, entity.label)
        self._surname_starts = {
            word: [e.char_start for e in named] for word, named in self._surnames.items()
        }

    def linked(self, ranges: Sequence[tuple[int, int]]) -> Entity | None:
        """The first entity a speaker can be linked to under the first range that has one."""
        for lo, hi in ranges:
            found = self._linked.first_overlapping(lo, hi)
            if found is not None:
                return found
        return None

    def encloses(self, lo: int, hi: int) -> bool:
        """Some entity starts before lo and ends after hi."""
        before = bisect.bisect_left(self._every.starts, lo)
        return before > 0 and self._every.reach[before - 1] > hi

    def with_surname(self, surname: str, before: int) -> Entity | None:
        """The last PERSON entity whose canonical name ends in this word and that starts before
        `before`; else the last one after it."""
        named = self._surnames.get(surname)
        if not named:
            return None
        earlier = bisect.bisect_left(self._surname_starts[surname], before)
        return named[earlier - 1] if earlier else named[-1]

    def label_ending_at(self, end: int) -> str | None:
        """The label of the first entity that ends at `end`."""
        return self._ends.get(end)

    def latest(self, labels: frozenset[str], before: int, after: int = 0) -> Entity | None:
        """The last entity with one of `labels` starting in [after, before)."""
        return self._group(labels).latest(before, after)

    def backwards(self, labels: frozenset[str], start: int, end: int) -> Iterator[Entity]:
        """Entities with one of `labels` starting in [start, end), last first."""
        return self._group(labels).backwards(start, end)

    def _group(self, labels: frozenset[str]) -> _ByStart:
        if labels not in self._groups:
            self._groups[labels] = _ByStart([e for e in self.entities if e.label in labels])
        return self._groups[labels]
