"""The one exception tree of newsdesk; each error carries its context.

::

    NewsdeskError                  base; .context holds path / doc_id / stage
    ├── RejectError                terminal for one input: becomes a `rejects` row (has .reason)
    │   ├── DecodeError            empty, binary or undecodable bytes
    │   ├── ParseError             no article text could be found, hostile or malformed markup
    │   └── SourceError            unreadable, missing, too large, malformed gzip
    ├── UsageError                 bad CLI arguments or settings (exit code 2)
    ├── SchemaError                schemas/ files and code disagree (a bug, never input's fault)
    ├── WarehouseError             the warehouse cannot be written (I/O, or a foreign layout)
    └── ClusterError               a Dask cluster cannot be reached, or its workers cannot run
                                   the run (another newsdesk, or the files out of their sight)
"""

from __future__ import annotations

from typing import Any

# Reject reason codes, stable for analysts to GROUP BY.
REJECT_REASONS: dict[str, str] = {
    "empty": "the input holds no text",
    "binary": "the input is binary data (an image, archive, PDF, ...), not text",
    "undecodable": "the bytes are not valid in any text encoding we could identify",
    "too_large": "the input exceeds the configured size limit",
    "unreadable": "the input could not be read (missing, permission denied, I/O error)",
    "no_article": "no article text could be found in the page",
    "malformed": "the markup could not be parsed",
    "too_complex": "the document went over its budget of time or memory (settings say which)",
    "internal_error": "a bug in newsdesk; the detail names it",
}


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.context = context

    def describe(self) -> str:
        """The message with its context, for a person reading one line on stderr."""
        if not self.context:
            return str(self)
        where = ", ".join(f"{key}={value}" for key, value in sorted(self.context.items()))
        return f"{self} ({where})"


class RejectError(NewsdeskError):
    """An input cannot be ingested; terminal for that input only."""

    reason = "internal_error"
    stage = "pipeline"

    def __init__(self, message: str, *, reason: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        if reason is not None:
            if reason not in REJECT_REASONS:
                raise ValueError(f"unknown reject reason {reason!r}")
            self.reason = reason


class DecodeError(RejectError):
    reason = "undecodable"
    stage = "decode"


class ParseError(RejectError):
    reason = "no_article"
    stage = "parse"


class SourceError(RejectError):
    reason = "unreadable"
    stage = "read"


class UsageError(NewsdeskError):
    """Bad arguments or settings; the CLI exits with code 2."""


class SchemaError(NewsdeskError):
    """schemas/ and the code disagree."""


class WarehouseError(NewsdeskError):
    """The warehouse cannot be written."""


class ClusterError(NewsdeskError):
    """The Dask cluster a run was sent to cannot run it; nothing of the run is committed."""
