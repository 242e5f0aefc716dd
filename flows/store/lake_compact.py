"""Compact an object-storage warehouse: OPTIMIZE every table, pin it, VACUUM past the grace."""

from __future__ import annotations

import contextlib
import math

from flows.errors import WarehouseError
from flows.store.lake import check_run_id
from flows.store.lake_manifest import (
    FENCED,
    MANIFEST_TABLE,
    PINNED,
    append_manifest,
    at_pin,
    file_count,
    open_manifest,
)
from flows.store.location import storage_options, table_uri
from flows.store.schema import TABLES
from flows.store.warehouse import CompactResult

_SECONDS_PER_HOUR = 3600


def compact(warehouse: str, *, run_id: str, grace_seconds: float) -> CompactResult:
    """Rewrite every table's small files into fewer (same rows) and pin them in a manifest,
    then delete files no version of the last `grace_seconds` still needs (Delta's VACUUM
    counts whole hours: the grace is rounded up)."""
    from deltalake import CommitProperties, DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import CommitFailedError  # noqa: PLC0415

    check_run_id(run_id)
    options = storage_options(warehouse)
    manifest_table, manifest = open_manifest(warehouse, options, create=False)
    if manifest_table is None:
        raise WarehouseError(f"not a newsdesk warehouse: {warehouse}", path=warehouse)
    before = {name: file_count(warehouse, name, manifest.pins[name], options) for name in TABLES}
    pins = dict(manifest.pins)
    for name in PINNED:
        table = at_pin(warehouse, name, manifest.pins[name], options)
        metrics = table.optimize.compact(
            commit_properties=CommitProperties(max_commit_retries=FENCED)
        )
        if metrics.get("numFilesRemoved", 0) or table.version() != manifest.pins[name]:
            pins[name] = table.version()
    if pins != manifest.pins:
        try:
            append_manifest(manifest_table, manifest, pins, run_id)
        except CommitFailedError as exc:
            raise WarehouseError(
                f"another writer committed during compaction; run it again ({exc})",
                path=warehouse,
            ) from exc
    with contextlib.suppress(CommitFailedError):  # a writer came first: the next compact does it
        manifest_table.optimize.compact(
            commit_properties=CommitProperties(max_commit_retries=FENCED)
        )
    hours = math.ceil(grace_seconds / _SECONDS_PER_HOUR)
    for name in (*PINNED, MANIFEST_TABLE):
        DeltaTable(table_uri(warehouse, name), storage_options=options).vacuum(
            retention_hours=hours,
            dry_run=False,
            enforce_retention_duration=False,
            full=True,  # also files a killed writer uploaded but never committed
        )
    after = {name: file_count(warehouse, name, pins[name], options) for name in TABLES}
    return CompactResult(str(manifest.number + (pins != manifest.pins)), before, after)
