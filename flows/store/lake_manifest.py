"""The manifest of an object-storage warehouse: the Delta version of every table, per commit.

`_newsdesk/manifest` is a Delta table with one row per commit (flows.store.lake): its number, run,
time and the pinned version of every table and control table, as JSON. The same JSON rides in the
commit's info (`newsdesk.manifest`), so a reader finds the newest manifest in the table's last
commits without reading its files. A manifest row is appended exactly on the version the writer
read (FENCED), so of two writers racing for the next manifest one fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from flows.errors import WarehouseError
from flows.store.lake_keys import CONTROL, INPUTS_SCHEMA, KEYS_SCHEMA
from flows.store.lake_stories import (
    STORY_BANDS_SCHEMA,
    STORY_BANDS_TABLE,
    STORY_DOCS_SCHEMA,
    STORY_DOCS_TABLE,
)
from flows.store.location import table_uri
from flows.store.schema import TABLES, load_spec

if TYPE_CHECKING:
    from deltalake import DeltaTable

KEYS_TABLE = f"{CONTROL}/keys"
INPUTS_TABLE = f"{CONTROL}/inputs"
MANIFEST_TABLE = f"{CONTROL}/manifest"
# Every table a manifest pins. A warehouse made before a control table existed has manifests
# without its pin: it is pinned at version 0 (empty) and created by the first writer that needs it.
PINNED = (*TABLES, KEYS_TABLE, INPUTS_TABLE, STORY_DOCS_TABLE, STORY_BANDS_TABLE)
MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("manifest", pa.int64(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("committed_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("pins", pa.string(), nullable=False),  # JSON: table -> Delta version
    ]
)
# The commit info key under which a manifest commit carries its pins, so a reader finds the
# newest manifest in the last commit's info instead of reading the manifest table's files.
PINS_KEY = "newsdesk.manifest"
# Commits searched back for the newest manifest: all but the last are OPTIMIZE commits of the
# manifest table itself, one per `compact`.
HISTORY = 16
FENCED = 0  # max_commit_retries: land on the checked version or fail


@dataclass(frozen=True, slots=True)
class Manifest:
    """The newest complete commit: its number (0 before any), the manifest table's version it
    was read at (the fence for the next manifest) and each table's pinned Delta version."""

    number: int
    version: int
    pins: dict[str, int]


def open_manifest(
    warehouse: str, options: dict[str, str], *, create: bool
) -> tuple[DeltaTable | None, Manifest]:
    """The manifest table and the newest manifest; with `create`, a warehouse with no tables
    yet gets them (every table at version 0, empty), the manifest table last."""
    from deltalake import DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import TableNotFoundError  # noqa: PLC0415

    try:
        table = DeltaTable(table_uri(warehouse, MANIFEST_TABLE), storage_options=options)
    except TableNotFoundError:
        if not create:
            return None, Manifest(0, -1, dict.fromkeys(PINNED, 0))
        create_tables(warehouse, options)
        table = DeltaTable(table_uri(warehouse, MANIFEST_TABLE), storage_options=options)
    for info in table.history(HISTORY):
        if PINS_KEY in info:
            found = json.loads(info[PINS_KEY])
            pins = {name: int(found["pins"].get(name, 0)) for name in PINNED}
            return table, Manifest(int(found["manifest"]), table.version(), pins)
    if table.version() >= HISTORY:
        raise WarehouseError(f"no manifest in the last {HISTORY} commits", path=warehouse)
    return table, Manifest(0, table.version(), dict.fromkeys(PINNED, 0))


def at_pin(warehouse: str, name: str, pin: int, options: dict[str, str]) -> DeltaTable:
    """The table loaded at its newest version, restored first to its pinned state when versions
    past the pin exist (rows of a writer that never wrote its manifest)."""
    from deltalake import CommitProperties, DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import TableNotFoundError  # noqa: PLC0415

    try:
        table = DeltaTable(table_uri(warehouse, name), storage_options=options)
    except TableNotFoundError:
        if pin != 0:
            raise WarehouseError(f"table {name} is missing", path=warehouse) from None
        _create(warehouse, name, options)  # a control table newer than the warehouse
        table = DeltaTable(table_uri(warehouse, name), storage_options=options)
    if table.version() != pin:
        table.restore(pin, commit_properties=CommitProperties(max_commit_retries=FENCED))
        table = DeltaTable(table_uri(warehouse, name), storage_options=options)
    return table


def append_manifest(
    table: DeltaTable, manifest: Manifest, pins: dict[str, int], run_id: str
) -> None:
    """The commit point: a manifest row appended exactly on the version the writer read."""
    from deltalake import CommitProperties, write_deltalake  # noqa: PLC0415

    number = manifest.number + 1
    body = json.dumps({"manifest": number, "pins": pins}, sort_keys=True)
    row = pa.Table.from_pylist(
        [{"manifest": number, "run_id": run_id, "committed_at": datetime.now(UTC), "pins": body}],
        schema=MANIFEST_SCHEMA,
    )
    write_deltalake(
        table,
        row,
        mode="append",
        commit_properties=CommitProperties(
            custom_metadata={PINS_KEY: body}, max_commit_retries=FENCED
        ),
    )


def create_tables(warehouse: str, options: dict[str, str]) -> None:
    """Every table at version 0 (empty), the manifest table last: a warehouse whose manifest
    table exists has all its tables. `ignore`: a concurrent writer may create them too."""
    for name in (*PINNED, MANIFEST_TABLE):
        _create(warehouse, name, options)


def _create(warehouse: str, name: str, options: dict[str, str]) -> None:
    from deltalake import DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import CommitFailedError, DeltaError  # noqa: PLC0415

    if name in TABLES:
        spec = load_spec(name)
        schema, partition_by = spec.dataset_schema, [c.name for c in spec.partitioning]
    else:
        schema, partition_by = _CONTROL_SCHEMAS[name]
    try:
        DeltaTable.create(
            table_uri(warehouse, name),
            schema,
            mode="ignore",
            partition_by=partition_by or None,
            storage_options=options,
        )
    except CommitFailedError:
        raise  # another writer created it at the same moment: the commit starts again
    except (DeltaError, OSError) as exc:
        raise WarehouseError(f"cannot create table {name}: {exc}", path=warehouse) from exc


_CONTROL_SCHEMAS: dict[str, tuple[pa.Schema, list[str]]] = {
    KEYS_TABLE: (KEYS_SCHEMA, ["bucket"]),
    INPUTS_TABLE: (INPUTS_SCHEMA, ["bucket"]),
    STORY_DOCS_TABLE: (STORY_DOCS_SCHEMA, ["bucket"]),
    STORY_BANDS_TABLE: (STORY_BANDS_SCHEMA, ["bucket"]),
    MANIFEST_TABLE: (MANIFEST_SCHEMA, []),
}


def file_count(warehouse: str, name: str, version: int, options: dict[str, str]) -> int:
    from deltalake import DeltaTable  # noqa: PLC0415

    table = DeltaTable(table_uri(warehouse, name), version=version, storage_options=options)
    return len(table.file_uris())
