"""Turn pipeline records into Arrow tables that match schemas/ exactly."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from flows import __version__
from flows.errors import SchemaError
from flows.records import BatchResult, RunRecord
from flows.store.schema import SIGNATURE_SCHEMA, SIGNATURES, TABLES, load_spec
from flows.stories import quote_key, sign_story


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: str
    started_at: datetime  # timezone-aware UTC


def reject_id_for(source_uri: str, reason: str, content_hash: str | None) -> str:
    key = "\0".join((source_uri, reason, content_hash or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def build_tables(results: Sequence[BatchResult], run: RunInfo) -> dict[str, pa.Table]:
    """One Arrow table per contract table, rows in a deterministic order, plus the documents'
    story signatures (SIGNATURES). A document's story_id is its own doc_id here, a story of its
    own: the commit replaces it with the story the warehouse's index finds for it."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    signatures: list[dict[str, Any]] = []
    for batch in results:
        for result in batch.documents:
            doc = result.document
            meta = doc.meta
            signature = result.signature or sign_story(doc)
            signatures.append(
                {
                    "doc_id": doc.doc_id,
                    "minhash": list(signature.minhash),
                    "shingles": signature.shingles,
                    "exact": signature.exact,
                }
            )
            rows["documents"].append(
                {
                    "doc_id": doc.doc_id,
                    "source_uri": doc.source_uri,
                    "source_name": meta.source_name,
                    "title": meta.title,
                    "byline": meta.byline,
                    "published_at": meta.published_at,
                    "language": meta.language,
                    "description": meta.description,
                    "canonical_url": meta.canonical_url,
                    "media_type": doc.media_type,
                    "encoding": doc.encoding,
                    "text": doc.text,
                    "section_count": len(result.sections),
                    "content_hash": doc.content_hash,
                    "run_id": run.run_id,
                    "pipeline_version": __version__,
                    "ingested_at": run.started_at,
                    "story_id": doc.doc_id,
                }
            )
            for s in result.sections:
                # The table's span is the section's body (what readers want in `text`); the
                # heading line or front matter before it starts at heading_start. Consecutive
                # [heading_start, char_end) ranges tile documents.text.
                rows["sections"].append(
                    {
                        "doc_id": doc.doc_id,
                        "section_index": s.index,
                        "heading": s.heading,
                        "heading_start": s.char_start,
                        "char_start": s.body_start,
                        "char_end": s.char_end,
                        "text": doc.text[s.body_start : s.char_end],
                    }
                )
            for e in result.entities:
                rows["entities"].append(
                    {
                        "doc_id": doc.doc_id,
                        "section_index": e.section_index,
                        "text": e.text,
                        "label": e.label,
                        "char_start": e.char_start,
                        "char_end": e.char_end,
                        "canonical": e.canonical,
                        "entity_id": e.entity_id,
                    }
                )
            for q in result.quotes:
                rows["quotes"].append(
                    {
                        "doc_id": doc.doc_id,
                        "section_index": q.section_index,
                        "text": q.text,
                        "char_start": q.char_start,
                        "char_end": q.char_end,
                        "kind": q.kind,
                        "speaker": q.speaker,
                        "speaker_canonical": q.speaker_canonical,
                        "speaker_entity_id": q.speaker_entity_id,
                        "cue": q.cue,
                        "quote_key": quote_key(q.text),
                    }
                )
        for r in batch.rejects:
            rows["rejects"].append(
                {
                    "reject_id": reject_id_for(r.source_uri, r.reason, r.content_hash),
                    "source_uri": r.source_uri,
                    "reason": r.reason,
                    "detail": r.detail,
                    "stage": r.stage,
                    "content_hash": r.content_hash,
                    "run_id": run.run_id,
                    "rejected_at": run.started_at,
                }
            )
    tables = {name: _to_table(name, table_rows) for name, table_rows in rows.items()}
    ordered = sorted(signatures, key=lambda row: str(row["doc_id"]))
    tables[SIGNATURES] = pa.Table.from_pylist(ordered, schema=SIGNATURE_SCHEMA)
    return tables


def _to_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = load_spec(name)
    columns = {c.name for c in spec.columns}
    for row in rows:
        # from_pylist drops a key it does not know and fills a missing one with null: a typo in
        # a column name would lose data silently, so every row must name exactly the columns.
        if row.keys() != columns:
            raise SchemaError(
                f"{name} row keys differ from schemas/{name}.toml: "
                f"extra {sorted(row.keys() - columns)}, missing {sorted(columns - row.keys())}",
                table=name,
            )
    order = [*spec.key, *(c.name for c in spec.columns if c.name not in spec.key)]
    rows = sorted(rows, key=lambda row: tuple(_sort_value(row[c]) for c in order))
    return pa.Table.from_pylist(rows, schema=spec.arrow_schema)


def _sort_value(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def run_table(record: RunRecord, added: dict[str, int], ended_at: datetime) -> pa.Table:
    """The one `runs` row of a run, with the rows it added per table."""
    row: dict[str, Any] = {
        "run_id": record.run_id,
        "flow_run_id": record.flow_run_id,
        "started_at": record.started_at,
        "ended_at": ended_at,
        "parameters": record.parameters,
        "inputs_seen": record.inputs_seen,
        "inputs_skipped": record.inputs_skipped,
        **{f"added_{name}": added.get(name, 0) for name in TABLES if name != "runs"},
        "status": "completed",
        "pipeline_version": record.pipeline_version,
    }
    return _to_table("runs", [row])
