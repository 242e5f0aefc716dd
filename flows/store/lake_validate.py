"""Check an object-storage warehouse at its newest manifest: schemas, keys, orphans, offsets.

The same checks as flows.store.validate, on the Delta versions the newest manifest pins (what
readers see): every table opens at its pinned version with the columns of schemas/ plus
`ingest_date`, each key is there once, no child row lacks its document, every span slices its
document's text, the key table knows every committed document (else a later run would ingest
it again), and every document's story is a document's own and in the story tables. Versions past
the pins (a killed writer's) are not problems: the next commit restores
them away. Like `validate`, it reads every row, so its cost grows with the warehouse.
"""

from __future__ import annotations

from flows.store.lake_keys import LakeIndex
from flows.store.lake_manifest import INPUTS_TABLE, KEYS_TABLE, open_manifest
from flows.store.lake_stories import STORY_DOCS_TABLE
from flows.store.location import storage_options, table_uri
from flows.store.schema import TABLES, load_spec
from flows.store.validate import (
    MAX_LISTED_PER_KIND,
    Problem,
    Report,
    check_children,
    check_keys,
    check_stories,
    schema_difference,
)


def validate_lake(warehouse: str) -> Report:
    """Every check, on the warehouse URI as readers see it now."""
    from deltalake import DeltaTable  # noqa: PLC0415 - loaded only for a warehouse URI

    report = Report()
    options = storage_options(warehouse)
    manifest_table, manifest = open_manifest(warehouse, options, create=False)
    if manifest_table is None:
        report.add("manifest", f"{warehouse} has no _newsdesk/manifest: not a newsdesk warehouse")
        return report
    tables = {}
    for name in TABLES:
        delta = DeltaTable(
            table_uri(warehouse, name), version=manifest.pins[name], storage_options=options
        )
        expected = load_spec(name).dataset_schema
        found = delta.to_pyarrow_dataset().schema
        if not found.remove_metadata().equals(expected.remove_metadata()):
            report.add("schema", f"{name}: {schema_difference(found, expected)}")
        table = delta.to_pyarrow_dataset(schema=expected).to_table()
        report.files[name] = len(delta.file_uris())
        report.rows[name] = table.num_rows
        tables[name] = table
    check_keys(tables, report)
    check_children(tables, report)
    index = LakeIndex(warehouse, manifest.pins[KEYS_TABLE], manifest.pins[INPUTS_TABLE])
    for name in ("documents", "rejects", "runs"):
        keys = tables[name][load_spec(name).key[0]].to_pylist()
        unknown = sorted(set(keys) - index.known(name, keys))
        report.problems.extend(
            Problem("index", f"{name}: {key} is committed but not in the key table")
            for key in unknown[:MAX_LISTED_PER_KIND]
        )
    indexed: dict[str, str] = {}
    if manifest.pins[STORY_DOCS_TABLE] > 0:
        stories = DeltaTable(
            table_uri(warehouse, STORY_DOCS_TABLE),
            version=manifest.pins[STORY_DOCS_TABLE],
            storage_options=options,
        ).to_pyarrow_dataset()
        rows = stories.to_table(columns=["doc_id", "story_id"])
        indexed = dict(zip(rows["doc_id"].to_pylist(), rows["story_id"].to_pylist(), strict=True))
    check_stories(tables["documents"], indexed, report)
    return report
