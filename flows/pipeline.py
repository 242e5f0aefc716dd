"""Compose the stages for one batch of documents: parse, normalize, split, extract (pure)."""

from __future__ import annotations

import dataclasses
import hashlib
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flows.assemble import assemble_document
from flows.decode import decode_bytes
from flows.errors import RejectError
from flows.language import detect_language
from flows.plaintext import parse_plaintext
from flows.records import (
    BatchResult,
    DocumentResult,
    Draft,
    InputSeen,
    ParsedDocument,
    RawDocument,
    Reject,
    Section,
)
from flows.sections import split_sections
from flows.settings import Settings

NlpProvider = Callable[[str], Any]  # pipeline name -> spaCy Language (cached per process)
KnownIds = Callable[[Sequence[str]], frozenset[str]]  # doc_ids -> those already committed


# A document is its bytes: the same bytes get the same id on every run and every machine, and an
# edited article (different bytes, same source_uri) becomes a new, traceable version. 128 bits
# of the SHA-256: collisions are out of reach for any archive.
DOC_ID_HEX = 32


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_document(raw: RawDocument, *, digest: str | None = None) -> ParsedDocument:
    """Bytes -> normalized document with blocks and metadata. Raises RejectError.

    `digest` is content_hash(raw.data) when the caller already has it (the bytes are hashed once).
    """
    digest = content_hash(raw.data) if digest is None else digest
    draft: Draft
    if raw.media_type == "text/html":
        from flows.html import parse_html  # noqa: PLC0415 - keeps text-only runs light

        draft = parse_html(raw.data)
    else:
        text, encoding = decode_bytes(raw.data)
        draft = parse_plaintext(text, encoding=encoding)
    doc = assemble_document(
        draft,
        doc_id=digest[:DOC_ID_HEX],
        source_uri=raw.uri,
        media_type=raw.media_type,
        content_hash=digest,
    )
    if not any(b.kind in {"paragraph", "heading"} for b in doc.blocks):
        reason = "empty" if raw.media_type == "text/plain" else "no_article"
        raise RejectError("no body text left after normalization", reason=reason)
    language = doc.meta.language or detect_language(doc.text)
    return dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, language=language))


def process_batch(
    raws: Sequence[RawDocument],
    settings: Settings,
    nlp_provider: NlpProvider,
    *,
    known: KnownIds | None = None,
) -> BatchResult:
    """Run every stage over a batch; each input ends as a DocumentResult or a Reject, except
    inputs whose doc_id `known` says the warehouse already holds, which are only counted."""
    parsed: list[tuple[ParsedDocument, tuple[Section, ...]]] = []
    rejects: list[Reject] = []
    seconds: dict[str, float] = {}
    with _timed(seconds, "hash"):
        digests = [content_hash(raw.data) for raw in raws]
        held = known([d[:DOC_ID_HEX] for d in digests]) if known is not None else frozenset()
    seen = tuple(InputSeen(raw.stat, d) for raw, d in zip(raws, digests, strict=True) if raw.stat)
    skipped = 0
    with _timed(seconds, "parse"):
        for raw, digest in zip(raws, digests, strict=True):
            if digest[:DOC_ID_HEX] in held:
                skipped += 1
                continue
            try:
                doc = parse_document(raw, digest=digest)
                parsed.append((doc, split_sections(doc)))
            except RejectError as exc:
                rejects.append(Reject(raw.uri, exc.reason, str(exc), exc.stage, digest))
            except Exception as exc:  # one bad input must never stop the batch
                rejects.append(Reject(raw.uri, "internal_error", _describe(exc), "parse", digest))
    results = _extract(parsed, settings, nlp_provider, rejects, seconds)
    return BatchResult(tuple(results), tuple(rejects), skipped, seen, seconds)


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to `seconds[stage]` (figures for the run's artifact)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def _extract(
    parsed: list[tuple[ParsedDocument, tuple[Section, ...]]],
    settings: Settings,
    nlp_provider: NlpProvider,
    rejects: list[Reject],
    seconds: dict[str, float],
) -> list[DocumentResult]:
    if not (settings.extract_entities or settings.extract_quotes) or not parsed:
        return [DocumentResult(doc, sections) for doc, sections in parsed]
    with _timed(seconds, "load_model"):
        nlp = nlp_provider(settings.nlp_pipeline)
    covered = {str(nlp.lang)}
    # An unknown language (too little text, or an unsure guess) is tried; a known other one is not.
    nlp_docs = [(d, s) for d, s in parsed if d.meta.language in covered or d.meta.language is None]
    try:
        extracted = _run_nlp(nlp_docs, settings, nlp, seconds)
    except Exception:  # isolate the failing document, keep the others
        extracted = {}
        for pair in nlp_docs:
            try:
                extracted.update(_run_nlp([pair], settings, nlp, seconds))
            except Exception as exc:
                doc = pair[0]
                rejects.append(
                    Reject(
                        doc.source_uri, "internal_error", _describe(exc), "nlp", doc.content_hash
                    )
                )
                extracted[doc.doc_id] = None
    results = []
    for doc, sections in parsed:
        found = extracted.get(doc.doc_id, ((), ()))
        if found is None:
            continue
        results.append(DocumentResult(doc, sections, found[0], found[1]))
    return results


def _run_nlp(
    pairs: list[tuple[ParsedDocument, tuple[Section, ...]]],
    settings: Settings,
    nlp: Any,
    seconds: dict[str, float],
) -> dict[str, Any]:
    from flows.entities import extract_entities  # noqa: PLC0415 - spaCy loads only when needed
    from flows.quotes import extract_quotes  # noqa: PLC0415

    docs = [d for d, _ in pairs]
    sections = [s for _, s in pairs]
    with _timed(seconds, "entities"):
        entities = (
            extract_entities(docs, sections, nlp) if settings.extract_entities else [()] * len(docs)
        )
    with _timed(seconds, "quotes"):
        quotes = (
            extract_quotes(docs, sections, entities, nlp)
            if settings.extract_quotes
            else [()] * len(docs)
        )
    return {d.doc_id: (e, q) for d, e, q in zip(docs, entities, quotes, strict=True)}


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
