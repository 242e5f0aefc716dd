"""Compose the stages for one batch of documents: parse, normalize, split, extract (pure)."""

from __future__ import annotations

import dataclasses
import hashlib
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flows import budget
from flows.assemble import assemble_document
from flows.budget import BudgetExceeded, MemoryBudgetExceeded
from flows.decode import decode_bytes
from flows.errors import RejectError
from flows.language import detect_language
from flows.language import warm_up as detect_language_warm_up
from flows.plaintext import parse_plaintext
from flows.records import (
    BatchResult,
    DocumentResult,
    Draft,
    Entity,
    InputSeen,
    ParsedDocument,
    Quote,
    RawDocument,
    Reject,
    Section,
)
from flows.sections import split_sections
from flows.settings import Settings

NlpProvider = Callable[[str], Any]  # pipeline name -> spaCy Language (cached per process)
_MIB = 1024 * 1024
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
    inputs whose doc_id `known` says the warehouse already holds, which are only counted.

    Each document goes through all its stages under its own budget of time and memory (see
    flows.budget): one that goes over it becomes a `too_complex` reject, its partial rows are
    dropped, and the batch goes on with the next."""
    results: list[DocumentResult] = []
    rejects: list[Reject] = []
    seconds: dict[str, float] = {}
    with _timed(seconds, "hash"):
        digests = [content_hash(raw.data) for raw in raws]
        held = known([d[:DOC_ID_HEX] for d in digests]) if known is not None else frozenset()
    seen = tuple(InputSeen(raw.stat, d) for raw, d in zip(raws, digests, strict=True) if raw.stat)
    skipped = 0
    memory = settings.doc_memory_budget_mb * _MIB
    if any(digest[:DOC_ID_HEX] not in held for digest in digests):
        _load_models(settings, nlp_provider, seconds)
    for raw, digest in zip(raws, digests, strict=True):
        if digest[:DOC_ID_HEX] in held:
            skipped += 1
            continue
        step = ["parse"]  # the stage running when something goes wrong, for the reject
        try:
            with budget.within(settings.doc_time_budget_seconds, memory):
                result = _one_document(
                    raw,
                    digest,
                    settings=settings,
                    nlp_provider=nlp_provider,
                    seconds=seconds,
                    step=step,
                )
        except BudgetExceeded as exc:
            rejects.append(Reject(raw.uri, "too_complex", _over(exc, settings), step[0], digest))
        except RejectError as exc:
            rejects.append(Reject(raw.uri, exc.reason, str(exc), exc.stage, digest))
        except Exception as exc:  # one bad input must never stop the batch
            rejects.append(Reject(raw.uri, "internal_error", _describe(exc), step[0], digest))
        else:
            if result is not None:
                results.append(result)
    return BatchResult(tuple(results), tuple(rejects), skipped, seen, seconds)


def _load_models(settings: Settings, nlp_provider: NlpProvider, seconds: dict[str, float]) -> None:
    """Load the models before the first document, outside its budget: the language identifier
    in a background thread while the spaCy pipeline loads here (each once per process)."""
    detect_language_warm_up()
    if settings.extract_entities or settings.extract_quotes:
        with _timed(seconds, "load_model"):
            nlp_provider(settings.nlp_pipeline)


def _one_document(
    raw: RawDocument,
    digest: str,
    *,
    settings: Settings,
    nlp_provider: NlpProvider,
    seconds: dict[str, float],
    step: list[str],
) -> DocumentResult | None:
    with _timed(seconds, "parse"):
        doc = parse_document(raw, digest=digest)
        sections = split_sections(doc)
    if not (settings.extract_entities or settings.extract_quotes):
        return DocumentResult(doc, sections)
    step[0] = "nlp"
    with _timed(seconds, "load_model"):
        nlp = nlp_provider(settings.nlp_pipeline)
    # An unknown language (too little text, or an unsure guess) is tried; a known other one is not.
    if doc.meta.language not in {str(nlp.lang), None}:
        return DocumentResult(doc, sections)
    entities, quotes = _run_nlp(doc, sections, settings, nlp, seconds)
    return DocumentResult(doc, sections, entities, quotes)


def _over(exc: BudgetExceeded, settings: Settings) -> str:
    if isinstance(exc, MemoryBudgetExceeded):
        limit = f"{settings.doc_memory_budget_mb} MiB of memory (NEWSDESK_DOC_MEMORY_BUDGET_MB)"
    else:
        limit = f"{settings.doc_time_budget_seconds} s (NEWSDESK_DOC_TIME_BUDGET_SECONDS)"
    return f"over its budget of {limit}"


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to `seconds[stage]` (figures for the run's artifact)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def _run_nlp(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    settings: Settings,
    nlp: Any,
    seconds: dict[str, float],
) -> tuple[tuple[Entity, ...], tuple[Quote, ...]]:
    from flows.entities import extract_entities  # noqa: PLC0415 - spaCy loads only when needed
    from flows.quotes import extract_quotes  # noqa: PLC0415

    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    with _timed(seconds, "entities"):
        if settings.extract_entities:
            entities = extract_entities([doc], [sections], nlp)[0]
    with _timed(seconds, "quotes"):
        if settings.extract_quotes:
            quotes = extract_quotes([doc], [sections], [entities], nlp)[0]
    return entities, quotes


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
