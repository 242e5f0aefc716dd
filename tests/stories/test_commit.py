"""Story ids assigned in the commit: copies share one, across runs, whatever the batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flows.records import DocumentResult
from flows.store import open_index, validate
from flows.stories import CANDIDATES_PER_STORY, index_keys
from tests.stories.articles import (
    BUDGET,
    PROFILE,
    as_page,
    original,
    trimmed,
    with_credit_and_byline,
    with_note_and_straight_quotes,
)
from tests.stories.helpers import commit_run, doc_ids_by_uri, parsed, stories_by_uri

BUDGET_COPIES = {
    "budget.txt": original(BUDGET),
    "budget-wire.txt": with_credit_and_byline(BUDGET, "Dana Whitfield"),
    "budget-trimmed.txt": trimmed(BUDGET, keep=5),
    "budget-noted.txt": with_note_and_straight_quotes(BUDGET),
    "budget-page.html": as_page(BUDGET, "Harbor Ledger"),
}
PROFILE_COPIES = {
    "profile.txt": original(PROFILE),
    "profile-wire.txt": with_credit_and_byline(PROFILE, "Sam Ortiz"),
}


def _docs(texts: dict[str, str]) -> list[DocumentResult]:
    return [parsed(name, text) for name, text in sorted(texts.items())]


def _index_rows(root: Path, table: str) -> int:
    with sqlite3.connect(root / ".newsdesk" / "index.sqlite") as db:
        return int(db.execute(f"select count(*) from {table}").fetchone()[0])


def test_copies_share_a_story_and_a_different_article_on_the_same_people_does_not(
    tmp_path: Path,
) -> None:
    root = tmp_path / "w"
    commit_run(root, [_docs({**BUDGET_COPIES, **PROFILE_COPIES})], "r1")
    stories, ids = stories_by_uri(root), doc_ids_by_uri(root)
    budget = {stories[name] for name in BUDGET_COPIES}
    profile = {stories[name] for name in PROFILE_COPIES}
    # One story each, named for the smallest doc_id of the copies ingested together.
    assert budget == {min(ids[name] for name in BUDGET_COPIES)}
    assert profile == {min(ids[name] for name in PROFILE_COPIES)}
    assert budget != profile


def test_a_copy_in_a_later_run_gets_the_original_story_which_never_changes(
    tmp_path: Path,
) -> None:
    root = tmp_path / "w"
    commit_run(root, [_docs({"budget.txt": BUDGET_COPIES["budget.txt"]})], "r1")
    first = stories_by_uri(root)
    original_id = doc_ids_by_uri(root)["budget.txt"]
    assert first == {"budget.txt": original_id}
    later = {k: v for k, v in BUDGET_COPIES.items() if k != "budget.txt"}
    commit_run(root, [_docs(later), _docs(PROFILE_COPIES)], "r2")
    stories = stories_by_uri(root)
    assert {stories[name] for name in BUDGET_COPIES} == {original_id}
    assert stories["profile.txt"] == stories["profile-wire.txt"] != original_id
    # A third run: a copy of a copy still lands in the original's story.
    commit_run(root, [_docs({"budget-again.txt": trimmed(BUDGET, keep=4)})], "r3")
    assert stories_by_uri(root)["budget-again.txt"] == original_id


def test_rerunning_assigns_nothing_new(tmp_path: Path) -> None:
    root = tmp_path / "w"
    docs = _docs({**BUDGET_COPIES, **PROFILE_COPIES})
    assert commit_run(root, [docs], "r1")["documents"] == 7
    before = stories_by_uri(root)
    rows = (_index_rows(root, "story_docs"), _index_rows(root, "story_bands"))
    assert rows[0] == 7
    assert commit_run(root, [docs[::-1]], "r2")["documents"] == 0
    assert stories_by_uri(root) == before
    assert (_index_rows(root, "story_docs"), _index_rows(root, "story_bands")) == rows


def test_story_ids_do_not_depend_on_batches_or_their_order(tmp_path: Path) -> None:
    docs = _docs({**BUDGET_COPIES, **PROFILE_COPIES})
    commit_run(tmp_path / "one", [docs], "r1")
    commit_run(tmp_path / "many", [[doc] for doc in reversed(docs)], "r1")
    commit_run(tmp_path / "pairs", [docs[3:], docs[:3]], "r1")
    one = stories_by_uri(tmp_path / "one")
    assert len(set(one.values())) == 2
    assert stories_by_uri(tmp_path / "many") == one
    assert stories_by_uri(tmp_path / "pairs") == one


def test_validate_checks_story_ids_against_the_index(tmp_path: Path) -> None:
    root = tmp_path / "w"
    commit_run(root, [_docs({**BUDGET_COPIES, **PROFILE_COPIES})], "r1")
    assert validate(root).valid, validate(root).lines()
    wire = doc_ids_by_uri(root)["budget-wire.txt"]
    with sqlite3.connect(root / ".newsdesk" / "index.sqlite") as db:
        db.execute("update story_docs set story_id = 'elsewhere' where doc_id = ?", (wire,))
    report = validate(root)
    assert [(p.kind, wire in p.detail) for p in report.problems] == [("story", True)]
    assert "the index says elsewhere" in report.problems[0].detail


def test_a_lost_index_is_rebuilt_with_its_stories(tmp_path: Path) -> None:
    root = tmp_path / "w"
    commit_run(root, [_docs({"budget.txt": BUDGET_COPIES["budget.txt"]})], "r1")
    original_id = doc_ids_by_uri(root)["budget.txt"]
    for leftover in (root / ".newsdesk").glob("index.sqlite*"):
        leftover.unlink()
    # The next commit rebuilds the index from the files, stories included: a copy still joins.
    commit_run(root, [_docs({"budget-trimmed.txt": BUDGET_COPIES["budget-trimmed.txt"]})], "r2")
    assert stories_by_uri(root)["budget-trimmed.txt"] == original_id
    assert _index_rows(root, "story_docs") == 2
    assert validate(root).valid, validate(root).lines()


def test_a_lookup_returns_at_most_a_few_documents_of_each_story(tmp_path: Path) -> None:
    root = tmp_path / "w"
    copies = {
        f"budget-{n:02d}.txt": with_credit_and_byline(BUDGET, f"Reporter {n}") for n in range(12)
    }
    commit_run(root, [_docs({**copies, **PROFILE_COPIES})], "r1")
    probe = parsed("probe.txt", trimmed(BUDGET, keep=6)).signature
    assert probe is not None
    index = open_index(root)
    with index.stories() as lookup:
        found = lookup.candidates(index_keys(probe))
    budget_story = min(doc_ids_by_uri(root)[name] for name in copies)
    assert len(found) == CANDIDATES_PER_STORY
    assert {stored.story_id for stored in found} == {budget_story}
