"""Prefect task runners for a run's batches: ProcessPoolTaskRunner against prefect-dask's
DaskTaskRunner on a LocalCluster, both with 2 worker processes (issue 11).

    .venv/bin/python -m benchmarks.bench_task_runners [--parts imports,overhead,batches,death,
        interrupt] [--runners process_pool,dask] [--tasks 100] [--articles 64] [--batch-size 16]

With a real Prefect server on 127.0.0.1 (tests/prefect_server.py), every measurement is a flow
run in a child process of its own (so one runner's processes, caches and threads cannot slow the
other's), timed from outside for wall and CPU seconds (os.wait4: the child and the workers it
reaped) and from inside for its phases:

- imports: `import prefect.task_runners` against that plus `prefect_dask` and `distributed`, each
  in a fresh interpreter; and what prefect-dask adds to the installed environment (packages and
  MiB that newsdesk's other dependencies do not already bring: since issue 12, prefect-dask and
  distributed are main dependencies themselves, for `--dask-address`).
- overhead: a trivial task (returns its argument and its process id). Start-up is the time from
  creating the runner to the first result (the Dask cluster is created on first use, workers are
  spawned on first submit); then --tasks tasks are submitted at once, twice ("cold": each
  worker's first tasks import Prefect and connect to the server; "warm": the steady state), and
  their wall time divided by their number is the cost per task; then the time to leave the
  runner. Baseline "in_process": the same tasks called one after another in the flow, no runner
  (Prefect's own cost per task run).
- batches: newsdesk's own batch task (flows.flow.process_batch_task) over --articles distinct
  plain-text articles of ../shared/corpus/*/inputs in batches of --batch-size, each batch
  staging its rows as a run does. Workers start as newsdesk's do (flows.workers.start_worker:
  SIGINT left to the run, the spaCy model loaded once per worker): the ProcessPoolTaskRunner's
  initializer, a Dask worker plugin. Baseline "plain": the same batches without Prefect
  (flows.workers.map_in_processes, what a run without a server does). Resident memory of each
  worker and of the flow's process (which holds the Dask scheduler and nannies) at the end.
- death: a task that SIGKILLs its own worker: what the flow sees, how long it takes, and
  whether the runner still runs the next task.
- interrupt: SIGINT to the child's whole process group (Ctrl-C on a terminal) while 2 workers run
  --sleep-tasks one-second tasks: seconds until the child is gone, its exit code, and worker
  processes left behind (killed afterwards).

Other work on the machine slows everything: each child records the load average before it
started, and CPU seconds are the steadier figure. Prints and writes
benchmarks/results/bench_task_runners.json.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.paths import RESULTS, ROOT, repo_relative, save_results

WORKERS = 2
RUNNERS = ("process_pool", "dask")
PARTS = ("imports", "overhead", "batches", "death", "interrupt")
BASELINES = {"overhead": "in_process", "batches": "plain"}
# The trivial tasks run twice: "cold" includes each worker's first task (its first import of
# Prefect, its connection to the server), "warm" is the steady cost per task.
OVERHEAD_ROUNDS = ("cold", "warm")
CORPUS = ROOT.parent / "shared" / "corpus"
CHILD_TIMEOUT_S = 900
DEATH_TIMEOUT_S = 120  # a runner that has not answered by then is reported as hanging
INTERRUPT_AFTER_S = 1.0  # after the first sleeping task returns
INTERRUPT_WAIT_S = 120
LEFTOVER_GRACE_S = 2.0  # after the child is gone, before its session is searched for stragglers
RESULT_PREFIX = "RESULT "
READY_LINE = "READY"
MIB = 1024 * 1024
_CHILD = "from benchmarks.bench_task_runners import child_main; child_main()"


# -- what the workers run (module level: workers import them by name) --------------------------


def echo(value: int) -> tuple[int, int]:
    """The trivial task: its argument back, and which process ran it."""
    return value, os.getpid()


def nap(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def die() -> None:
    """Kill this worker process outright, as the kernel's OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)


# -- the child: one measurement of one runner, as a flow run -------------------------------------


def child_main() -> None:
    """Entry of a child process: argv is PART RUNNER PARAMS_JSON; the last stdout line is the
    result."""
    part, runner, raw = sys.argv[1:4]
    params: dict[str, Any] = json.loads(raw)
    if runner != "plain":
        from flows.environment import quiet_prefect

        quiet_prefect(verbose=False)
    measure = {
        "overhead": _overhead,
        "batches": _batches,
        "death": _death,
        "interrupt": _interrupt,
    }[part]
    result = measure(runner, params)
    result["flow_process"] = _memory(os.getpid())
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def _task_runner(name: str, pipeline: str | None) -> Any:
    """A fresh runner of WORKERS worker processes; `_start_workers` completes a Dask one."""
    from flows.workers import start_worker

    if name == "process_pool":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(
            max_workers=WORKERS, initializer=start_worker, initargs=(pipeline,)
        )
    from prefect_dask.task_runners import DaskTaskRunner

    cluster = {
        "n_workers": WORKERS,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        # No dashboard (its health and metrics routes still listen, on the scheduler's host).
        "dashboard_address": None,
    }
    return DaskTaskRunner(cluster_kwargs=cluster)


def _start_workers(runner: Any, name: str, pipeline: str | None) -> None:
    """Inside `with runner`: a Dask runner creates its cluster on first use, and its workers
    (and any that replace a dead one) start as newsdesk's do through a worker plugin; a
    ProcessPoolTaskRunner's initializer already does that."""
    if name != "dask":
        return
    from distributed.diagnostics.plugin import WorkerPlugin

    from flows.workers import start_worker

    class StartWorker(WorkerPlugin):
        def __init__(self, pipeline: str | None) -> None:
            self.pipeline = pipeline

        def setup(self, worker: object) -> None:
            del worker
            start_worker(self.pipeline)

    runner.client.register_plugin(StartWorker(pipeline), name="newsdesk-start-worker")


def _prefect_task(function: Callable[..., Any], name: str) -> Any:
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    return task(name=name, cache_policy=NO_CACHE)(function)


def _in_flow(name: str, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`body` as the body of a flow run on the configured server."""
    from prefect import flow

    result: dict[str, Any] = flow(name=name, log_prints=False)(body)()
    return result


def _overhead(runner_name: str, params: dict[str, Any]) -> dict[str, Any]:
    tasks = int(params["tasks"])
    echo_task = _prefect_task(echo, "echo")

    def body() -> dict[str, Any]:
        if runner_name == BASELINES["overhead"]:
            started = time.perf_counter()
            echo_task(-1)
            figures: dict[str, Any] = {"start_to_first_result_s": _since(started)}
            for round_name in OVERHEAD_ROUNDS:
                started = time.perf_counter()
                results = [echo_task(i) for i in range(tasks)]
                figures[round_name] = _round_figures(0.0, _since(started), results)
            return figures
        started = time.perf_counter()
        runner = _task_runner(runner_name, None)
        with runner:
            _start_workers(runner, runner_name, None)
            runner.submit(echo_task, {"value": -1}).result()
            figures = {"start_to_first_result_s": _since(started)}
            for round_name in OVERHEAD_ROUNDS:
                started = time.perf_counter()
                futures = [runner.submit(echo_task, {"value": i}) for i in range(tasks)]
                submitted = _since(started)
                results = [future.result() for future in futures]
                figures[round_name] = _round_figures(submitted, _since(started), results)
            pids = sorted({pid for _, pid in results})
            figures["workers"] = [_memory(pid) for pid in pids]
            left = time.perf_counter()
        figures["leave_runner_s"] = _since(left)
        return figures

    return _in_flow(f"bench-overhead-{runner_name}", body)


def _round_figures(submitted: float, wall: float, results: list[tuple[int, int]]) -> dict[str, Any]:
    if [value for value, _ in results] != list(range(len(results))):
        raise SystemExit("the trivial tasks did not return their arguments")
    return {
        "tasks": len(results),
        "submit_all_s": round(submitted, 3),
        "wall_s": round(wall, 3),
        "per_task_ms": round(wall / len(results) * 1000, 2),
        "worker_processes": len({pid for _, pid in results}),
    }


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


@contextlib.contextmanager
def _batch_jobs(params: dict[str, Any]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """The run's jobs over the chosen articles, and the other arguments of a batch task; the
    staging folder lives as long as the block."""
    from flows import sources
    from flows.run import BatchJob
    from flows.settings import Settings
    from flows.store import RunInfo, open_index, staging_area

    settings = Settings(
        warehouse=Path(params["warehouse"]), batch_size=int(params["batch_size"]), workers=WORKERS
    )
    refs = sources.discover_sources(list(params["paths"]))
    started = datetime.now(UTC)
    run = RunInfo(f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", started)
    index = open_index(settings.warehouse)
    with staging_area(settings.warehouse, run.run_id) as staging:
        jobs = [
            BatchJob(batch, number, str(staging))
            for number, batch in enumerate(sources.iter_batches(refs, settings.batch_size))
        ]
        yield jobs, {"settings": settings, "run": run, "index": index}


def _batches(runner_name: str, params: dict[str, Any]) -> dict[str, Any]:
    from flows.run import pipeline_to_load, process_batch_step
    from flows.workers import map_in_processes

    if runner_name == BASELINES["batches"]:
        with _batch_jobs(params) as (jobs, arguments):
            pipeline = pipeline_to_load(arguments["settings"])
            step = _BatchStep(process_batch_step, arguments)
            started = time.perf_counter()
            outputs = map_in_processes(step, jobs, WORKERS, pipeline)
            try:
                return _batch_figures(started, outputs)
            finally:
                outputs.close()

    from flows.flow import process_batch_task

    def body() -> dict[str, Any]:
        with _batch_jobs(params) as (jobs, arguments):
            pipeline = pipeline_to_load(arguments["settings"])
            started = time.perf_counter()
            runner = _task_runner(runner_name, pipeline)
            with runner:
                _start_workers(runner, runner_name, pipeline)
                futures = [
                    runner.submit(process_batch_task, {"job": job, **arguments}) for job in jobs
                ]
                figures = _batch_figures(started, (future.result() for future in futures))
                left = time.perf_counter()
            figures["leave_runner_s"] = round(time.perf_counter() - left, 3)
            return figures

    return _in_flow(f"bench-batches-{runner_name}", body)


class _BatchStep:
    """process_batch_step with the run's arguments bound, picklable for a plain pool."""

    def __init__(self, step: Callable[..., Any], arguments: dict[str, Any]) -> None:
        self.step = step
        self.arguments = arguments

    def __call__(self, job: Any) -> Any:
        return self.step(job, **self.arguments)


def _batch_figures(started: float, outputs: Iterator[Any]) -> dict[str, Any]:
    """Consume the batch outputs in job order: when the first came, when the last did, what
    they staged, and the memory of the processes that ran them (read while they are alive)."""
    first: float | None = None
    rows: dict[str, int] = {}
    rejects = batches = 0
    memory: dict[int, dict[str, Any]] = {}
    for out in outputs:
        if first is None:
            first = time.perf_counter() - started
        batches += 1
        # Read when its output arrives: a plain pool is gone once the last one is consumed.
        memory[out.process] = _memory(out.process)
        rejects += sum(out.reasons.values())
        for table, count in out.staged.rows.items():
            rows[table] = rows.get(table, 0) + count
    wall = time.perf_counter() - started
    return {
        "batches": batches,
        "start_to_first_batch_s": round(first or 0.0, 2),
        "all_batches_s": round(wall, 2),
        "rows_staged": dict(sorted(rows.items())),
        "rejects": rejects,
        "worker_processes": len(memory),
        "workers": [memory[pid] for pid in sorted(memory)],
    }


def _death(runner_name: str, params: dict[str, Any]) -> dict[str, Any]:
    del params
    echo_task, die_task = _prefect_task(echo, "echo"), _prefect_task(die, "die")

    def body() -> dict[str, Any]:
        runner = _task_runner(runner_name, None)
        figures: dict[str, Any] = {}
        with runner:
            _start_workers(runner, runner_name, None)
            runner.submit(echo_task, {"value": 0}).result()
            started = time.perf_counter()
            future = runner.submit(die_task, {})
            figures["dying_task"] = _outcome(lambda: future.result(timeout=DEATH_TIMEOUT_S))
            figures["dying_task_s"] = round(time.perf_counter() - started, 2)
            figures["dying_task_state"] = _state_name(future)
            started = time.perf_counter()
            figures["next_task"] = _outcome(
                lambda: runner.submit(echo_task, {"value": 1}).result(timeout=DEATH_TIMEOUT_S)
            )
            figures["next_task_s"] = round(time.perf_counter() - started, 2)
            left = time.perf_counter()
        figures["leave_runner_s"] = round(time.perf_counter() - left, 3)
        return figures

    return _in_flow(f"bench-death-{runner_name}", body)


def _outcome(call: Callable[[], Any]) -> str:
    try:
        value = call()
    except Exception as exc:
        return f"raised {type(exc).__module__}.{type(exc).__name__}: {str(exc)[:240]}"
    return f"returned {value!r}"


def _state_name(future: Any) -> str:
    try:
        return str(future.state.type.value)
    except Exception as exc:
        return f"unknown ({type(exc).__name__})"


def _interrupt(runner_name: str, params: dict[str, Any]) -> dict[str, Any]:
    tasks = int(params["sleep_tasks"])
    nap_task = _prefect_task(nap, "nap")

    def body() -> dict[str, Any]:
        runner = _task_runner(runner_name, None)
        with runner:
            _start_workers(runner, runner_name, None)
            futures = [runner.submit(nap_task, {"seconds": 1.0}) for _ in range(tasks)]
            pids = {futures[0].result()}
            print(READY_LINE, flush=True)  # the parent sends SIGINT now
            pids.update(future.result() for future in futures[1:])
        return {"finished_uninterrupted": True, "worker_processes": len(pids)}

    return _in_flow(f"bench-interrupt-{runner_name}", body)


def _memory(pid: int) -> dict[str, Any]:
    """A process's resident set now and at its peak, in MiB (from /proc/PID/status)."""
    sizes: dict[str, int] = {}
    with (
        contextlib.suppress(OSError, ValueError, IndexError),
        open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle,
    ):
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                sizes[key] = round(int(value.split()[0]) * 1024 / MIB)
    return {"pid": pid, "rss_mib": sizes.get("VmRSS"), "peak_rss_mib": sizes.get("VmHWM")}


# -- the parent: inputs, children, figures --------------------------------------------------------


def _articles(count: int) -> list[Path]:
    """`count` distinct plain-text corpus inputs, an even spread over the corpora in order."""
    found: list[Path] = []
    hashes: set[str] = set()
    for path in sorted(CORPUS.glob("*/inputs/*.txt")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in hashes:
            hashes.add(digest)
            found.append(path)
    if len(found) < count:
        raise SystemExit(f"only {len(found)} distinct .txt inputs under {repo_relative(CORPUS)}")
    return [found[i * len(found) // count] for i in range(count)]


def _spawn(
    part: str, runner: str, params: dict[str, Any], env: dict[str, str], work: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start one measurement in a child process of its own session (a terminal's foreground
    job), its stdout in a file (a worker that outlived it could hold a pipe open) and its
    stderr appended to the children's log."""
    out = work / f"{part}-{runner}.out"
    command = [sys.executable, "-c", _CHILD, part, runner, json.dumps(params)]
    with (work / "children.log").open("ab") as errors, out.open("wb") as stdout:
        errors.write(f"\n== {part} {runner}\n".encode())
        errors.flush()
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=stdout, stderr=errors, start_new_session=True
        )
    return proc, out


def _child(
    part: str, runner: str, params: dict[str, Any], env: dict[str, str], work: Path
) -> dict[str, Any]:
    """Run one measurement in a child process; its figures, wall and CPU seconds."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc, out = _spawn(part, runner, params, env, work)
    status, usage = _reap(proc, CHILD_TIMEOUT_S)
    wall = time.perf_counter() - started
    _kill_session(proc.pid)
    result = _result(out)
    if status != 0 or result is None:
        tail = (work / "children.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SystemExit(f"{part} {runner} exited {status}:\n{tail}")
    result["child_wall_s"] = round(wall, 2)
    result["child_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    result["load_average_1min_before"] = round(load, 2)
    return result


def _result(out: Path) -> dict[str, Any] | None:
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(RESULT_PREFIX):
            found: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return found
    return None


def _reap(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any]:
    """Wait for a child (killed past `timeout`); its exit code and resource usage (its own
    and that of the descendants it waited for)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            return proc.returncode, usage
        if time.monotonic() > deadline and proc.returncode is None:
            proc.returncode = -int(signal.SIGKILL)
            os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.05)


def _interrupted_child(
    runner: str, params: dict[str, Any], env: dict[str, str], work: Path
) -> dict[str, Any]:
    """The interrupt measurement: SIGINT to the child's process group once its workers are
    busy; how long it takes to go, and what it leaves."""
    proc, out = _spawn("interrupt", runner, params, env, work)
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while READY_LINE not in out.read_text(encoding="utf-8", errors="replace").split():
        if proc.poll() is not None or time.monotonic() > deadline:
            _reap(proc, INTERRUPT_WAIT_S)
            raise SystemExit(f"interrupt {runner}: the child never became busy; see {work}")
        time.sleep(0.1)
    time.sleep(INTERRUPT_AFTER_S)
    group = _session(proc.pid)
    sent = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    status, usage = _reap(proc, INTERRUPT_WAIT_S)
    gone = time.perf_counter() - sent
    time.sleep(LEFTOVER_GRACE_S)
    return {
        "processes_in_group_when_signalled": len(group),
        "exit_s_after_sigint": round(gone, 2),
        "exit_code": status,
        "finished_uninterrupted": _result(out) is not None,
        "processes_left_after_exit": _kill_session(proc.pid),
        "child_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    }


def _kill_session(session: int) -> int:
    """SIGKILL what is left of a child's session (processes this benchmark started: none may
    outlive it); how many there were."""
    leftovers = [pid for pid in _session(session) if pid != session]
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(leftovers)


def _session(session: int) -> list[int]:
    """The live processes of a session (from /proc/*/stat)."""
    found: list[int] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":  # field 6 (session); not a zombie
            found.append(int(entry.name))
    return sorted(found)


def _imports(env: dict[str, str], work: Path) -> dict[str, Any]:
    """Fresh-interpreter import cost with and without Dask, and what prefect-dask installs."""
    figures: dict[str, Any] = {}
    for name, modules in (
        ("process_pool", "prefect.task_runners"),
        ("dask", "prefect.task_runners, prefect_dask, distributed"),
    ):
        started = time.perf_counter()
        with (work / "children.log").open("ab") as errors:
            proc = subprocess.Popen(
                [sys.executable, "-c", f"import {modules}"], cwd=ROOT, env=env, stderr=errors
            )
        status, usage = _reap(proc, CHILD_TIMEOUT_S)
        if status != 0:
            raise SystemExit(f"import {modules} failed; see {work / 'children.log'}")
        figures[name] = {
            "import": modules,
            "wall_s": round(time.perf_counter() - started, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        }
    figures["added_by_prefect_dask"] = _added_packages()
    return figures


def _added_packages() -> dict[str, Any]:
    """The installed packages prefect-dask needs that newsdesk's own dependencies do not."""
    from importlib import metadata

    # newsdesk requires prefect-dask and distributed itself (issue 12): leave them out of its side.
    dask = frozenset({"prefect-dask", "distributed"})
    wanted = _requirement_closure("prefect-dask") - _requirement_closure("newsdesk", dask)
    sizes = {}
    for name in sorted(wanted):
        files = metadata.distribution(name).files or ()
        sizes[name] = sum(file.size or 0 for file in files)
    return {
        "packages": sorted(f"{name}=={metadata.version(name)}" for name in wanted),
        "installed_mib": round(sum(sizes.values()) / MIB, 1),
        "largest_mib": {n: round(s / MIB, 1) for n, s in sorted(sizes.items(), key=_size)[:4]},
    }


def _size(item: tuple[str, int]) -> int:
    return -item[1]


def _requirement_closure(root: str, skip: frozenset[str] = frozenset()) -> set[str]:
    """`root` and everything it requires, transitively, on this interpreter (no extras), not
    following the packages named in `skip`."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [root]
    while todo:
        name = str(canonicalize_name(todo.pop()))
        if name in seen or name in skip:
            continue
        seen.add(name)
        with contextlib.suppress(metadata.PackageNotFoundError):
            for line in metadata.distribution(name).requires or ():
                requirement = Requirement(line)
                if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                    todo.append(requirement.name)
    return seen


def _ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Dask's figures over the ProcessPoolTaskRunner's, where both ran."""
    pairs = {
        "overhead": ("start_to_first_result_s", "cold_per_task_ms", "warm_per_task_ms"),
        "batches": ("start_to_first_batch_s", "all_batches_s", "child_cpu_s"),
    }
    ratios: dict[str, Any] = {}
    for part, keys in pairs.items():
        runs = results.get(part, {})
        if "dask" in runs and "process_pool" in runs:
            dask, pool = _flat(runs["dask"]), _flat(runs["process_pool"])
            ratios[part] = {key: _ratio(dask[key], pool[key]) for key in (*keys, "child_cpu_s")}
            ratios[part]["worker_rss_mib"] = _ratio(_worker_rss(dask), _worker_rss(pool))
    return ratios


def _flat(run: dict[str, Any]) -> dict[str, Any]:
    """A run's figures with those of its rounds as ROUND_KEY."""
    flat = dict(run)
    for round_name in OVERHEAD_ROUNDS:
        for key, value in run.get(round_name, {}).items():
            flat[f"{round_name}_{key}"] = value
    return flat


def _worker_rss(run: dict[str, Any]) -> float:
    sizes = [worker["rss_mib"] or 0 for worker in run.get("workers", ())]
    return sum(sizes) / len(sizes) if sizes else 0.0


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator else None


def _measure(args: argparse.Namespace, parts: Sequence[str], runners: Sequence[str]) -> Any:
    from tests.prefect_server import client_env, prefect_server

    work = Path(tempfile.mkdtemp(prefix="newsdesk-task-runners-"))
    (work / "server-home").mkdir()
    (work / "prefect-home").mkdir()
    results: dict[str, Any] = {}
    articles = _articles(args.articles)
    with prefect_server(work / "server-home") as api:
        env = {
            **client_env(api, work / "prefect-home"),
            "PYTHONPATH": str(ROOT),
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        for part in parts:
            print(f"-- {part}", flush=True)
            if part == "imports":
                results[part] = _imports(env, work)
                print(f"   {json.dumps(results[part])}", flush=True)
                continue
            results[part] = {}
            chosen = [BASELINES[part], *runners] if part in BASELINES else list(runners)
            for number, runner in enumerate(chosen):
                params = {
                    "tasks": args.tasks,
                    "sleep_tasks": args.sleep_tasks,
                    "batch_size": args.batch_size,
                    "paths": [str(path) for path in articles],
                    "warehouse": str(work / f"warehouse-{part}-{number}"),
                }
                if part == "interrupt":
                    figures = _interrupted_child(runner, params, env, work)
                else:
                    figures = _child(part, runner, params, env, work)
                results[part][runner] = figures
                print(f"   {runner}: {json.dumps(figures)}", flush=True)
    corpus = {
        "articles": len(articles),
        "bytes": sum(path.stat().st_size for path in articles),
        "from": sorted({repo_relative(path.parent) for path in articles}),
    }
    return results, corpus, work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=",".join(PARTS))
    parser.add_argument("--runners", default=",".join(RUNNERS), help=",".join(RUNNERS))
    parser.add_argument("--tasks", type=int, default=100, help="trivial tasks (overhead)")
    parser.add_argument("--articles", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--sleep-tasks", type=int, default=20, help="one-second tasks (interrupt)")
    parser.add_argument("--keep-work", action="store_true", help="keep the children's output")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_task_runners.json")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    runners = [r for r in args.runners.split(",") if r]
    if not parts or set(parts) - set(PARTS):
        parser.error(f"--parts takes a comma list of {', '.join(PARTS)}")
    if not runners or set(runners) - set(RUNNERS):
        parser.error(f"--runners takes a comma list of {', '.join(RUNNERS)}")
    if min(args.tasks, args.articles, args.batch_size, args.sleep_tasks) < 1:
        parser.error("--tasks, --articles, --batch-size and --sleep-tasks must be at least 1")
    started = time.perf_counter()
    results, corpus, work = _measure(args, parts, runners)
    if not args.keep_work:  # kept when a child failed: its output is there
        shutil.rmtree(work, ignore_errors=True)
    output = {
        "benchmark": "bench_task_runners",
        "workers": WORKERS,
        "corpus": corpus,
        "batch_size": args.batch_size,
        "cores": os.cpu_count(),
        "runtime_s": round(time.perf_counter() - started, 1),
        "results": results,
        "dask_over_process_pool": _ratios(results),
    }
    print(f"dask / process_pool: {json.dumps(output['dask_over_process_pool'])}")
    kept = f"; children's output in {work}" if args.keep_work else ""
    print(f"total runtime {output['runtime_s']} s{kept}")
    print(f"written to {repo_relative(args.out)}")
    save_results(args.out, output)


if __name__ == "__main__":
    main()
