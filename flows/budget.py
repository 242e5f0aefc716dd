"""A per-document budget of wall time and memory, enforced from outside the stages.

The stages are linear in their input and cap what one document may hold, but a budget is the
guarantee that no input can stall a run or exhaust memory, whatever a stage's cost turns out to
be. `within(seconds, memory_bytes)` runs a block under a watchdog thread that looks at the clock
and at the process's resident memory every WATCH_INTERVAL seconds; when the block goes over
either, the watchdog raises BudgetExceeded inside the working thread (CPython's
PyThreadState_SetAsyncExc). The pipeline turns it into a `too_complex` reject for that document
and goes on with the next.

Limits of the mechanism, by design: the exception arrives between two Python bytecodes, so one
long call into C (one regex match, one spaCy component over one paragraph) finishes first; the
stages keep those calls small (paragraphs and marks are capped). Memory is measured as growth of
the process's resident set since the block began, sampled, so a spike shorter than the interval
can pass unseen; the caps bound those.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# How often the watchdog looks: often enough that a budget is overrun by little, rarely enough to
# cost nothing measurable (one clock read and one /proc read per look).
WATCH_INTERVAL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


class BudgetExceeded(BaseException):
    """Raised inside a block that went over its time or memory budget.

    A BaseException, like KeyboardInterrupt: the stages' own `except Exception` handlers (which
    turn a stage's failure into a fallback) must not swallow it.
    """

    what = "budget"


class TimeBudgetExceeded(BudgetExceeded):
    what = "time"


class MemoryBudgetExceeded(BudgetExceeded):
    what = "memory"


def resident_bytes() -> int:
    """The process's resident set size now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


@contextmanager
def within(seconds: float, memory_bytes: int) -> Iterator[None]:
    """Run the block; raise TimeBudgetExceeded or MemoryBudgetExceeded inside it when it goes
    over `seconds` of wall time or grows resident memory by more than `memory_bytes`."""
    target = threading.get_ident()
    done = threading.Event()
    fired = threading.Event()
    start, baseline = time.monotonic(), resident_bytes()

    def watch() -> None:
        while not done.wait(WATCH_INTERVAL):
            over: type[BudgetExceeded] | None = None
            if time.monotonic() - start > seconds:
                over = TimeBudgetExceeded
            elif resident_bytes() - baseline > memory_bytes:
                over = MemoryBudgetExceeded
            if over is not None:
                fired.set()
                _raise_in(target, over)
                return

    watchdog = threading.Thread(target=watch, name="newsdesk-budget", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()
        if fired.is_set():
            # The exception may still be pending if the block ended just as the watchdog fired:
            # clear it, so that it cannot go off later in code that has no budget.
            _raise_in(target, None)


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )
