"""The `newsdesk` command line.

Exit codes: 0 the run finished (rejected inputs are data, listed in the summary, not failures),
or `serve` was stopped; 1 the run failed (the warehouse could not be written, or a bug); 2 usage
error (bad flag, a path that names nothing, no Prefect server to serve on; for `query`, `report`
and `stats`: bad SQL, an unknown table or view, a missing warehouse); 130 interrupted by
SIGINT (Ctrl-C), 143 by SIGTERM: one line on stderr says whether the run had committed (a
signal that arrives at the commit point waits until the commit is visible).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import __version__, interrupts
from flows.environment import quiet_prefect
from flows.errors import NewsdeskError, UsageError
from flows.interrupts import Interrupted
from flows.settings import Settings, load_settings, warehouse_location

if TYPE_CHECKING:
    from flows.run import Progress, RunSummary

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_WAREHOUSE_HELP = "a directory, or a URI such as s3://bucket/prefix (default: warehouse)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line on stderr, exit code 2
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsdesk", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    ingest = commands.add_parser("ingest", help="ingest files, directories or globs")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="file, directory or glob")
    ingest.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    ingest.add_argument("--batch-size", type=int, metavar="N", help="documents per task")
    ingest.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    ingest.add_argument(
        "--dask-address",
        metavar="URL",
        help="run the batches on this Dask scheduler's workers (tcp://HOST:PORT)",
    )
    ingest.add_argument("--nlp-pipeline", metavar="NAME", help="installed spaCy pipeline")
    ingest.add_argument("--no-entities", action="store_true", help="skip entity extraction")
    ingest.add_argument("--no-quotes", action="store_true", help="skip quote extraction")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    ingest.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    serve = commands.add_parser(
        "serve", help="ingest an inbox folder on a schedule, one run at a time (Prefect server)"
    )
    serve.add_argument("--inbox", required=True, metavar="DIR", help="folder to ingest each run")
    serve.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "*/5 * * * *"')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    serve.add_argument(
        "--name", metavar="NAME", help="deployment name (default: newsdesk-inbox-served)"
    )
    serve.add_argument("--batch-size", type=int, metavar="N", help="documents per task")
    serve.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    serve.add_argument(
        "--dask-address",
        metavar="URL",
        help="run the batches on this Dask scheduler's workers (tcp://HOST:PORT)",
    )
    serve.add_argument("--nlp-pipeline", metavar="NAME", help="installed spaCy pipeline")
    serve.add_argument("--no-entities", action="store_true", help="skip entity extraction")
    serve.add_argument("--no-quotes", action="store_true", help="skip quote extraction")
    serve.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    compact = commands.add_parser(
        "compact", help="merge each partition's small files into one (same rows, one commit)"
    )
    compact.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    check = commands.add_parser(
        "validate", help="check a warehouse: files, keys, orphans, offsets, links and snapshot"
    )
    check.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    _analyst_commands(commands)
    return parser


def _analyst_commands(commands: Any) -> None:
    query = commands.add_parser(
        "query", help="run SQL on the tables and views of a warehouse (DuckDB)"
    )
    query.add_argument("sql", metavar="SQL", help='the SQL; "-" reads it from stdin')
    query.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    query.add_argument(
        "--format",
        default="table",
        choices=("table", "csv", "json", "jsonl", "parquet"),
        help="output format (default: table, fitted to the terminal)",
    )
    query.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    query.add_argument(
        "--max-rows", type=int, metavar="N", help="rows shown by --format table (default: 40)"
    )
    report = commands.add_parser(
        "report", help="write a self-contained HTML report with charts of a warehouse"
    )
    report.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)
    report.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    stats = commands.add_parser(
        "stats", help="rows, files and partitions per table, last runs, rejects by reason"
    )
    stats.add_argument("--warehouse", metavar="DIR|URI", help=_WAREHOUSE_HELP)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("missing command; try: newsdesk ingest PATH...")
        commands = {
            "serve": _serve,
            "compact": _compact,
            "validate": _validate,
            "query": _query,
            "report": _report,
            "stats": _stats,
        }
        return commands.get(args.command, _ingest)(args)
    except UsageError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        if exc.committed:
            what = "after its commit: the run's rows are in the warehouse"
        else:
            what = "nothing of this run was committed"
        print(f"newsdesk: interrupted by {exc}; {what}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("newsdesk: interrupted; nothing of this run was committed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except NewsdeskError as exc:
        print(f"newsdesk: failed: {exc.describe()}", file=sys.stderr)
        return EXIT_FAILED


def _ingest(args: argparse.Namespace) -> int:
    with interrupts.handled():
        try:
            return _ingest_run(args)
        except BaseException as exc:
            # Prefect turns SIGTERM into its own TerminationSignal while it sets a flow run up.
            if type(exc).__name__ == "TerminationSignal":
                raise Interrupted(signal.SIGTERM) from exc
            raise


def _ingest_run(args: argparse.Namespace) -> int:
    quiet_prefect(verbose=args.verbose)
    # Imports Prefect only with a server configured, after its environment is set.
    from flows.run import run_ingest  # noqa: PLC0415

    settings = _settings(args)
    show_progress = not args.quiet and sys.stderr.isatty()
    with _progress_bar(show_progress) as progress:
        summary = run_ingest(args.paths, settings, progress)
    if not args.quiet:
        print(_format_summary(summary))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    quiet_prefect(verbose=args.verbose)
    from flows.deploy import (  # noqa: PLC0415 - imports Prefect, after its environment
        SERVED_DEPLOYMENT,
        require_server,
        schedule_for,
        serve_inbox,
    )

    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise UsageError(f"the inbox is not a directory: {args.inbox}", path=args.inbox)
    settings = _settings(args)
    # Runs start in processes of their own: paths are made absolute, so that they name the same
    # folders whatever directory a run starts in, and the same source_uri on every run.
    if settings.warehouse_uri is None:
        settings = replace(settings, warehouse=settings.warehouse.absolute())
    schedule = schedule_for(cron=args.cron, interval=args.interval)
    require_server()
    name = args.name or SERVED_DEPLOYMENT
    print(f"newsdesk: serving {inbox.absolute()} as deployment {name!r}; Ctrl-C stops")
    serve_inbox(str(inbox.absolute()), settings, schedule, name=name)
    print(f"newsdesk: stopped; the schedule of {name!r} is paused until it is served again")
    return EXIT_OK


def _compact(args: argparse.Namespace) -> int:
    # pyarrow (and deltalake, for a URI) load only for this command.
    from flows.store import compact, compact_lake  # noqa: PLC0415

    settings = load_settings({"warehouse": args.warehouse})
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    grace = settings.snapshot_grace_seconds
    if settings.warehouse_uri is not None:
        done = compact_lake(settings.warehouse_uri, run_id=f"compact-{stamp}", grace_seconds=grace)
    else:
        root = settings.warehouse
        if not (root / ".newsdesk").is_dir():
            raise UsageError(f"not a newsdesk warehouse: {root}", path=str(root))
        done = compact(root, run_id=f"compact-{stamp}", grace_seconds=grace)
    for name, before in done.files_before.items():
        print(f"{name}: {before} -> {done.files_after[name]} files")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from flows.store import validate  # noqa: PLC0415 - pyarrow loads only for this command

    settings = load_settings({"warehouse": args.warehouse})
    root = settings.warehouse
    if settings.warehouse_uri is None and not root.is_dir():
        raise UsageError(f"no such warehouse folder: {root}", path=str(root))
    report = validate(settings.warehouse_uri or root)
    print("\n".join(report.lines()))
    return EXIT_OK if report.valid else EXIT_FAILED


def _query(args: argparse.Namespace) -> int:
    from flows import analyst  # noqa: PLC0415 - DuckDB and pyarrow load only for these commands

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    if not sql.strip():
        raise UsageError("no SQL to run")
    if args.max_rows is not None and args.max_rows < 0:
        raise UsageError("--max-rows must be 0 or more")
    if args.format == "parquet" and args.out is None and sys.stdout.isatty():
        raise UsageError("parquet is binary: use --out FILE or redirect stdout")
    con = analyst.connect(warehouse_location(load_settings({"warehouse": args.warehouse})))
    try:
        table = analyst.run_query(con, sql)
    finally:
        con.close()
    data = analyst.render(
        table,
        args.format,
        width=shutil.get_terminal_size().columns,
        max_rows=analyst.TABLE_MAX_ROWS if args.max_rows is None else args.max_rows,
    )
    _emit(data, args.out)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from flows import analyst  # noqa: PLC0415 - DuckDB and pyarrow load only for these commands

    root = warehouse_location(load_settings({"warehouse": args.warehouse}))
    html = analyst.render_report(root, generated_at=datetime.now(UTC))
    _emit(html.encode(), args.out)
    print(f"newsdesk: report of {root} written to {args.out}", file=sys.stderr)
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from flows import analyst  # noqa: PLC0415 - DuckDB and pyarrow load only for these commands

    root = warehouse_location(load_settings({"warehouse": args.warehouse}))
    text = analyst.warehouse_stats(root, width=shutil.get_terminal_size().columns)
    _emit(f"{text}\n".encode(), None)
    return EXIT_OK


def _emit(data: bytes, out: str | None) -> None:
    """Write a command's output to stdout, or to a file replaced whole (never half-written)."""
    if out is None:
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            # The reader left (`| head`): not an error; keep Python's exit flush from raising.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process exits
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise UsageError(f"no such folder for --out: {target.parent}", path=out)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}", path=out) from exc


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        {
            "warehouse": args.warehouse,
            "batch_size": args.batch_size,
            "workers": args.workers,
            "dask_address": args.dask_address,
            "nlp_pipeline": args.nlp_pipeline,
            "extract_entities": False if args.no_entities else None,
            "extract_quotes": False if args.no_quotes else None,
        }
    )


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on stderr, or None when there is no terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress as Bar  # noqa: PLC0415

    # The bar goes to stderr, so stdout carries only the summary and stays pipeable.
    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingesting", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _format_summary(summary: RunSummary) -> str:
    added = summary.added
    return (
        f"newsdesk: {summary.inputs} inputs -> {added['documents']} documents, "
        f"{added['sections']} sections, {added['entities']} entities, "
        f"{added['quotes']} quotes, {added['rejects']} rejects "
        f"({summary.unchanged} unchanged) into {summary.warehouse} [run {summary.run_id}]"
    )


def entry() -> None:
    """The `newsdesk` command: main(), then the process's exit.

    A process that opened Delta tables (a warehouse URI) can abort while Python finalizes it,
    after all its work and output ("terminate called without an active exception", exit 134,
    about one run in three here): Arrow's and deltalake's background threads outlive the
    interpreter's teardown (delta-io/delta-rs#2184, apache/arrow#34314). Such a process runs its
    exit handlers (Prefect's log and event flushes among them) while everything is still alive,
    then leaves without the teardown, with main()'s exit code."""
    code = main()
    if "deltalake" in sys.modules:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
