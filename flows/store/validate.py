"""Check a warehouse: its links and snapshot, every file against schemas/, keys, orphans, offsets.

`validate(root)` reads the current snapshot through the same paths readers use and returns every
problem it finds, each with a kind and a one-line description; it never changes anything. It
holds the documents' text (to check that every span slices it) and the keys of one table at a
time in memory, so its memory grows with the warehouse's text, like the reader who would load it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.store.index import Index
from flows.store.schema import TABLES, load_spec
from flows.store.warehouse import CONTROL_DIR

_PARTITION = re.compile(r"^ingest_date=(\d{4}-\d{2}-\d{2})$")
_CHILD_TABLES = ("sections", "entities", "quotes")
# At most this many problems of one kind are listed; the rest are counted ("... and N more").
MAX_LISTED_PER_KIND = 20


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a warehouse: what kind of check found it, and where."""

    kind: str  # links, snapshot, index, file, schema, partition, duplicate, orphan, offset, story
    detail: str


@dataclass(slots=True)
class Report:
    """What `validate` saw: files and rows per table, and every problem found."""

    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, kind: str, detail: str) -> None:
        self.problems.append(Problem(kind, detail))

    def lines(self) -> list[str]:
        """The summary and the problems, grouped by kind, as lines for a terminal."""
        out = [
            f"{name}: {self.rows.get(name, 0)} rows in {self.files.get(name, 0)} files"
            for name in TABLES
        ]
        by_kind: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_kind.setdefault(problem.kind, []).append(problem)
        for kind, found in by_kind.items():
            out += [f"problem ({kind}): {p.detail}" for p in found[:MAX_LISTED_PER_KIND]]
            if len(found) > MAX_LISTED_PER_KIND:
                out.append(f"problem ({kind}): ... and {len(found) - MAX_LISTED_PER_KIND} more")
        count = len(self.problems)
        out.append("valid" if self.valid else f"{count} problem{'s' * (count != 1)} found")
        return out


def validate(root: Path | str) -> Report:
    """Every check, on the warehouse at `root` as readers see it now (a warehouse URI is
    checked at its newest manifest by flows.store.lake_validate)."""
    if isinstance(root, str):
        from flows.store.lake_validate import validate_lake  # noqa: PLC0415 - it imports this module

        return validate_lake(root)
    report = Report()
    snapshot = _check_links(root, report)
    if snapshot is None:
        return report
    tables = {name: _read_table(root, name, report) for name in TABLES}
    check_keys(tables, report)
    check_children(tables, report)
    _check_index(root, snapshot, tables["documents"], report)
    _check_stories(root, tables["documents"], report)
    return report


def _check_links(root: Path, report: Report) -> Path | None:
    """The table links, `current` and the snapshot it names; the snapshot, if usable."""
    control = root / CONTROL_DIR
    if not control.is_dir():
        report.add("links", f"{root} has no {CONTROL_DIR} folder: not a newsdesk warehouse")
        return None
    current = control / "current"
    if not current.is_symlink():
        report.add("snapshot", f"{current} is not a link to a snapshot")
        return None
    snapshot = control / os.readlink(current)
    if not snapshot.is_dir() or snapshot.parent != control / "snapshots":
        report.add("snapshot", f"{current} names {os.readlink(current)}, not a snapshot folder")
        return None
    usable = True
    for name in TABLES:
        link = root / name
        expected = Path(CONTROL_DIR) / "current" / name
        if not link.is_symlink():
            report.add("links", f"{link} is not a link to {expected}")
        elif Path(os.readlink(link)) != expected:
            report.add("links", f"{link} links to {os.readlink(link)}, not {expected}")
        if not (snapshot / name).is_dir():
            report.add("snapshot", f"snapshot {snapshot.name} has no {name} folder")
            usable = False
    return snapshot if usable else None


def _read_table(root: Path, name: str, report: Report) -> pa.Table:
    """Every file of a table, each checked against the contract, concatenated."""
    spec = load_spec(name)
    expected = spec.arrow_schema
    parts = []
    files = 0
    for path in _entries(root / name):
        relative = path.relative_to(root).as_posix()
        if not path.name.endswith(".parquet") or path.parent.parent != root / name:
            report.add("file", f"{relative}: not a table file (<table>/ingest_date=.../*.parquet)")
            continue
        if not _partition_ok(path.parent.name):
            report.add("partition", f"{relative}: bad partition folder {path.parent.name!r}")
        files += 1
        try:
            table = pq.ParquetFile(path).read()
        except (OSError, pa.ArrowException) as exc:
            report.add("file", f"{relative}: unreadable Parquet ({exc})")
            continue
        if not table.schema.equals(expected):
            report.add("schema", f"{relative}: {schema_difference(table.schema, expected)}")
            continue
        parts.append(table)
    report.files[name] = files
    table = pa.concat_tables(parts) if parts else pa.Table.from_batches([], schema=expected)
    report.rows[name] = table.num_rows
    return table


def _entries(directory: Path) -> Iterator[Path]:
    for dirpath, _dirnames, filenames in os.walk(directory):
        for filename in sorted(filenames):
            yield Path(dirpath) / filename


def _partition_ok(folder: str) -> bool:
    match = _PARTITION.match(folder)
    if match is None:
        return False
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True


def schema_difference(found: pa.Schema, expected: pa.Schema) -> str:
    have = {f.name: f for f in found}
    want = {f.name: f for f in expected}
    notes = [f"missing column {n}" for n in want if n not in have]
    notes += [f"extra column {n}" for n in have if n not in want]
    for n in want.keys() & have.keys():
        if not have[n].equals(want[n]):
            notes.append(
                f"{n} is {have[n].type}{'' if have[n].nullable else ' not null'}, "
                f"schemas/ says {want[n].type}{'' if want[n].nullable else ' not null'}"
            )
    return "; ".join(sorted(notes)) or "columns in another order than schemas/"


def check_keys(tables: dict[str, pa.Table], report: Report) -> None:
    for name, table in tables.items():
        key = load_spec(name).key
        columns = [table[c].to_pylist() for c in key]
        counts = Counter(zip(*columns, strict=True))
        for value, count in sorted(counts.items(), key=lambda item: str(item[0])):
            if count > 1:
                shown = value[0] if len(value) == 1 else value
                report.add("duplicate", f"{name}: key {shown} appears {count} times")


def check_children(tables: dict[str, pa.Table], report: Report) -> None:
    documents = tables["documents"]
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    for name in _CHILD_TABLES:
        table = tables[name]
        rows = zip(
            *(table[c].to_pylist() for c in ("doc_id", "char_start", "char_end", "text")),
            strict=True,
        )
        for doc_id, start, end, text in rows:
            body = texts.get(doc_id)
            if body is None:
                report.add("orphan", f"{name}: a row of doc_id {doc_id}, which documents lacks")
            elif not 0 <= start <= end <= len(body):
                report.add(
                    "offset",
                    f"{name}: [{start}:{end}] of {doc_id} is outside its {len(body)} characters",
                )
            elif body[start:end] != text:
                report.add(
                    "offset",
                    f"{name}: [{start}:{end}] of {doc_id} does not slice to "
                    f"its text {_short(text)}",
                )


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")  # noqa: PLR2004 - display only


def _check_index(root: Path, snapshot: Path, documents: pa.Table, report: Report) -> None:
    """The index must describe this snapshot and know every committed document (else a later
    run would ingest it again)."""
    index = Index(root / CONTROL_DIR)
    if not index.exists():
        report.add("index", "no index: the next commit rebuilds it from the files")
        return
    indexed = index.snapshot()
    if indexed != int(snapshot.name):
        report.add("index", f"the index describes snapshot {indexed}, current is {snapshot.name}")
    ids = documents["doc_id"].to_pylist()
    unknown = sorted(set(ids) - index.known("documents", ids))
    report.problems.extend(
        Problem("index", f"documents: {doc_id} is committed but not in the index")
        for doc_id in _first(unknown)
    )
    if len(unknown) > MAX_LISTED_PER_KIND:
        report.add("index", f"documents: {len(unknown) - MAX_LISTED_PER_KIND} more not in it")


def _check_stories(root: Path, documents: pa.Table, report: Report) -> None:
    index = Index(root / CONTROL_DIR)
    ids = documents["doc_id"].to_pylist()
    check_stories(documents, index.stories_of(ids) if index.exists() else None, report)


def check_stories(documents: pa.Table, indexed: Mapping[str, str] | None, report: Report) -> None:
    """Every story id is the doc_id of a document of that story (its first), and the story
    index (`indexed`: doc_id -> story_id, None when there is no index to check) holds each
    document's story as the table says (else later copies would not find it)."""
    ids = documents["doc_id"].to_pylist()
    stories = dict(zip(ids, documents["story_id"].to_pylist(), strict=True))
    founders = {doc_id for doc_id, story in stories.items() if doc_id == story}
    problems = [
        f"documents: {doc_id} is in story {story}, which is no document's own story"
        for doc_id, story in sorted(stories.items())
        if story not in founders
    ]
    if indexed is not None:
        for doc_id, story in sorted(stories.items()):
            if doc_id not in indexed:
                problems.append(f"documents: {doc_id} is not in the story index")
            elif indexed[doc_id] != story:
                problems.append(
                    f"documents: {doc_id} is in story {story}, the index says {indexed[doc_id]}"
                )
    report.problems.extend(Problem("story", detail) for detail in _first(problems))
    if len(problems) > MAX_LISTED_PER_KIND:
        report.add("story", f"{len(problems) - MAX_LISTED_PER_KIND} more story problems")


def _first(values: Iterable[str]) -> list[str]:
    return list(values)[:MAX_LISTED_PER_KIND]
