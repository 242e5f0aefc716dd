"""Assign story ids to a commit's new documents from the stories the warehouse already holds.

Runs in the commit, under its lock: every new document is looked up in the story index by its
band keys (an indexed lookup whose cost does not grow with the warehouse), and compared with
the run's other new documents that share a band. The rule, the same whatever the order of the
run's batches or the number of its workers:

1. A new document that is a copy of a committed one takes the story of its closest committed
   copy (highest containment; ties to the smaller story id). Committed story ids never change.
2. New documents that are copies of each other (directly or through a chain of copies) and have
   no committed copy form one group; a group with a member copied from a document placed in
   step 1 takes that story (closest first), otherwise it founds a new story whose id is the
   smallest doc_id of the group: the story id is always the doc_id of a document of the story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from flows.records import StorySignature
from flows.stories.signature import band_keys, containment
from flows.stories.words import (
    CANDIDATES_PER_STORY,
    MIN_SHINGLES,
    MIN_SIZE_RATIO,
    STORY_CONTAINMENT,
)


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A committed document as the story index holds it."""

    doc_id: str
    story_id: str
    signature: StorySignature


@dataclass(frozen=True, slots=True)
class AssignedStory:
    """A new document's story, with what the index must record for later lookups."""

    doc_id: str
    story_id: str
    signature: StorySignature
    keys: tuple[int, ...]  # its band keys (flows.stories.signature.band_keys)


class StoryIndex(Protocol):
    """Where a warehouse keeps its documents' signatures and band keys (the local warehouse:
    tables of its SQLite index; another store implements the same lookup)."""

    def candidates(self, keys: Collection[int]) -> Sequence[StoredStory]:
        """The committed documents that share at least one of `keys`."""
        ...


def pick_candidates(
    shared: Mapping[str, int], stored: Iterable[tuple[str, str, StorySignature]]
) -> tuple[StoredStory, ...]:
    """What a story index returns for one lookup: of the committed documents `stored`
    (doc_id, story_id, signature) that share `shared[doc_id]` keys with the document looked up,
    at most CANDIDATES_PER_STORY per story, those sharing the most keys, so a story syndicated a
    thousand times costs a lookup no more than one with a few copies; in doc_id order."""
    by_story: dict[str, list[tuple[int, str, StorySignature]]] = {}
    for doc_id, story_id, signature in stored:
        by_story.setdefault(story_id, []).append((-shared[doc_id], doc_id, signature))
    found = [
        StoredStory(doc_id, story_id, signature)
        for story_id, members in by_story.items()
        for _, doc_id, signature in sorted(members)[:CANDIDATES_PER_STORY]
    ]
    return tuple(sorted(found, key=lambda stored: stored.doc_id))


def index_keys(signature: StorySignature) -> tuple[int, ...]:
    """The keys a document is indexed and looked up under: its LSH bands and its exact-copy
    key, or only the latter for a document too short to be compared by shingles."""
    return band_keys(signature, banded=signature.shingles >= MIN_SHINGLES)


def same_story(a: StorySignature, b: StorySignature) -> float | None:
    """The containment of the smaller document in the larger when it makes them one story,
    else None."""
    if a.exact == b.exact:
        return 1.0
    small, large = sorted((a.shingles, b.shingles))
    if small < MIN_SHINGLES or small < MIN_SIZE_RATIO * large:
        return None
    share = containment(a, b)
    return share if share >= STORY_CONTAINMENT else None


def assign_stories(
    new: Mapping[str, StorySignature], index: StoryIndex
) -> tuple[AssignedStory, ...]:
    """The story of each new document (doc_id -> signature), in doc_id order."""
    ids = sorted(new)
    keys = {doc_id: index_keys(new[doc_id]) for doc_id in ids}
    story: dict[str, str] = {}
    for doc_id in ids:
        found = index.candidates(keys[doc_id])
        best = _closest(new[doc_id], ((c.story_id, c.signature) for c in found))
        if best is not None:
            story[doc_id] = best
    edges = _edges_in_run(ids, new, keys)
    placed = dict(story)  # step 1; groups have no edges between them, so order cannot matter
    for group in _groups([d for d in ids if d not in placed], edges):
        linked = [
            (share, placed[other])
            for member in group
            for other in sorted(edges[member])
            if other in placed and (share := same_story(new[member], new[other])) is not None
        ]
        founder = min(linked, key=lambda s: (-s[0], s[1]))[1] if linked else group[0]
        for member in group:
            story[member] = founder
    return tuple(AssignedStory(d, story[d], new[d], keys[d]) for d in ids)


def _closest(
    signature: StorySignature, candidates: Iterable[tuple[str, StorySignature]]
) -> str | None:
    scored = [
        (share, story_id)
        for story_id, other in candidates
        if (share := same_story(signature, other)) is not None
    ]
    return min(scored, key=lambda s: (-s[0], s[1]))[1] if scored else None


def _edges_in_run(
    ids: Sequence[str], new: Mapping[str, StorySignature], keys: Mapping[str, tuple[int, ...]]
) -> dict[str, set[str]]:
    """Pairs of the run's new documents that share a band key and are one story."""
    by_key: dict[int, list[str]] = defaultdict(list)
    for doc_id in ids:
        for key in keys[doc_id]:
            by_key[key].append(doc_id)
    edges: dict[str, set[str]] = {doc_id: set() for doc_id in ids}
    checked: set[tuple[str, str]] = set()
    for members in by_key.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (a, b) in checked:
                    continue
                checked.add((a, b))
                if same_story(new[a], new[b]) is not None:
                    edges[a].add(b)
                    edges[b].add(a)
    return edges


def _groups(ids: Sequence[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Connected groups of `ids` over `edges` (restricted to `ids`), each sorted, in order of
    their smallest member."""
    wanted = set(ids)
    seen: set[str] = set()
    groups = []
    for start in ids:  # sorted, so each group is met at its smallest member
        if start in seen:
            continue
        seen.add(start)
        group, todo = [], [start]
        while todo:
            doc_id = todo.pop()
            group.append(doc_id)
            for other in edges[doc_id]:
                if other in wanted and other not in seen:
                    seen.add(other)
                    todo.append(other)
        groups.append(sorted(group))
    return groups
