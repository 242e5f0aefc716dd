"""Find input files (paths, directories, globs) and read them into RawDocuments, within limits."""

from __future__ import annotations

import glob
import logging
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.errors import NewsdeskError, SourceError, UsageError
from flows.records import InputStat, RawDocument, Reject
from flows.words import MEDIA_SNIFF_BYTES

_log = logging.getLogger(__name__)
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A file to ingest: its path as the user wrote it (or as found under a given directory),
    and, for a process with another working directory (a Dask worker), where to read it."""

    uri: str
    path: str | None = None  # an absolute path to read instead of `uri`; never in a row


def discover_sources(args: Sequence[str], *, empty_ok: bool = False) -> tuple[SourceRef, ...]:
    """Expand files, directories (recursively, hidden entries skipped) and globs, in sorted order.

    Raises UsageError when an argument names nothing at all, because that is a typo, not input;
    with `empty_ok`, an existing directory that holds no file is no error (a watched inbox).
    """
    found: dict[str, None] = {}
    for arg in args:
        matches = _expand(arg)
        if not matches and not (empty_ok and os.path.isdir(arg)):
            raise UsageError(f"no such file, directory or glob match: {arg}", path=arg)
        found.update(dict.fromkeys(matches))
    return tuple(SourceRef(uri) for uri in found)


def _expand(arg: str) -> list[str]:
    if os.path.isdir(arg):
        return _walk(arg)
    if os.path.lexists(arg):
        return [arg]
    if glob.has_magic(arg):
        out: list[str] = []
        for match in sorted(glob.glob(arg, recursive=True)):
            out.extend(_walk(match) if os.path.isdir(match) else [match])
        return out
    return []


def _walk(root: str) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames) if not f.startswith("."))
    return out


class InputChangingError(NewsdeskError):
    """An input's size or modification time changed while it was read (a writer is still at
    it): it is left alone this run and read on the next one, whole."""


def read_source(ref: SourceRef, *, max_bytes: int) -> RawDocument:
    """Read one file, gunzipping `.gz` within the same size bound. Raises SourceError."""
    path = Path(ref.path or ref.uri)
    try:
        info = path.stat()
        size = info.st_size
        if not path.is_file():
            raise SourceError(f"not a regular file: {ref.uri}", reason="unreadable", path=ref.uri)
        if size > max_bytes:
            raise SourceError(
                f"{size} bytes, over the {max_bytes}-byte limit", reason="too_large", path=ref.uri
            )
        data = path.read_bytes()
        after = path.stat()
    except OSError as exc:
        raise SourceError(
            f"cannot read {ref.uri}: {exc.strerror or exc}", reason="unreadable", path=ref.uri
        ) from exc
    if (after.st_size, after.st_mtime_ns) != (size, info.st_mtime_ns):
        raise InputChangingError(f"{ref.uri} changed while it was read", path=ref.uri)
    name = path.name.lower()
    if name.endswith(".gz"):
        data = _gunzip(data, max_bytes=max_bytes, uri=ref.uri)
        name = name[: -len(".gz")]
    stat = InputStat(ref.uri, size, info.st_mtime_ns)
    return RawDocument(uri=ref.uri, data=data, media_type=_media_type(name, data), stat=stat)


def stat_sources(refs: Sequence[SourceRef]) -> list[InputStat]:
    """Size and modification time of each input that can be stat'ed, without reading it (an
    input that cannot is left out: reading it will say why, as a reject)."""
    stats: list[InputStat] = []
    for ref in refs:
        try:
            info = os.stat(ref.uri)
        except OSError:
            continue
        stats.append(InputStat(ref.uri, info.st_size, info.st_mtime_ns))
    return stats


def _gunzip(data: bytes, *, max_bytes: int, uri: str) -> bytes:
    # Bounded decompression: a 10 KB gzip bomb must not become 10 GB in memory.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise SourceError(f"corrupt gzip data: {exc}", reason="malformed", path=uri) from exc
    if len(out) > max_bytes:
        raise SourceError(
            f"decompresses to more than the {max_bytes}-byte limit", reason="too_large", path=uri
        )
    if not inflater.eof:
        raise SourceError("truncated gzip data", reason="malformed", path=uri)
    return out


def _media_type(name: str, data: bytes) -> str:
    if name.endswith(_HTML_SUFFIXES):
        return "text/html"
    if name.endswith(_TEXT_SUFFIXES):
        return "text/plain"
    head = data[:MEDIA_SNIFF_BYTES].lstrip().lower()
    return "text/html" if head.startswith(_HTML_SNIFF) else "text/plain"


def iter_batches(refs: Sequence[SourceRef], size: int) -> Iterable[tuple[SourceRef, ...]]:
    """Consecutive batches of at most `size` refs."""
    for start in range(0, len(refs), size):
        yield tuple(refs[start : start + size])


def read_sources(
    refs: Sequence[SourceRef], *, max_bytes: int
) -> tuple[list[RawDocument], list[Reject]]:
    """Read a batch; an input that cannot be read becomes a Reject, never an exception, and one
    that changes while it is read is left for the next run."""
    raws: list[RawDocument] = []
    rejects: list[Reject] = []
    for ref in refs:
        try:
            raws.append(read_source(ref, max_bytes=max_bytes))
        except InputChangingError as exc:
            # Still being written: neither rows nor a reject now; the next run reads it whole.
            _log.warning("%s; left for the next run", exc)
        except SourceError as exc:
            rejects.append(Reject(ref.uri, exc.reason, str(exc), exc.stage))
    return raws, rejects
