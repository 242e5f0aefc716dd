"""Parse the made-up articles, commit them as runs, and read their story ids back with DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.pipeline import parse_document
from flows.records import BatchResult, DocumentResult, Quote, RawDocument
from flows.sections import split_sections
from flows.store import (
    RunInfo,
    StagedBatch,
    build_tables,
    commit,
    commit_lake,
    read_tables,
    stage_tables,
)
from flows.stories import sign_story
from tests.store.helpers import DAY


def parsed(name: str, text: str, quotes: Sequence[Quote] = ()) -> DocumentResult:
    """One input as the pipeline's parse step leaves it, with its story signature."""
    media = "text/html" if name.endswith(".html") else "text/plain"
    doc = parse_document(RawDocument(name, text.encode("utf-8"), media))
    return DocumentResult(doc, split_sections(doc), quotes=tuple(quotes), signature=sign_story(doc))


def commit_run(
    root: Path | str,
    batches: Sequence[Sequence[DocumentResult]],
    run_id: str,
    *,
    staging: Path | None = None,
) -> dict[str, int]:
    """Commit one run whose batches are staged as a real run stages them (under `staging`,
    by default beside a local warehouse), into a local warehouse (a Path) or a URI (a str)."""
    run = RunInfo(run_id, datetime(2026, 11, 26, 12, tzinfo=UTC))
    if staging is None:
        assert isinstance(root, Path), "a warehouse URI needs a local staging folder"
        staging = root.parent / f"{root.name}-staging-{run_id}"
    else:
        staging = staging / f"staging-{run_id}"
    staging.mkdir(parents=True)
    staged: list[StagedBatch] = [
        stage_tables(staging, number, build_tables([BatchResult(tuple(batch), ())], run))
        for number, batch in enumerate(batches)
    ]
    if isinstance(root, str):
        return commit_lake(root, staged, run_id=run_id, partition=DAY).added
    return commit(root, staged, run_id=run_id, partition=DAY).added


def stories_by_uri(root: Path | str) -> dict[str, str]:
    """source_uri -> story_id, as DuckDB reads the committed documents."""
    if isinstance(root, str):
        return _lake_pairs(root, "story_id")
    rows = (
        duckdb.connect()
        .execute(f"select source_uri, story_id from read_parquet('{root}/documents/**/*.parquet')")
        .fetchall()
    )
    return {str(uri): str(story) for uri, story in rows}


def doc_ids_by_uri(root: Path | str) -> dict[str, str]:
    if isinstance(root, str):
        return _lake_pairs(root, "doc_id")
    rows = (
        duckdb.connect()
        .execute(f"select source_uri, doc_id from read_parquet('{root}/documents/**/*.parquet')")
        .fetchall()
    )
    return {str(uri): str(doc_id) for uri, doc_id in rows}


def _lake_pairs(warehouse: str, column: str) -> dict[str, str]:
    """source_uri -> `column` of a warehouse URI's documents, as DuckDB reads them through the
    supported reader."""
    con = duckdb.connect()
    con.register("documents", read_tables(warehouse, ["documents"])["documents"])
    rows = con.sql(f"select source_uri, {column} from documents").fetchall()
    return {str(uri): str(value) for uri, value in rows}
