"""Headless Chromium driven over the DevTools protocol on a pipe, for the report's browser test.

`--remote-debugging-pipe` makes Chromium read commands on fd 3 and write replies and events on
fd 4, as NUL-terminated JSON: no port, no network, no client library.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium")
TIMEOUT_SECONDS = 60.0


@dataclass
class Page:
    """One page of a headless Chromium: commands and the console errors seen so far."""

    process: subprocess.Popen[bytes]
    send_fd: int
    recv_fd: int
    session: str = ""
    errors: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    _buffer: bytes = b""
    _next_id: int = 0

    def command(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.send_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def wait_for(self, event: str) -> dict[str, Any]:
        for seen in self.events:
            if seen["method"] == event:
                return seen
        while True:
            message = self._read()
            if message.get("method") == event:
                return message

    def evaluate(self, expression: str) -> Any:
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        shot = self.command("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.recv_fd], [], [], max(0.0, remaining))
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self.recv_fd, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        self._record(message)
        return message

    def _record(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            return
        self.events.append(message)
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            self.errors.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            self.errors.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')}")


@contextmanager
def open_page(url: str, profile: Path) -> Iterator[Page]:
    """Chromium (headless, no sandbox, no GPU) with `url` loaded and its console watched."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed: run `make chromium` (as root)")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    # Chromium's ends, moved above 4 first, so that putting one on 3 cannot close the other.
    child_read = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
    child_write = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)

    def pipes_on_3_and_4() -> None:
        os.dup2(child_read, 3)
        os.dup2(child_write, 4)

    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--window-size=1100,900",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=pipes_on_3_and_4,  # noqa: PLW1509 - the child is exec'd right after; no threads
        close_fds=False,
    )
    for fd in (to_chrome_r, from_chrome_w, child_read, child_write):
        os.close(fd)
    page = Page(process, to_chrome_w, from_chrome_r)
    try:
        target = page.command("Target.createTarget", url="about:blank")["targetId"]
        page.session = page.command("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            page.command(f"{domain}.enable")
        page.events.clear()  # a load event of about:blank must not count as the page's
        page.command("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired")
        yield page
    finally:
        with suppress(RuntimeError, TimeoutError, OSError):
            page.command("Browser.close", session=False)
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(to_chrome_w)
        os.close(from_chrome_r)
