"""assign_stories against an in-memory story index: the rule, table-driven."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from flows.records import StorySignature
from flows.stories import AssignedStory, StoredStory, assign_stories
from flows.stories.signature import containment, sign_text
from flows.stories.words import STORY_CONTAINMENT
from tests.stories.articles import BUDGET, PROFILE


class MemoryIndex:
    """A story index held in a dict of band key -> documents (what SQLite does on disk)."""

    def __init__(self) -> None:
        self.by_key: dict[int, list[StoredStory]] = {}
        self.lookups = 0

    def add(self, stories: Sequence[AssignedStory]) -> None:
        for story in stories:
            for key in story.keys:
                stored = StoredStory(story.doc_id, story.story_id, story.signature)
                self.by_key.setdefault(key, []).append(stored)

    def candidates(self, keys: Collection[int]) -> Sequence[StoredStory]:
        self.lookups += 1
        found = {s.doc_id: s for key in keys for s in self.by_key.get(key, [])}
        return [found[doc_id] for doc_id in sorted(found)]


def _body(article: tuple[str, list[str]], keep: int | None = None) -> str:
    return "\n".join(article[1][:keep])


def _assign(index: MemoryIndex, docs: dict[str, StorySignature]) -> dict[str, str]:
    assigned = assign_stories(docs, index)
    index.add(assigned)
    return {a.doc_id: a.story_id for a in assigned}


def test_containment_tells_a_trimmed_copy_from_another_article() -> None:
    full = sign_text(_body(BUDGET))
    assert containment(full, sign_text(_body(BUDGET, keep=4))) >= STORY_CONTAINMENT
    assert containment(full, sign_text(_body(BUDGET) + "\nA note.")) >= STORY_CONTAINMENT
    assert containment(full, sign_text(_body(PROFILE))) < 0.1


def test_signatures_are_deterministic() -> None:
    assert sign_text(_body(BUDGET)) == sign_text(_body(BUDGET))


def test_copies_in_one_run_share_the_smallest_doc_id() -> None:
    docs = {
        "d3": sign_text(_body(BUDGET)),
        "d1": sign_text(_body(BUDGET, keep=5)),
        "d2": sign_text(_body(PROFILE)),
        "d0": sign_text(_body(PROFILE, keep=6).replace("“", '"').replace("”", '"')),
    }
    assert _assign(MemoryIndex(), docs) == {"d0": "d0", "d1": "d1", "d2": "d0", "d3": "d1"}


def test_a_later_copy_joins_the_committed_story_and_old_ids_stay() -> None:
    index = MemoryIndex()
    assert _assign(index, {"z9": sign_text(_body(BUDGET))}) == {"z9": "z9"}
    # A smaller doc_id arriving later does not rename the story.
    later = {"a1": sign_text(_body(BUDGET, keep=4)), "a2": sign_text(_body(BUDGET) + "\nEnd.")}
    assert _assign(index, later) == {"a1": "z9", "a2": "z9"}


def test_a_new_group_linked_to_a_committed_copy_through_a_member_joins_it() -> None:
    index = MemoryIndex()
    _assign(index, {"m": sign_text(_body(BUDGET, keep=5))})
    # "x" is a longer version whose first five paragraphs are "m"; "y" is trimmed from "x"
    # at the other end and shares two paragraphs of five with "m": it joins through "x".
    run = {
        "x": sign_text(_body(BUDGET)),
        "y": sign_text("\n".join(BUDGET[1][3:])),
    }
    assert _assign(index, run) == {"x": "m", "y": "m"}


def test_short_documents_match_only_exact_copies() -> None:
    index = MemoryIndex()
    short = "Council approves budget."
    got = _assign(index, {"s1": sign_text(short), "s2": sign_text(short.upper())})
    assert got == {"s1": "s1", "s2": "s1"}
    assert _assign(index, {"s3": sign_text("Council approves the budget.")}) == {"s3": "s3"}
