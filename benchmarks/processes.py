"""Run a command as a measured child process: wall and CPU time, and the peak memory of its tree.

The peak is reported two ways: the largest resident set of any one process of the tree
(os.wait4's ru_maxrss: on Linux the child's own peak or that of a descendant it reaped), and the
peak of the summed resident sets of every live process of the tree (the command and its worker
processes, found through /proc and sampled every SAMPLE_INTERVAL_S: it can miss a shorter peak,
and counts a page shared by two processes twice). `Measured.peak_rss_mib` is the larger.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.paths import ROOT

SAMPLE_INTERVAL_S = 0.1
RESCAN_EVERY = 10  # samples between two walks of /proc for new processes of the tree
RUN_TIMEOUT_S = 6 * 3600
KILL_GRACE_S = 30
MIB = 1024 * 1024
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Measured:
    """One child process, start to reaped."""

    seconds: float
    cpu_s: float  # user + system, the child and the descendants it waited for
    max_process_rss_mib: float  # ru_maxrss: the largest single process of the tree
    tree_rss_peak_mib: float  # sampled sum over the live tree
    processes_peak: int  # most processes alive in the tree at one sample
    load_average_1min_before: float

    @property
    def peak_rss_mib(self) -> float:
        return max(self.max_process_rss_mib, self.tree_rss_peak_mib)


class _TreeSampler(threading.Thread):
    """Samples the summed resident set of a process and all its descendants."""

    def __init__(self, root: int, timeout_s: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.timeout_s = timeout_s
        self.finished = threading.Event()
        self.peak_bytes = 0
        self.processes_peak = 0
        self.timed_out = False

    def run(self) -> None:
        started = time.monotonic()
        members = [self.root]
        samples = 0
        while not self.finished.wait(SAMPLE_INTERVAL_S):
            if samples % RESCAN_EVERY == 0:
                members = _descendants(self.root)
            samples += 1
            sizes = [_rss_bytes(pid) for pid in members]
            self.peak_bytes = max(self.peak_bytes, sum(sizes))
            self.processes_peak = max(self.processes_peak, sum(1 for size in sizes if size))
            if time.monotonic() - started > self.timeout_s and not self.timed_out:
                self.timed_out = True
                _signal(self.root, signal.SIGTERM)
            if self.timed_out and time.monotonic() - started > self.timeout_s + KILL_GRACE_S:
                _signal(self.root, signal.SIGKILL)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(pid, sig)


def _descendants(root: int) -> list[int]:
    """`root` and every process below it, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces or ")"
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def run_measured(
    command: Sequence[str], env: dict[str, str], log: Path, timeout_s: float = RUN_TIMEOUT_S
) -> Measured:
    """Run `command` to its end, its output in `log`; raise SystemExit if it fails."""
    load = os.getloadavg()[0]
    with log.open("wb") as output:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        sampler = _TreeSampler(proc.pid, timeout_s)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        sampler.finished.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0 or sampler.timed_out:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        why = "timed out" if sampler.timed_out else f"exited {proc.returncode}"
        raise SystemExit(f"{' '.join(command)} {why}:\n{tail}")
    return Measured(
        seconds=round(seconds, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        max_process_rss_mib=round(usage.ru_maxrss * 1024 / MIB, 1),  # Linux: ru_maxrss in KiB
        tree_rss_peak_mib=round(sampler.peak_bytes / MIB, 1),
        processes_peak=sampler.processes_peak,
        load_average_1min_before=round(load, 2),
    )
