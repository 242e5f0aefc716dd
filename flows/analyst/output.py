"""A query's result as text or bytes: an aligned table that fits a terminal, CSV, JSON, Parquet."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import unicodedata
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.analyst.words import (
    CELL_MAX_WIDTH,
    CELL_MIN_WIDTH,
    COLUMN_GAP,
    ELLIPSIS,
)

FORMATS = ("table", "csv", "json", "jsonl", "parquet")
NULL = "NULL"


def render(table: pa.Table, fmt: str, *, width: int, max_rows: int) -> bytes:
    """The table in one of FORMATS; `width` and `max_rows` shape only the `table` format."""
    if fmt == "table":
        return (to_text_table(table, width=width, max_rows=max_rows) + "\n").encode()
    if fmt == "csv":
        return to_csv(table).encode()
    if fmt == "json":
        return (json.dumps(_records(table), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "jsonl":
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in _records(table)]
        return "".join(lines).encode()
    if fmt == "parquet":
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return bytes(sink.getvalue().to_pybytes())
    raise ValueError(f"unknown format {fmt!r}")


def to_csv(table: pa.Table) -> str:
    """RFC 4180 CSV with a header; NULL is an empty field, dates and timestamps ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else plain(v) for v in row.values()])
    return out.getvalue()


def to_text_table(table: pa.Table, *, width: int, max_rows: int) -> str:
    """An aligned table no wider than `width` terminal columns: wide cells are cut with an
    ellipsis, numbers right-aligned; columns that cannot fit are left out, and the last line
    says so, with the rows not shown."""
    names = table.column_names
    if not names:
        return "(no result)"
    shown = table.slice(0, max_rows).to_pylist()
    cells = [[_cell(v) for v in row.values()] for row in shown]
    natural = [
        min(CELL_MAX_WIDTH, max([_width(n)] + [_width(r[i]) for r in cells]))
        for i, n in enumerate(names)
    ]
    kept = _columns_that_fit(natural, width)
    widths = _fit(natural[:kept], width)
    numeric = [
        pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type)
        for f in table.schema
    ][:kept]
    plain = [False] * kept
    lines = [_line(names[:kept], widths, plain), _line(["─" * w for w in widths], widths, plain)]
    lines += [_line(row[:kept], widths, numeric) for row in cells]
    return "\n".join([*lines, _footer(table.num_rows, len(shown), names[kept:], width)])


def _footer(total: int, shown: int, hidden: list[str], width: int) -> str:
    """ "(N rows; ...)": the rows and columns not shown, the hidden columns' names when the line
    has room for them."""
    notes = [f"{total} {'row' if total == 1 else 'rows'}"]
    if total > shown:
        notes.append(f"{total - shown} not shown (--max-rows)")
    if hidden:
        notes.append(f"{len(hidden)} column{'' if len(hidden) == 1 else 's'} not shown")
    long = f"({'; '.join(notes)}: {', '.join(hidden)})" if hidden else f"({'; '.join(notes)})"
    short = f"({'; '.join(notes)})"
    if len(long) <= width:
        return long
    return short if len(short) <= width else _truncate(short, width)


def _columns_that_fit(natural: list[int], total: int) -> int:
    """How many leading columns fit `total` when each is squeezed to at most CELL_MIN_WIDTH
    (never fewer than one: a single column is cut instead)."""
    used = 0
    for index, width in enumerate(natural):
        used += min(width, CELL_MIN_WIDTH) + (COLUMN_GAP if index else 0)
        if used > total:
            return max(1, index)
    return len(natural)


def _fit(widths: list[int], total: int) -> list[int]:
    """Shrink the widest columns, one character at a time, until the row fits `total`."""
    widths = list(widths)
    while sum(widths) + COLUMN_GAP * (len(widths) - 1) > total:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 1:
            break
        widths[widest] -= 1
    return widths


def _line(cells: list[str], widths: list[int], right: list[bool]) -> str:
    parts = []
    for cell, width, align_right in zip(cells, widths, right, strict=True):
        cut = _truncate(cell, width)
        pad = " " * (width - _width(cut))
        parts.append(pad + cut if align_right else cut + pad)
    return (" " * COLUMN_GAP).join(parts).rstrip()


def _cell(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, dt.datetime):
        # To the second, as a person reads it; csv, json and parquet keep every digit.
        return value.isoformat(sep=" ", timespec="seconds")
    # One line per row: newlines and tabs in text (article bodies) become visible escapes.
    return plain(value).replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def plain(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    return str(value)


def _width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _truncate(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = [], _width(ELLIPSIS)
    for char in text:
        used += _width(char)
        if used > width:
            break
        out.append(char)
    return "".join(out) + ELLIPSIS


def _records(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: _jsonable(v) for k, v in row.items()} for row in table.to_pylist()]


def _jsonable(value: Any) -> Any:
    """A JSON value: dates and times ISO 8601, decimals as strings (no precision lost), bytes
    as hex, intervals in seconds."""
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    for kind, convert in _JSON_CONVERSIONS:
        if isinstance(value, kind):
            return convert(value)
    return value


_JSON_CONVERSIONS: tuple[tuple[type | tuple[type, ...], Any], ...] = (
    ((dt.datetime, dt.date, dt.time), lambda v: v.isoformat()),
    (decimal.Decimal, str),
    (bytes, lambda v: v.hex()),
    (dt.timedelta, lambda v: v.total_seconds()),
)
