"""Load the table contracts in schemas/*.toml and turn them into pyarrow schemas."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import pyarrow as pa

from flows.errors import SchemaError

# schemas/ at the top of the repository is installed as the package data `flows.schemas`
# (pyproject.toml maps it), so an installed newsdesk finds its contracts wherever it runs.
SCHEMA_PACKAGE = "flows.schemas"
TABLES = ("documents", "sections", "entities", "quotes", "rejects", "runs")
# Staged beside a batch's tables but never a warehouse table: each new document's story
# signature (flows.stories), which the commit turns into story ids and index rows.
SIGNATURES = "story_signatures"
SIGNATURE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("minhash", pa.list_(pa.uint32()), nullable=False),
        pa.field("shingles", pa.int32(), nullable=False),
        pa.field("exact", pa.string(), nullable=False),
    ]
)

_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "float64": pa.float64(),
    "date32": pa.date32(),
    "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    nullable: bool
    description: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    version: int
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    partitioning: tuple[Column, ...]

    @property
    def arrow_schema(self) -> pa.Schema:
        """The schema of the Parquet files: partition columns live in the path, not the file."""
        return pa.schema(
            [pa.field(c.name, _TYPES[c.type], nullable=c.nullable) for c in self.columns],
            metadata={"newsdesk.table": self.name, "newsdesk.schema_version": str(self.version)},
        )

    @property
    def dataset_schema(self) -> pa.Schema:
        """The schema readers see: the file's columns, then the partition columns (from the
        path of a local file, a column of a Delta table)."""
        schema = self.arrow_schema
        for c in self.partitioning:
            schema = schema.append(pa.field(c.name, _TYPES[c.type], nullable=False))
        return schema


def staged_schema(name: str) -> pa.Schema:
    """The Arrow schema of a staged table: a contract table's, or the signatures'."""
    return SIGNATURE_SCHEMA if name == SIGNATURES else load_spec(name).arrow_schema


def schema_files() -> Traversable:
    """The folder of table contracts, read through importlib.resources."""
    return resources.files(SCHEMA_PACKAGE)


@functools.cache
def load_spec(table: str) -> TableSpec:
    """The spec of one table, validated."""
    path = schema_files() / f"{table}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = TableSpec(
            name=raw["name"],
            version=int(raw["version"]),
            description=raw["description"],
            key=tuple(raw["key"]),
            columns=tuple(_column(c) for c in raw["columns"]),
            partitioning=tuple(_column({**p, "nullable": False}) for p in raw["partitioning"]),
        )
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise SchemaError(f"bad schema file {path}: {exc}", table=table) from exc
    names = [c.name for c in spec.columns]
    if spec.name != table or len(set(names)) != len(names) or not set(spec.key) <= set(names):
        raise SchemaError(f"{path}: name, duplicate columns or key columns are wrong", table=table)
    return spec


def _column(raw: dict[str, object]) -> Column:
    type_name = str(raw["type"])
    if type_name not in _TYPES:
        raise ValueError(f"unknown type {type_name!r} for column {raw['name']!r}")
    return Column(str(raw["name"]), type_name, bool(raw["nullable"]), str(raw["description"]))
