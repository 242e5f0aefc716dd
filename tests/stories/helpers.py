"""Parse the made-up articles, commit them as runs, and read their story ids back with DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.pipeline import parse_document
from flows.records import BatchResult, DocumentResult, Quote, RawDocument
from flows.sections import split_sections
from flows.store import RunInfo, StagedBatch, build_tables, commit, stage_tables
from flows.stories import sign_story
from tests.store.helpers import DAY


def parsed(name: str, text: str, quotes: Sequence[Quote] = ()) -> DocumentResult:
    """One input as the pipeline's parse step leaves it, with its story signature."""
    media = "text/html" if name.endswith(".html") else "text/plain"
    doc = parse_document(RawDocument(name, text.encode("utf-8"), media))
    return DocumentResult(doc, split_sections(doc), quotes=tuple(quotes), signature=sign_story(doc))


def commit_run(
    root: Path, batches: Sequence[Sequence[DocumentResult]], run_id: str
) -> dict[str, int]:
    """Commit one run whose batches are staged as a real run stages them."""
    run = RunInfo(run_id, datetime(2026, 11, 26, 12, tzinfo=UTC))
    staging = root.parent / f"{root.name}-staging-{run_id}"
    staging.mkdir(parents=True)
    staged: list[StagedBatch] = [
        stage_tables(staging, number, build_tables([BatchResult(tuple(batch), ())], run))
        for number, batch in enumerate(batches)
    ]
    return commit(root, staged, run_id=run_id, partition=DAY).added


def stories_by_uri(root: Path) -> dict[str, str]:
    """source_uri -> story_id, as DuckDB reads the committed documents."""
    rows = (
        duckdb.connect()
        .execute(f"select source_uri, story_id from read_parquet('{root}/documents/**/*.parquet')")
        .fetchall()
    )
    return {str(uri): str(story) for uri, story in rows}


def doc_ids_by_uri(root: Path) -> dict[str, str]:
    rows = (
        duckdb.connect()
        .execute(f"select source_uri, doc_id from read_parquet('{root}/documents/**/*.parquet')")
        .fetchall()
    )
    return {str(uri): str(doc_id) for uri, doc_id in rows}
