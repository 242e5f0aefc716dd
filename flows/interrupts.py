"""SIGINT and SIGTERM end a run cleanly: one exception, raised where the run is, never mid-commit.

`handled()` installs a handler for both signals (in the main thread; elsewhere it does nothing,
as Python runs handlers only there) that raises Interrupted, a BaseException like
KeyboardInterrupt, so the stages' `except Exception` handlers let it through and Prefect marks
the flow run crashed. The commit point (the index write and the swap of `current`) runs inside
`deferred()`: a signal that arrives there is held until the swap is done and then raised with
`committed=True`, so the caller can say truthfully whether the run's rows are in the warehouse.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A run was stopped by a signal; `exit_code` is the shell's 128 + signal number."""

    def __init__(self, signum: int, *, committed: bool = False) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.committed = committed

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_held: list[int] = []  # signals that arrived inside deferred(), in order
_depth = [0]  # how many deferred() blocks are open


def _handler(signum: int, frame: FrameType | None) -> None:
    del frame
    if _depth[0]:
        _held.append(signum)
        return
    raise Interrupted(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into Interrupted for the block; the previous handlers come back
    after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold Interrupted back for the block (the commit point); raise it when the block is done,
    marked committed."""
    _depth[0] += 1
    held: list[int] = []
    try:
        yield
    finally:
        _depth[0] -= 1
        if not _depth[0]:
            held, _held[:] = list(_held), []
    if held:  # the block finished: the commit it protected is done
        raise Interrupted(held[0], committed=True)
