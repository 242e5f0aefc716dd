"""Snapshots, recycling, grace periods and compaction of flows.store.warehouse: crash sweeps over
every path a commit can take, a compactor racing writers, and what a pinned reader keeps.

The crash sweeps kill a child process (SIGKILL, no clean-up of any kind) at the k-th
file-system or SQLite step of a commit or a compaction. The children are forked from a fork
server that has already imported pyarrow and this module, so a kill point costs milliseconds,
not an interpreter start.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import pathlib
import re
import shutil
import signal
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.store import TABLES, commit, compact, open_index, pinned_snapshot, warehouse
from flows.store import index as index_module
from flows.store.warehouse import MAX_FILES_PER_PARTITION
from tests.conftest import ROOT
from tests.store.helpers import (
    DAY,
    Canonical,
    column_pandas,
    counts_duckdb,
    counts_pandas,
    doc_counts,
    make_tables,
    rows_duckdb,
    rows_of,
)

PARTITION = f"ingest_date={DAY.isoformat()}"
# Tables that receive rows from make_tables (`runs` only gets a row when a RunRecord is given).
FILLED = ("documents", "sections", "entities", "quotes", "rejects")
HOUR = 3600.0


# --- warehouse fixtures and expectations -------------------------------------------------------

Commit = tuple[Sequence[str], str]  # (doc ids, run); the run doubles as run id
Commits = Sequence[Commit]


def _commit_all(root: Path, commits: Commits, grace: float = 0) -> None:
    for docs, run in commits:
        commit(root, make_tables(list(docs), run), run_id=run, partition=DAY, grace_seconds=grace)


Frozen = tuple[tuple[tuple[str, ...], str], ...]


def _freeze(commits: Commits) -> Frozen:
    return tuple((tuple(docs), run) for docs, run in commits)


@functools.cache
def _expected(commits: Frozen) -> tuple[dict[str, list[Canonical]], list[str]]:
    """What the warehouse must hold after `commits` (each document and reject once): the rows
    of every table, and the doc ids. Cached: a sweep asks for the same few states often."""
    seen: list[str] = []
    runs: set[str] = set()
    tables = []
    for docs, run in commits:
        fresh = [d for d in docs if d not in seen]
        seen.extend(fresh)
        tables.append(make_tables(fresh, run))
        if run in runs:  # its reject (reject_id rej-<run>) is in already
            tables[-1]["rejects"] = tables[-1]["rejects"].slice(0, 0)
        runs.add(run)
    rows = {name: rows_of((t[name] for t in tables), name) for name in TABLES}
    return rows, sorted(seen)


def _expected_rows(commits: Commits) -> dict[str, list[Canonical]]:
    return _expected(_freeze(commits))[0]


def _expected_counts(commits: Commits) -> dict[str, int]:
    return {name: len(rows) for name, rows in _expected_rows(commits).items()}


def _expected_docs(commits: Commits) -> list[str]:
    return _expected(_freeze(commits))[1]


def _all_rows(root: Path) -> dict[str, list[Canonical]]:
    return {name: rows_duckdb(root, name, _duckdb()) for name in TABLES}


def _files_per_partition(root: Path) -> dict[str, int]:
    return {name: len(list((root / name / PARTITION).glob("*.parquet"))) for name in FILLED}


def _snapshots(root: Path) -> list[int]:
    directory = root / ".newsdesk" / "snapshots"
    return sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())


def _logs(root: Path) -> list[int]:
    return sorted(int(p.stem) for p in (root / ".newsdesk" / "changes").glob("*.json"))


def _current(root: Path) -> int:
    snapshot = pinned_snapshot(root)
    assert snapshot is not None
    return int(snapshot.name)


def _snapshot(root: Path, number: int) -> Path:
    return root / ".newsdesk" / "snapshots" / f"{number:012d}"


def _age_logs(root: Path, numbers: Iterable[int], seconds: float = 2 * HOUR) -> None:
    """Pretend the snapshots before these change logs were superseded `seconds` ago: the
    warehouse dates a supersession by the mtime of the next snapshot's change log."""
    then = time.time() - seconds
    for number in numbers:
        os.utime(root / ".newsdesk" / "changes" / f"{number:012d}.json", (then, then))


def _tree(snapshot: Path) -> dict[str, int]:
    """Relative path -> inode of every data file of a snapshot."""
    return {
        p.relative_to(snapshot).as_posix(): p.stat().st_ino for p in snapshot.rglob("*.parquet")
    }


def _file_rows(path: Path) -> list[Canonical]:
    """The rows of one data file (`<snapshot>/<table>/<partition>/<file>`)."""
    return rows_of([pq.read_table(path)], path.parent.parent.name)


def _assert_clean(root: Path) -> None:
    control = root / ".newsdesk"
    assert not list((control / "snapshots").glob(".building-*"))
    assert not list(control.glob("current.tmp-*"))


@functools.cache
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One connection for the many checks of a sweep (a connection costs tens of ms); no
    file cache, so a file is read from disk each time, as a fresh reader would."""
    con = duckdb.connect()
    con.execute("set enable_external_file_cache = false")
    return con


def _counts(root: Path) -> dict[str, int]:
    """Rows per table through `root/<table>/**/*.parquet`, as counts_duckdb but cheaper."""
    out = {}
    for name in TABLES:
        if not list((root / name).rglob("*.parquet")):
            out[name] = 0
            continue
        query = f"select count(*) from read_parquet('{root}/{name}/**/*.parquet')"
        out[name] = int(_duckdb().execute(query).fetchall()[0][0])
    return out


def _doc_counts(root: Path) -> list[tuple[str, int]]:
    query = (
        f"select doc_id, count(*) from read_parquet('{root}/documents/**/*.parquet') "
        "group by doc_id order by doc_id"
    )
    return [(str(d), int(n)) for d, n in _duckdb().execute(query).fetchall()]


def _assert_holds(root: Path, commits: Commits, *, pandas: bool = False) -> None:
    """Readers see exactly the rows of `commits`, every document once; DuckDB always, pandas
    too when asked (it is the slower reader)."""
    expected = _expected_counts(commits)
    docs = _expected_docs(commits)
    assert _counts(root) == expected
    assert _doc_counts(root) == [(d, 1) for d in docs]
    if pandas:
        assert counts_pandas(root) == expected
        assert column_pandas(root, "documents", "doc_id") == docs


def _assert_holds_fully(root: Path, commits: Commits) -> None:
    """As _assert_holds, with the shared helpers (a fresh DuckDB connection) and pandas."""
    _assert_holds(root, commits, pandas=True)
    assert counts_duckdb(root) == _expected_counts(commits)
    assert doc_counts(root) == [(d, 1) for d in _expected_docs(commits)]


# --- the kill harness --------------------------------------------------------------------------

# File-system calls the child counts as steps (besides rmtree, write_table, write_text and the
# index transaction); rmtree's own unlink and rmdir calls count too.
_OS_STEPS = ("link", "replace", "rename", "symlink", "fsync", "mkdir", "unlink", "rmdir")


def _names(values: Iterable[object]) -> str:
    paths = [os.path.basename(os.fspath(v)) for v in values if isinstance(v, str | os.PathLike)]
    return " -> ".join(str(p) for p in paths)


def _wrap(owner: object, attribute: str, wrapper: Callable[[Any], Any]) -> None:
    setattr(owner, attribute, wrapper(getattr(owner, attribute)))


def _child(root: str, action: str, docs: list[str], *, kill_at: int, only: str, trace: str) -> None:
    """Run `action` on the warehouse at `root`, logging each step to `trace`, and SIGKILL this
    process at the `kill_at`-th step whose name starts with `only` (never, for 0)."""
    fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    calls = [0]

    def reached(name: str, detail: str) -> bool:
        """Log the step; True if it is the one to die at (the caller then leaves its mess).
        Only steps whose name starts with `only` count."""
        calls[0] += name.startswith(only)
        dying = name.startswith(only) and calls[0] == kill_at
        os.write(fd, f"{'KILL ' if dying else ''}{name} {detail}\n".encode())
        return dying

    def die() -> NoReturn:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")

    def os_step(name: str) -> Callable[[Any], Any]:
        def wrapper(real: Callable[..., Any]) -> Callable[..., Any]:
            def step(*args: Any, **kwargs: Any) -> Any:
                if reached(name, _names(args[:2])):
                    die()
                return real(*args, **kwargs)

            return step

        return wrapper

    def traced_writer(real: type[pq.ParquetWriter]) -> type[pq.ParquetWriter]:
        class Writer(real):  # type: ignore[misc]
            """A Parquet file written row group by row group: each group is a step, and a
            kill there leaves the file without its footer, as a real kill would."""

            def __init__(self, where: Any, *args: Any, **kwargs: Any) -> None:
                self.where = where
                super().__init__(where, *args, **kwargs)

            def write_table(self, table: pa.Table, *args: Any, **kwargs: Any) -> None:
                if reached("write_table", _names([self.where])):
                    die()
                super().write_table(table, *args, **kwargs)

        return Writer

    def half_text(real: Callable[..., Any]) -> Callable[..., Any]:
        def write_text(self: Path, data: str, *args: Any, **kwargs: Any) -> Any:
            if reached("write_text", self.name):
                real(self, data[: len(data) // 2])
                die()
            return real(self, data, *args, **kwargs)

        return write_text

    def transaction(real: Callable[..., Any]) -> Callable[..., Any]:
        @contextlib.contextmanager
        def counted(db: sqlite3.Connection) -> Iterator[None]:
            if reached("sql-begin", "before BEGIN"):
                die()
            with real(db):
                yield
                if reached("sql-commit", "inserts done, before COMMIT"):
                    die()
            if reached("sql-committed", "after COMMIT"):
                die()

        return counted

    for name in _OS_STEPS:
        _wrap(os, name, os_step(name))
    _wrap(shutil, "rmtree", os_step("rmtree"))
    _wrap(pq, "ParquetWriter", traced_writer)
    _wrap(pathlib.Path, "write_text", half_text)
    _wrap(index_module, "_transaction", transaction)
    if action == "commit":
        commit(
            Path(root), make_tables(docs, "zz-new"), run_id="zz-new", partition=DAY, grace_seconds=0
        )
    else:
        compact(Path(root), run_id="zz-compact", grace_seconds=0)
    os.write(fd, b"COMPLETED\n")


@pytest.fixture(scope="module")
def forks() -> multiprocessing.context.ForkServerContext:
    """A fork server that has imported this module (pyarrow, flows.store) once. Python 3.11's
    fork server ignores the parent's sys.path when it preloads, hence PYTHONPATH."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        multiprocessing.forkserver.ensure_running()
    return ctx


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """tmp_path, on tmpfs when there is one: a sweep makes thousands of fsyncs, which on a
    busy disk cost more than all the rest, and what a killed process leaves does not depend on
    what fsync made durable (that would be a power cut)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="newsdesk-sweep-", dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class _Outcome:
    completed: bool
    steps: list[str]  # the steps the child took, the one it died at last
    swapped: bool  # `current` was replaced before the child died


_Check = Callable[[Path, _Outcome], None]


def _step(line: str) -> str:
    """A step without the writer's pid (in the name of its temporary link)."""
    return re.sub(r"current\.tmp-\d+", "current.tmp-PID", line)


_SWAP = " -> current"


def _run_child(
    forks: multiprocessing.context.ForkServerContext,
    root: Path,
    action: str,
    docs: Sequence[str],
    *,
    kill_at: int,
    only: str,
) -> _Outcome:
    trace = root.with_suffix(".trace")
    trace.unlink(missing_ok=True)
    child = forks.Process(
        target=_child,
        args=(str(root), action, list(docs)),
        kwargs={"kill_at": kill_at, "only": only, "trace": str(trace)},
    )
    child.start()
    child.join(120)
    lines = trace.read_text().splitlines() if trace.exists() else []
    completed = lines[-1:] == ["COMPLETED"]
    assert child.exitcode == (0 if completed else -signal.SIGKILL), (kill_at, lines[-3:])
    steps = lines[:-1] if completed else lines
    done = steps if completed else steps[:-1]
    swapped = any(s.startswith("replace current.tmp-") and s.endswith(_SWAP) for s in done)
    return _Outcome(completed, steps, swapped)


def _kill_points(steps: Sequence[str], cap: int) -> list[int]:
    """Every step of a short sweep. Of a long one: the steps that name, link or swap a
    snapshot, write a file or the index, every step from the swap on, and the middle of each
    run of alike steps (half of the 26 files a compaction merges are unlinked); then an even
    spread of the first and last steps of those runs, up to `cap` points. Then one past the
    last step: that run must complete."""
    total = len(steps)
    if total <= cap:
        return list(range(1, total + 2))
    names = [s.split(" ", 1)[0] for s in steps]
    swap = next((k for k in range(1, total + 1) if steps[k - 1].endswith(_SWAP)), total)
    runs: list[list[int]] = []  # runs of alike consecutive steps
    for k in range(1, total + 1):
        if runs and names[runs[-1][0] - 1] == names[k - 1]:
            runs[-1].append(k)
        else:
            runs.append([k])
    critical = {
        k
        for k in range(1, total + 1)
        if k >= swap
        or names[k - 1] in ("replace", "symlink", "write_text", "write_table")
        or names[k - 1].startswith("sql")
    } | {run[len(run) // 2] for run in runs if len(run) >= 3}
    edges = sorted({k for run in runs for k in (run[0], run[-1])} - critical)
    room = max(1, cap - len(critical))
    spread = set(edges[:: -(-len(edges) // room)]) if edges else set()
    return [*sorted(critical | spread), total + 1]


def _copy(template: Path, root: Path) -> None:
    """A private copy of a warehouse. Data files are hard-linked (the warehouse never writes
    into a file it has named, and refuses to: a kill leaves half files only under new names);
    everything it does rewrite (index, change logs, links) is copied."""

    def copy(source: str, dest: str) -> object:
        if source.endswith(".parquet"):
            os.link(source, dest)
            return dest
        return shutil.copy2(source, dest)

    shutil.copytree(template, root, symlinks=True, copy_function=copy)


@dataclass(slots=True)
class _Sweep:
    """What a sweep saw: how many kill points, and whether each side of the swap was hit."""

    points: int = 0
    before_swap: int = 0
    after_swap: int = 0
    completed: bool = False


def _sweep(
    forks: multiprocessing.context.ForkServerContext,
    tmp_path: Path,
    template: Path,
    *,
    action: str,
    docs: Sequence[str],
    check: _Check,
    cap: int,
    only: str = "",
) -> tuple[_Sweep, list[str]]:
    """Kill `action` on copies of `template` at sampled steps; `check` judges each copy."""
    dry = tmp_path / "dry"
    _copy(template, dry)
    plan = _run_child(forks, dry, action, docs, kill_at=0, only=only)
    assert plan.completed
    assert plan.swapped
    steps = [s for s in plan.steps if s.startswith(only)]
    seen = _Sweep()
    for kill_at in _kill_points(steps, cap):
        root = tmp_path / f"k{kill_at:04d}"
        _copy(template, root)
        outcome = _run_child(forks, root, action, docs, kill_at=kill_at, only=only)
        if outcome.completed:
            assert kill_at == len(steps) + 1
            assert outcome.swapped
        else:  # the same step as in the dry run: the sampling hit what it meant to
            assert _step(outcome.steps[-1]) == f"KILL {_step(steps[kill_at - 1])}"
        check(root, outcome)
        _assert_clean(root)
        seen.points += 1
        seen.after_swap += outcome.swapped and not outcome.completed
        seen.before_swap += not outcome.swapped
        seen.completed = outcome.completed
        shutil.rmtree(root)
    return seen, steps


def _indexed(outcome: _Outcome) -> bool:
    """The child got past the index transaction's COMMIT (the commit point)."""
    return outcome.swapped or any("sql-committed" in s for s in outcome.steps)


def _check_index(root: Path, outcome: _Outcome, before: int, keys: Sequence[str]) -> None:
    """The index describes the snapshot before the commit point and the next one after it,
    whatever the readers see (a killed writer leaves `current` behind the index)."""
    index = open_index(root)
    assert index.snapshot() == before + _indexed(outcome), outcome.steps[-1:]
    assert index.known("documents", keys) == (frozenset(keys) if _indexed(outcome) else set())
    assert _current(root) == before + outcome.swapped


def _commit_check(template: Path, before: Commits, docs: Sequence[str]) -> _Check:
    """For a killed `commit` of `docs` (run zz-new) over a warehouse holding `before`: readers
    see exactly before or exactly after, as the swap says; the next commit of the same rows
    finishes the work once, and the warehouse goes on working."""
    after = [*before, (docs, "zz-new")]
    number = _current(template)

    def check(root: Path, outcome: _Outcome) -> None:
        _assert_holds(root, after if outcome.swapped else before, pandas=True)
        _check_index(root, outcome, number, docs)
        again = make_tables(list(docs), "zz-new")  # the very same rows, another run id
        nxt = commit(root, again, run_id="zz-next", partition=DAY, grace_seconds=0)
        assert nxt.added["documents"] == (0 if _indexed(outcome) else len(docs))
        _assert_holds(root, after)
        assert open_index(root).snapshot() == _current(root)
        _assert_clean(root)
        more = (["zz-more"], "zz-more")
        _commit_all(root, [more])
        _assert_holds(root, [*after, more])

    return check


def _compact_check(template: Path, commits: Commits) -> _Check:
    """For a killed `compact` of a warehouse holding `commits`: readers see exactly the same
    rows (all columns) at every kill point, in the old files or in one file per partition."""
    rows = _expected_rows(commits)
    number = _current(template)
    files_before = _files_per_partition(template)

    def check(root: Path, outcome: _Outcome) -> None:
        assert _all_rows(root) == rows  # DuckDB, every column of every row
        assert counts_pandas(root) == _expected_counts(commits)
        assert column_pandas(root, "documents", "doc_id") == _expected_docs(commits)
        one = dict.fromkeys(FILLED, 1)
        assert _files_per_partition(root) == (one if outcome.swapped else files_before)
        _check_index(root, outcome, number, [])
        compact(root, run_id="zz-compact-again", grace_seconds=0)
        assert _all_rows(root) == rows
        assert _files_per_partition(root) == one
        _assert_clean(root)
        more = (["zz-more"], "zz-more")
        _commit_all(root, [more])
        _assert_holds(root, [*commits, more])

    return check


def _template(tmp_path: Path, commits: Commits) -> Path:
    template = tmp_path / "template"
    _commit_all(template, commits)
    _assert_holds_fully(template, commits)
    return template


# (a) recycling: with grace 0 and two earlier commits, snapshot 2 has expired and the commit of
# snapshot 4 renames it into place and replays change log 3 onto it.
_RECYCLE_BEFORE: Commits = [(["a", "b"], "r1"), (["c"], "r2"), (["d"], "r3")]
_RECYCLE_DOCS = ["e", "f"]
_RECYCLED = "replace 000000000002 -> .building-000000000004"

# (b) automatic compaction: 32 files per partition, the commit adds the 33rd and merges the 26
# smallest. The run ids sort after the earlier ones, so the new file (of the same size) is not
# among the merged ones; test_a_file_its_own_commit_merges_away_is_not_replayed has the case.
_COMPACTING_BEFORE: Commits = [([f"d{i:02d}"], f"r{i:02d}") for i in range(32)]
_COMPACTING_DOCS = ["n00"]

# (c) compact(): six files per partition merged into one.
_COMPACT_BEFORE: Commits = [([f"c{i}"], f"r{i}") for i in range(5)] + [(["c5", "c6"], "r5")]


def _assert_covered(seen: _Sweep, at_least: int) -> None:
    assert seen.completed, "the sweep must end with a run that completes"
    assert seen.before_swap, "the sweep must kill before the swap"
    assert seen.after_swap, "the sweep must kill after the swap"
    assert seen.points >= at_least, seen


@pytest.mark.slow
def test_killed_recycling_commit_is_all_or_nothing(
    forks: multiprocessing.context.ForkServerContext, scratch: Path
) -> None:
    template = _template(scratch, _RECYCLE_BEFORE)
    assert _snapshots(template) == [2, 3]
    check = _commit_check(template, _RECYCLE_BEFORE, _RECYCLE_DOCS)
    seen, steps = _sweep(
        forks, scratch, template, action="commit", docs=_RECYCLE_DOCS, check=check, cap=80
    )
    assert _RECYCLED in steps, "the commit must take the recycling path"
    # replaying log 3 links the five files commit 3 added, not every file of snapshot 3
    assert sum(s.startswith("link ") for s in steps) == len(FILLED)
    assert seen.points == len(steps) + 1, "a short sweep kills at every step"
    _assert_covered(seen, 20)


@pytest.mark.slow
def test_killed_compacting_commit_is_all_or_nothing(
    forks: multiprocessing.context.ForkServerContext, scratch: Path
) -> None:
    template = _template(scratch, _COMPACTING_BEFORE)
    assert _files_per_partition(template) == dict.fromkeys(FILLED, MAX_FILES_PER_PARTITION)
    check = _commit_check(template, _COMPACTING_BEFORE, _COMPACTING_DOCS)
    seen, steps = _sweep(
        forks, scratch, template, action="commit", docs=_COMPACTING_DOCS, check=check, cap=36
    )
    merged = [s for s in steps if s.startswith("write_table zz-new-compact-")]
    assert len(merged) == len(FILLED), "every table's partition is compacted in the commit"
    _assert_covered(seen, 20)


@pytest.mark.slow
def test_killed_compact_never_changes_a_row(
    forks: multiprocessing.context.ForkServerContext, scratch: Path
) -> None:
    template = _template(scratch, _COMPACT_BEFORE)
    assert _files_per_partition(template) == dict.fromkeys(FILLED, 6)
    check = _compact_check(template, _COMPACT_BEFORE)
    seen, steps = _sweep(forks, scratch, template, action="compact", docs=[], check=check, cap=100)
    assert sum(s.startswith("write_table zz-compact-") for s in steps) == len(FILLED)
    _assert_covered(seen, 20)


@pytest.mark.slow
@pytest.mark.parametrize("path", ["plain", "recycling", "compacting", "compact"])
def test_killed_inside_the_index_write(
    forks: multiprocessing.context.ForkServerContext, scratch: Path, path: str
) -> None:
    """Killed before BEGIN, with the rows inserted but not committed, and right after COMMIT:
    readers see the earlier state each time; the index has the commit only in the last case,
    and the next run finishes the work once."""
    before, docs = {
        "plain": ([(["a", "b"], "r1")], ["c", "d"]),
        "recycling": (_RECYCLE_BEFORE, _RECYCLE_DOCS),
        "compacting": (_COMPACTING_BEFORE, _COMPACTING_DOCS),
        "compact": (_COMPACT_BEFORE, []),
    }[path]
    template = _template(scratch, before)
    action = "compact" if path == "compact" else "commit"
    check = (
        _compact_check(template, before)
        if action == "compact"
        else _commit_check(template, before, docs)
    )
    seen, steps = _sweep(
        forks, scratch, template, action=action, docs=docs, check=check, cap=10, only="sql"
    )
    assert [s.split(" ", 1)[0] for s in steps] == ["sql-begin", "sql-commit", "sql-committed"]
    assert seen.points == 4
    assert seen.completed
    assert seen.before_swap == 3  # an index kill always leaves `current` where it was


# --- a compactor racing writers ----------------------------------------------------------------


def _writer_process(root: str, prefix: str, batches: list[list[str]], start: Barrier) -> None:
    start.wait(120)
    for number, docs in enumerate(batches):
        run = f"{prefix}{number}"
        commit(Path(root), make_tables(docs, run), run_id=run, partition=DAY, grace_seconds=0)


def _compactor_process(root: str, rounds: int, start: Barrier) -> None:
    start.wait(120)
    for number in range(rounds):
        compact(Path(root), run_id=f"compactor-{number}", grace_seconds=0)


@pytest.mark.slow
def test_a_compactor_and_writers_at_once_keep_every_row_once(scratch: Path) -> None:
    root = scratch / "w"
    earlier: Commits = [([f"p{i}"], f"p{i}") for i in range(6)]
    _commit_all(root, earlier)
    batches = {
        "w1-": [["a0", "s0"], ["a1", "s1"], ["a2"], ["a3", "s2"], ["a4"]],
        "w2-": [["b0", "s0"], ["b1", "s1"], ["b2", "s2"], ["b3"], ["b4", "a4"]],
    }
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(3)  # every process has imported pyarrow before any of them commits
    procs = [
        ctx.Process(target=_writer_process, args=(str(root), prefix, docs, start))
        for prefix, docs in batches.items()
    ]
    procs.append(ctx.Process(target=_compactor_process, args=(str(root), 4, start)))
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(180)
        assert proc.exitcode == 0
    # which writer's row a shared document keeps is a race; every other column is not
    union = sorted(
        {d for docs, _run in earlier for d in docs}
        | {d for b in batches.values() for docs in b for d in docs}
    )
    runs = [run for _docs, run in earlier] + [
        f"{p}{n}" for p, b in batches.items() for n in range(len(b))
    ]
    assert doc_counts(root) == [(d, 1) for d in union]
    assert column_pandas(root, "documents", "doc_id") == union
    tables = make_tables(union)
    for name in ("sections", "entities", "quotes"):
        assert rows_duckdb(root, name) == rows_of([tables[name]], name)
    rejects = [make_tables([], run)["rejects"] for run in runs]
    assert rows_duckdb(root, "rejects") == rows_of(rejects, "rejects")
    assert counts_pandas(root) == counts_duckdb(root)
    _assert_clean(root)
    files = _files_per_partition(root)
    assert max(files.values()) < len(runs), f"the compactor merged files meanwhile: {files}"
    before = _all_rows(root)
    result = compact(root, run_id="final", grace_seconds=0)
    assert result.files_after == {**dict.fromkeys(FILLED, 1), "runs": 0}
    assert _all_rows(root) == before


# --- grace periods, pinned readers, recycling --------------------------------------------------


def _snapshot_rows(snapshot: Path) -> dict[str, list[Canonical]]:
    return {name: rows_duckdb(snapshot, name) for name in TABLES}


def _assert_logs_are_those_needed(root: Path) -> None:
    """Change logs go back exactly to the oldest snapshot kept: enough to replay any kept
    snapshot up to current, and to date when each was superseded."""
    kept = _snapshots(root)
    assert _logs(root) == list(range(kept[0] + 1, kept[-1] + 1))


def test_a_pinned_snapshot_outlives_later_commits_and_compaction(scratch: Path) -> None:
    """Within the grace period, a pinned snapshot keeps its very files (same inodes) and rows,
    for DuckDB and pandas, while later commits and a compaction change current."""
    root = scratch / "w"
    first: Commits = [(["a", "b"], "r1"), (["c"], "r2")]
    later: Commits = [(["d"], "r3"), (["e"], "r4")]
    _commit_all(root, first, grace=HOUR)
    pin = pinned_snapshot(root)
    assert pin is not None
    files = _tree(pin)
    assert _snapshot_rows(pin) == _expected_rows(first)
    _commit_all(root, later, grace=HOUR)
    result = compact(root, run_id="c1", grace_seconds=HOUR)
    assert result.files_after == {**dict.fromkeys(FILLED, 1), "runs": 0}
    _commit_all(root, [(["f"], "r5")], grace=HOUR)
    current = pinned_snapshot(root)
    assert current is not None
    assert not set(files) & set(_tree(current)), "compaction merged the pinned files away"
    # the pinned path still holds the very same files, with the same rows, for both readers
    assert _tree(pin) == files
    assert _snapshot_rows(pin) == _expected_rows(first)
    assert counts_pandas(pin) == _expected_counts(first)
    assert counts_duckdb(pin) == _expected_counts(first)
    _assert_holds_fully(root, [*first, *later, (["f"], "r5")])


def test_with_no_grace_only_the_snapshot_to_recycle_is_kept(scratch: Path) -> None:
    """With grace 0 every superseded snapshot goes except the newest, which is whole (the next
    commit recycles it), and the one change log needed to replay it stays."""
    root = scratch / "w"
    commits: Commits = [([f"g{i}"], f"r{i}") for i in range(1, 10)]
    _commit_all(root, commits[:5], grace=HOUR)
    assert _snapshots(root) == [1, 2, 3, 4, 5]
    _assert_logs_are_those_needed(root)
    for number in range(6, 10):
        _commit_all(root, commits[number - 1 : number], grace=0)
        assert _snapshots(root) == [number - 1, number]
        assert _logs(root) == [number]
        assert _snapshot_rows(_snapshot(root, number - 1)) == _expected_rows(commits[: number - 1])
    compact(root, run_id="c1", grace_seconds=0)
    assert _snapshots(root) == [9, 10]
    assert _logs(root) == [10]
    _assert_holds_fully(root, commits)


def test_snapshots_within_the_grace_period_are_kept(scratch: Path) -> None:
    """Snapshots superseded less than the grace period ago stay; of the expired ones only the
    newest stays (the next commit recycles it), and the logs to replay it stay with it."""
    root = scratch / "w"
    commits: Commits = [([f"g{i}"], f"r{i}") for i in range(1, 8)]
    _commit_all(root, commits[:5], grace=HOUR)
    _age_logs(root, [2, 3])  # snapshots 1 and 2 were superseded two hours ago
    _commit_all(root, commits[5:6], grace=HOUR)  # recycles 2, the newest expired
    assert _snapshots(root) == [1, 3, 4, 5, 6]
    _assert_logs_are_those_needed(root)
    _age_logs(root, [4, 5, 6])  # and now 3, 4 and 5 too
    _commit_all(root, commits[6:7], grace=HOUR)  # recycles 5, keeps 4 to recycle next
    assert _snapshots(root) == [4, 6, 7]
    _assert_logs_are_those_needed(root)
    for number in _snapshots(root):  # every snapshot kept is whole
        assert _snapshot_rows(_snapshot(root, number)) == _expected_rows(commits[:number])
    _assert_holds_fully(root, commits)


@pytest.mark.parametrize("logs", [1, 3])
def test_a_recycled_snapshot_equals_a_full_build(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, logs: int
) -> None:
    """The same commits and compactions into a warehouse that always links current in full
    (nothing expires) and one that recycles the snapshot superseded `logs` commits ago:
    after every step both hold the same relative paths with the same rows, and recycling
    keeps every unchanged file as the very file committed (no copy, no rewrite)."""
    monkeypatch.setattr(warehouse, "MAX_FILES_PER_PARTITION", 6)  # compactions within 14 commits
    monkeypatch.setattr(warehouse, "COMPACT_TO", 3)
    full, recycled = scratch / "full", scratch / "recycled"
    ops: list[Commit] = [([f"d{i:02d}"], f"r{i:02d}") for i in range(14)]
    ops.insert(9, ([], "compact"))
    ops.insert(4, (["d01", "d04"], "r03x"))  # one known document, one new
    done: list[Commit] = []
    recycled_at = 0
    for docs, run in ops:
        pin = pinned_snapshot(recycled)
        before = _tree(pin) if pin is not None else {}
        current = int(pin.name) if pin is not None else 0
        base = current - logs
        if logs > 1:  # snapshots superseded `logs` commits ago or more are past the grace
            _age_logs(recycled, [n for n in _logs(recycled) if n <= base + 1])
        base_inode = _snapshot(recycled, base).stat().st_ino if base > 0 else None
        grace = 0 if logs == 1 else HOUR
        if run == "compact":
            compact(full, run_id=run, grace_seconds=HOUR)
            compact(recycled, run_id=run, grace_seconds=grace)
        else:
            _commit_all(full, [(docs, run)], grace=HOUR)
            _commit_all(recycled, [(docs, run)], grace=grace)
            done.append((docs, run))
        new = pinned_snapshot(recycled)
        assert new is not None
        if base_inode is not None:  # the snapshot is the old one, renamed and brought up to date
            assert new.stat().st_ino == base_inode
            recycled_at += 1
        reference = pinned_snapshot(full)
        assert reference is not None
        after = _tree(new)
        assert set(after) == set(_tree(reference))
        kept = set(before) & set(after)
        assert {p: after[p] for p in kept} == {p: before[p] for p in kept}  # the same files
        for path in set(after) - kept:  # and the new ones hold the same rows
            assert _file_rows(new / path) == _file_rows(reference / path), path
        assert _snapshots(full) == list(range(1, _current(full) + 1))  # full builds only
    assert recycled_at >= len(ops) - logs - 1
    assert max(_files_per_partition(recycled).values()) <= 6
    _assert_holds_fully(recycled, done)
    assert _all_rows(recycled) == _expected_rows(done) == _all_rows(full)


# --- compaction --------------------------------------------------------------------------------


@pytest.mark.slow
def test_compaction_bounds_files_and_keeps_every_row(scratch: Path) -> None:
    """40 one-document commits (grace 0): at most 32 files per partition and every row, every
    column, once; `compact` then leaves one file per partition with the same rows."""
    root = scratch / "w"
    commits: Commits = [([f"d{i:02d}"], f"r{i:02d}") for i in range(40)]
    _commit_all(root, commits, grace=0)
    files = _files_per_partition(root)
    assert all(0 < n <= MAX_FILES_PER_PARTITION for n in files.values()), files
    assert files != dict.fromkeys(FILLED, 40), "40 commits must have compacted"
    expected = _expected_rows(commits)
    assert _all_rows(root) == expected
    _assert_holds_fully(root, commits)
    result = compact(root, run_id="c1", grace_seconds=0)
    assert result.files_before == {**files, "runs": 0}
    assert result.files_after == {**dict.fromkeys(FILLED, 1), "runs": 0}
    assert _files_per_partition(root) == dict.fromkeys(FILLED, 1)
    assert _all_rows(root) == expected
    _assert_holds_fully(root, commits)
    again = compact(root, run_id="c2", grace_seconds=0)  # nothing left to merge: no new snapshot
    assert again.snapshot == result.snapshot
    assert _all_rows(root) == expected


def test_a_file_its_own_commit_merges_away_is_not_replayed(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit whose automatic compaction merges away the file it has just written logs that
    file as added and removed; replaying that log must leave it out (it once linked it and
    failed with FileNotFoundError)."""
    monkeypatch.setattr(warehouse, "MAX_FILES_PER_PARTITION", 4)
    monkeypatch.setattr(warehouse, "COMPACT_TO", 2)
    root = scratch / "w"
    commits: list[Commit] = [([f"d{i}"], f"r{i}") for i in range(4)]
    commits.append((["e0"], "a0"))  # sorts first among files of one size: merged at once
    _commit_all(root, commits, grace=0)
    assert not (root / "documents" / PARTITION / "a0-00000.parquet").exists()
    commits.append((["e1"], "r9"))
    _commit_all(root, commits[-1:], grace=0)  # recycles snapshot 4, replaying log 5
    _assert_holds_fully(root, commits)


# --- regressions: defects once found in flows/store/warehouse.py -----------------------------


def _partial_rmtree(path: str | os.PathLike[str], ignore_errors: bool = False) -> None:
    """shutil.rmtree killed after removing one data file of the documents table."""
    next(Path(path).glob(f"documents/{PARTITION}/*.parquet")).unlink()
    raise KeyboardInterrupt  # the process dies here


def test_a_snapshot_whose_removal_was_killed_is_never_recycled(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch / "w"
    commits: Commits = [([f"d{i}"], f"r{i}") for i in range(1, 8)]
    _commit_all(root, commits[:4], grace=HOUR)
    _age_logs(root, [2, 3, 4])  # snapshots 1, 2, 3 expired; 4 is current
    with monkeypatch.context() as patch:
        patch.setattr(shutil, "rmtree", _partial_rmtree)
        with pytest.raises(KeyboardInterrupt):  # recycles 3; then removing 1 is killed
            _commit_all(root, commits[4:5], grace=HOUR)
    _assert_holds(root, commits[:5])  # the commit itself had completed
    # 1 was renamed out of the numbered names before its removal began: never recycled
    assert _snapshots(root) == [2, 4, 5]  # 2 kept for recycling
    _commit_all(root, commits[5:6], grace=HOUR)  # recycles 2; the partial removal is finished
    assert not list((root / ".newsdesk" / "snapshots").glob(".expired-*"))
    _assert_holds(root, commits[:6])
    _commit_all(root, commits[6:7], grace=HOUR)
    _assert_holds_fully(root, commits)


def test_a_run_id_committed_again_after_compaction_is_replayed_with_its_new_file(
    scratch: Path,
) -> None:
    root = scratch / "w"
    _commit_all(root, [(["x1"], "x"), (["b"], "r2")], grace=HOUR)
    compact(root, run_id="c1", grace_seconds=HOUR)  # merges x-00000.parquet away
    _commit_all(root, [(["y"], "x")], grace=HOUR)  # a new x-00000.parquet, holding y
    _assert_holds(root, [(["x1"], "x"), (["b"], "r2"), (["y"], "x")])
    _age_logs(root, [2])  # snapshot 1 (with the first x-00000.parquet) has expired
    _commit_all(root, [(["z"], "r5")], grace=HOUR)  # recycles 1, replaying logs 2 to 4
    _assert_holds(root, [(["x1"], "x"), (["b"], "r2"), (["y"], "x"), (["z"], "r5")])


def test_rolling_forward_starts_the_grace_period_of_the_snapshot_it_supersedes(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch / "w"
    _commit_all(root, [(["a"], "r1")], grace=HOUR)

    def killed(control: Path, snapshot: Path) -> None:
        raise KeyboardInterrupt  # the writer dies between the commit point and the swap

    with monkeypatch.context() as patch:
        patch.setattr(warehouse, "_swap_current", killed)
        with pytest.raises(KeyboardInterrupt):
            _commit_all(root, [(["b"], "r2")], grace=HOUR)
    _age_logs(root, [2])  # the next writer comes two hours after the crash
    pin = pinned_snapshot(root)  # a reader starts on snapshot 1, current until now
    assert pin is not None
    assert _snapshot_rows(pin) == _expected_rows([(["a"], "r1")])
    _commit_all(root, [(["c"], "r3")], grace=HOUR)  # rolls forward to 2, then commits 3
    _assert_holds(root, [(["a"], "r1"), (["b"], "r2"), (["c"], "r3")])
    assert pin.is_dir(), "superseded a moment ago, well within the grace period"
    assert _snapshot_rows(pin) == _expected_rows([(["a"], "r1")])


def test_compact_leaves_files_that_are_already_full(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse, "MAX_ROWS_PER_FILE", 2)  # standing for 250,000
    root = scratch / "w"
    commits: Commits = [(["a", "b", "c", "d"], "r1")]
    _commit_all(root, commits)
    pin = pinned_snapshot(root)
    assert pin is not None
    files = _tree(pin)
    assert _files_per_partition(root) == {**dict.fromkeys(FILLED, 2), "sections": 4, "rejects": 1}
    result = compact(root, run_id="c1", grace_seconds=0)  # every file holds 2 rows: full
    _assert_holds_fully(root, commits)
    assert result.snapshot == pin.name, "nothing to merge, so no new snapshot"
    assert _tree(pin) == files


def test_a_commit_leaves_files_that_are_already_full(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse, "MAX_ROWS_PER_FILE", 1)  # standing for 250,000
    monkeypatch.setattr(warehouse, "MAX_FILES_PER_PARTITION", 4)  # and for 32
    monkeypatch.setattr(warehouse, "COMPACT_TO", 2)  # and for 8
    root = scratch / "w"
    commits: Commits = [([f"d{i}"], f"r{i}") for i in range(6)]
    _commit_all(root, commits[:5], grace=HOUR)
    pin = pinned_snapshot(root)
    assert pin is not None
    files = _tree(pin)
    _commit_all(root, commits[5:], grace=HOUR)
    _assert_holds_fully(root, commits)
    new = pinned_snapshot(root)
    assert new is not None
    after = _tree(new)
    assert {p: after.get(p) for p in files} == files, "full files are neither merged nor copied"
