"""The table reference (docs/TABLES.md) from schemas/, with examples from the seed warehouse.

`python -m flows.analyst.reference` (or `make reference`) builds the seed warehouse in a temporary
folder (seeds/ plus two inputs that are rejected, so that every table has rows) with the real
CLI, and rewrites docs/TABLES.md and docs/newsdesk.sql (the views for a user's own DuckDB
session); `--check` only says whether the committed files are current, and `--warehouse DIR`
takes examples from a warehouse built elsewhere.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from flows.analyst.output import plain
from flows.analyst.script import views_script
from flows.analyst.session import connect
from flows.analyst.views import VIEWS
from flows.analyst.words import EXAMPLE_MAX_CHARS, RUN_COLUMNS
from flows.store import TABLES, load_spec

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
REFERENCE = ROOT / "docs" / "TABLES.md"
SCRIPT = ROOT / "docs" / "newsdesk.sql"
# Inputs added to the seeds so that `rejects` has rows: an empty file and an image.
REJECTED_INPUTS = {
    "rejected_empty.txt": b"",
    "rejected_image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01",
}


def build_seed_warehouse(workdir: Path) -> Path:
    """Ingest a copy of seeds/ (plus REJECTED_INPUTS) into `workdir/warehouse` with the CLI, from
    `workdir`, so that source_uri values are the same relative paths on every machine."""
    inputs = workdir / "seeds"
    shutil.copytree(SEEDS, inputs)
    for name, data in REJECTED_INPUTS.items():
        (inputs / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", "seeds", "--warehouse", "warehouse", "-q"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ingesting the seeds failed: {proc.stderr.strip()}")
    return workdir / "warehouse"


def render_reference(warehouse: Path) -> str:
    """The Markdown reference: each table's columns with type, nullability, meaning, example."""
    con = connect(warehouse)
    try:
        parts = [_HEADER]
        for table in TABLES:
            spec = load_spec(table)
            order = ", ".join(f'"{k}"' for k in spec.key)
            parts += [
                f"## `{table}`",
                "",
                f"{spec.description} Key: `{', '.join(spec.key)}`; schema version "
                f"{spec.version}; [schemas/{table}.toml](../schemas/{table}.toml).",
                "",
                "| column | type | nullable | meaning | example |",
                "| --- | --- | --- | --- | --- |",
            ]
            for column in (*spec.columns, *spec.partitioning):
                example = "*(set by the run)*"
                if column.name not in RUN_COLUMNS:
                    rows = con.execute(
                        f'select "{column.name}" from {table} where "{column.name}" is not null '
                        f"order by {order} limit 1"
                    ).fetchall()
                    example = f"`{_example(rows[0][0])}`" if rows else "—"
                partition = " (partition: a folder `ingest_date=YYYY-MM-DD`)" * (
                    column in spec.partitioning
                )
                parts.append(
                    f"| `{column.name}` | {column.type} | {'yes' if column.nullable else 'no'} "
                    f"| {_cell(column.description)}{partition} | {example} |"
                )
            parts.append("")
        parts += [
            "## Views",
            "",
            "`newsdesk query`, `flows.analyst.frame` and the `.sql` file define these views over "
            "the tables (see the README, *Analysing the tables*):",
            "",
            *[f"- [`{v}`](../flows/analyst/sql/{v}.sql)" for v in VIEWS],
            "",
        ]
    finally:
        con.close()
    return "\n".join(parts)


def _example(value: object) -> str:
    text = plain(value).replace("\n", " ⏎ ").replace("|", "\\|").replace("`", "'")
    return text if len(text) <= EXAMPLE_MAX_CHARS else text[: EXAMPLE_MAX_CHARS - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_HEADER = """# Table reference

Generated from [`schemas/`](../schemas/) by `python -m flows.analyst.reference` (`make
reference`); a test fails when this file differs from what that command writes. Examples are the
first non-null value in key order in the seed warehouse (`seeds/`, plus an empty file and an
image that are rejected); columns set by the run (ids, clocks, settings) have none.

Every table is partitioned by `ingest_date`: readers see it as a column of type DATE.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.analyst.reference", description=__doc__)
    parser.add_argument("--warehouse", type=Path, help="take examples from this warehouse")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-reference-") as tmp:
        warehouse = args.warehouse or build_seed_warehouse(Path(tmp))
        wanted = {REFERENCE: render_reference(warehouse), SCRIPT: views_script()}
    stale = 0
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            print(f"{path.relative_to(ROOT)}: up to date")
            continue
        stale += 1
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {'out of date' if args.check else 'written'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
