"""Stories on a warehouse URI: the Delta story tables, pinned by the manifest like the rest.

The store is deltalake's file:// one here (the same code runs against S3 in tests/test_s3.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deltalake import DeltaTable

from flows.records import DocumentResult
from flows.store import lake as lake_module
from flows.store import validate
from flows.store.lake_manifest import append_manifest, open_manifest
from flows.store.lake_stories import STORY_BANDS_TABLE, STORY_DOCS_TABLE
from flows.store.location import table_uri
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

COPIES = {
    "budget-wire.txt": with_credit_and_byline(BUDGET, "Dana Whitfield"),
    "budget-trimmed.txt": trimmed(BUDGET, keep=5),
    "budget-noted.txt": with_note_and_straight_quotes(BUDGET),
    "budget-page.html": as_page(BUDGET, "Harbor Ledger"),
}
PROFILES = {
    "profile.txt": original(PROFILE),
    "profile-wire.txt": with_credit_and_byline(PROFILE, "Sam Ortiz"),
}


def _docs(texts: dict[str, str]) -> list[DocumentResult]:
    return [parsed(name, text) for name, text in sorted(texts.items())]


def _rows(warehouse: str, name: str) -> int:
    return len(DeltaTable(table_uri(warehouse, name)).to_pyarrow_dataset().to_table())


def test_a_later_copy_joins_the_committed_story_and_reruns_add_nothing(tmp_path: Path) -> None:
    lake = f"file://{tmp_path / 'lake'}"
    commit_run(lake, [_docs({"budget.txt": original(BUDGET)})], "r1", staging=tmp_path)
    original_id = doc_ids_by_uri(lake)["budget.txt"]
    assert stories_by_uri(lake) == {"budget.txt": original_id}
    # A later run: every copy, in two batches, with another article and its own copy.
    later = _docs(COPIES)
    commit_run(lake, [later[:2], [*later[2:], *_docs(PROFILES)]], "r2", staging=tmp_path)
    stories = stories_by_uri(lake)
    assert {stories[name] for name in ("budget.txt", *COPIES)} == {original_id}
    ids = doc_ids_by_uri(lake)
    assert stories["profile.txt"] == stories["profile-wire.txt"] == min(ids[n] for n in PROFILES)
    assert _rows(lake, STORY_DOCS_TABLE) == 7
    bands = _rows(lake, STORY_BANDS_TABLE)
    assert bands == 7 * 43  # 42 LSH bands and the exact-copy key per document
    # Re-running assigns nothing and writes no story row; the warehouse validates.
    everything = _docs({"budget.txt": original(BUDGET), **COPIES, **PROFILES})
    assert commit_run(lake, [everything[::-1]], "r3", staging=tmp_path)["documents"] == 0
    assert stories_by_uri(lake) == stories
    assert (_rows(lake, STORY_DOCS_TABLE), _rows(lake, STORY_BANDS_TABLE)) == (7, bands)
    report = validate(lake)
    assert report.valid, report.lines()


def test_story_ids_match_a_local_warehouse_of_the_same_runs(tmp_path: Path) -> None:
    lake = f"file://{tmp_path / 'lake'}"
    runs = [_docs(PROFILES), _docs({"budget.txt": original(BUDGET)}), _docs(COPIES)]
    for number, docs in enumerate(runs):
        commit_run(lake, [docs], f"r{number}", staging=tmp_path)
        commit_run(tmp_path / "local", [docs], f"r{number}")
    assert stories_by_uri(lake) == stories_by_uri(tmp_path / "local")
    assert len(set(stories_by_uri(lake).values())) == 2


def test_stories_of_a_writer_killed_before_its_manifest_are_never_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = f"file://{tmp_path / 'lake'}"
    commit_run(lake, [_docs(PROFILES)], "r1", staging=tmp_path)

    def killed() -> None:
        raise KeyboardInterrupt  # stands in for SIGKILL: tables written, manifest not

    with monkeypatch.context() as patch:
        patch.setattr(lake_module, "_hold_for_tests", killed)
        with pytest.raises(KeyboardInterrupt):
            commit_run(lake, [_docs({"budget.txt": original(BUDGET)})], "r2", staging=tmp_path)
    # The story rows the killed writer appended are past the pins, so nothing can join them:
    # the next run groups the original with its copies afresh, under their smallest doc_id.
    names = ("budget.txt", *COPIES)
    commit_run(lake, [_docs({"budget.txt": original(BUDGET), **COPIES})], "r3", staging=tmp_path)
    stories, ids = stories_by_uri(lake), doc_ids_by_uri(lake)
    assert {stories[name] for name in names} == {min(ids[name] for name in names)}
    assert _rows(lake, STORY_DOCS_TABLE) == 2 + len(names)  # r2's rows were restored away
    report = validate(lake)
    assert report.valid, report.lines()


def test_validate_finds_a_story_the_index_disagrees_with(tmp_path: Path) -> None:
    lake = f"file://{tmp_path / 'lake'}"
    commit_run(lake, [_docs({"budget.txt": original(BUDGET), **COPIES})], "r1", staging=tmp_path)
    assert validate(lake).valid
    story_docs = DeltaTable(table_uri(lake, STORY_DOCS_TABLE))
    wire = doc_ids_by_uri(lake)["budget-wire.txt"]
    # The pinned version is what validate reads: rewrite the story table in place of it.
    story_docs.update(predicate=f"doc_id = '{wire}'", updates={"story_id": "'elsewhere'"})
    table, manifest = open_manifest(lake, {}, create=False)
    assert table is not None
    pins = dict(manifest.pins)
    pins[STORY_DOCS_TABLE] = DeltaTable(table_uri(lake, STORY_DOCS_TABLE)).version()
    append_manifest(table, manifest, pins, "tamper")
    report = validate(lake)
    assert [(p.kind, wire in p.detail) for p in report.problems] == [("story", True)]
    assert "the index says elsewhere" in report.problems[0].detail
