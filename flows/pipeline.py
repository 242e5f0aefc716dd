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
from flows.stories import sign_story

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
    dropped, and the batch goes on with the next. Every document is parsed first; then the
    model finds the entity spans of all of them in one stream (it works faster on larger
    batches), and the parser parses their paragraphs with quotes in another, each stream
    within one document's budget, else each document's are made in its own stage; then each
    document's entities and quotes are resolved within what its budget has left."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "hash"):
        digests = [content_hash(raw.data) for raw in raws]
        held = known([d[:DOC_ID_HEX] for d in digests]) if known is not None else frozenset()
    seen = tuple(InputSeen(raw.stat, d) for raw, d in zip(raws, digests, strict=True) if raw.stat)
    todo = [(raw, d) for raw, d in zip(raws, digests, strict=True) if d[:DOC_ID_HEX] not in held]
    if todo:
        _load_models(settings, nlp_provider, seconds)
    rejects: list[Reject] = []
    parsed: list[tuple[RawDocument, str, DocumentResult]] = []
    left: list[float] = []  # seconds of each parsed document's time budget left for its NLP
    for raw, digest in todo:
        work = _parser(raw, digest, seconds)
        start = time.perf_counter()
        found = _guarded(raw, digest, settings, rejects, stage="parse", work=work)
        if found is not None:
            parsed.append((raw, digest, found))
            left.append(settings.doc_time_budget_seconds - (time.perf_counter() - start))
    results: list[DocumentResult | None] = [found for _, _, found in parsed]
    if parsed and (settings.extract_entities or settings.extract_quotes):
        nlp = nlp_provider(settings.nlp_pipeline)
        # An unknown language (too little text, or an unsure guess) is tried; a known other
        # one is not.
        tried = [
            position
            for position, (_, _, found) in enumerate(parsed)
            if found.document.meta.language in {str(nlp.lang), None}
        ]
        mentions = _batch_mentions([parsed[p][2] for p in tried], settings, nlp, seconds)
        quote_parses = _batch_parses([parsed[p][2] for p in tried], settings, nlp, seconds)
        for i, position in enumerate(tried):
            raw, digest, found = parsed[position]
            # the document's parses go with its stage: each is let go once it is attributed
            own_parses, quote_parses[i] = quote_parses[i], None
            work = _extractor(
                found, settings, nlp, seconds, mentions=mentions[i], parses=own_parses
            )
            del own_parses
            results[position] = _guarded(
                raw, digest, settings, rejects, stage="nlp", work=work, time_left=left[position]
            )
    done = tuple(result for result in results if result is not None)
    return BatchResult(done, tuple(rejects), len(raws) - len(todo), seen, seconds)


def _guarded(
    raw: RawDocument,
    digest: str,
    settings: Settings,
    rejects: list[Reject],
    *,
    stage: str,
    work: Callable[[], DocumentResult],
    time_left: float | None = None,
) -> DocumentResult | None:
    """`work` for one document under its budget of time (or what `time_left` of it its earlier
    stages left) and memory; None, with a reject appended, when it goes over it or fails."""
    memory = settings.doc_memory_budget_mb * _MIB
    seconds = settings.doc_time_budget_seconds if time_left is None else max(time_left, 0.0)
    try:
        with budget.within(seconds, memory):
            return work()
    except BudgetExceeded as exc:
        rejects.append(Reject(raw.uri, "too_complex", _over(exc, settings), stage, digest))
    except RejectError as exc:
        rejects.append(Reject(raw.uri, exc.reason, str(exc), exc.stage, digest))
    except Exception as exc:  # one bad input must never stop the batch
        rejects.append(Reject(raw.uri, "internal_error", _describe(exc), stage, digest))
    return None


def _parser(
    raw: RawDocument, digest: str, seconds: dict[str, float]
) -> Callable[[], DocumentResult]:
    def parse() -> DocumentResult:
        with _timed(seconds, "parse"):
            doc = parse_document(raw, digest=digest)
            sections = split_sections(doc)
        with _timed(seconds, "stories"):
            signature = sign_story(doc)
        return DocumentResult(doc, sections, signature=signature)

    return parse


def _extractor(
    found: DocumentResult,
    settings: Settings,
    nlp: Any,
    seconds: dict[str, float],
    *,
    mentions: list[Any] | None,
    parses: Any | None,
) -> Callable[[], DocumentResult]:
    def extract() -> DocumentResult:
        entities, quotes = _run_nlp(
            found.document,
            found.sections,
            settings,
            nlp,
            seconds,
            mentions=mentions,
            parses=parses,
        )
        return dataclasses.replace(found, entities=entities, quotes=quotes)

    return extract


def _batch_mentions(
    found: Sequence[DocumentResult], settings: Settings, nlp: Any, seconds: dict[str, float]
) -> list[list[Any] | None]:
    """The model's entity spans of every document in one nlp.pipe stream (the model works
    faster on larger batches: about 16% on news), or None for each when that goes over one
    document's budget or fails, so that each document is then run alone under its own budget
    (and a failure is its document's reject)."""
    if not settings.extract_entities or len(found) < 2:  # noqa: PLR2004 - a batch of one is alone
        return [None] * len(found)
    from flows.entities import find_entity_mentions  # noqa: PLC0415 - spaCy only when needed

    memory = settings.doc_memory_budget_mb * _MIB
    try:
        with _timed(seconds, "entities"), budget.within(settings.doc_time_budget_seconds, memory):
            return list(find_entity_mentions([f.document for f in found], nlp))
    except (BudgetExceeded, Exception):
        return [None] * len(found)


def _batch_parses(
    found: Sequence[DocumentResult], settings: Settings, nlp: Any, seconds: dict[str, float]
) -> list[Any | None]:
    """The quote parses of the documents in one nlp.pipe stream (the parser, too, works faster
    on larger batches), as far as PARSE_HELD_MAX_CHARS of text to parse allow, within one
    document's budget; None for a document left out, or for each when the stream goes over
    the budget or fails: such a document's parses stream in its own stage."""
    if not settings.extract_quotes or len(found) < 2:  # noqa: PLR2004 - a batch of one is alone
        return [None] * len(found)
    from flows.quotes import PARSE_HELD_MAX_CHARS, parse_quotes  # noqa: PLC0415 - spaCy

    memory = settings.doc_memory_budget_mb * _MIB
    try:
        with _timed(seconds, "quotes"), budget.within(settings.doc_time_budget_seconds, memory):
            documents = [f.document for f in found]
            return list(parse_quotes(documents, nlp, max_chars=PARSE_HELD_MAX_CHARS))
    except (BudgetExceeded, Exception):
        return [None] * len(found)


def _load_models(settings: Settings, nlp_provider: NlpProvider, seconds: dict[str, float]) -> None:
    """Load the models before the first document, outside its budget: the language identifier
    in a background thread while the spaCy pipeline loads here (each once per process)."""
    detect_language_warm_up()
    if settings.extract_entities or settings.extract_quotes:
        with _timed(seconds, "load_model"):
            nlp_provider(settings.nlp_pipeline)


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
    *,
    mentions: list[Any] | None = None,
    parses: Any | None = None,
) -> tuple[tuple[Entity, ...], tuple[Quote, ...]]:
    from flows.entities import extract_entities  # noqa: PLC0415 - spaCy loads only when needed
    from flows.quotes import extract_quotes  # noqa: PLC0415

    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    with _timed(seconds, "entities"):
        if settings.extract_entities:
            if mentions is None:
                entities = extract_entities([doc], [sections], nlp)[0]
            else:
                entities = extract_entities([doc], [sections], nlp, mentions=[mentions])[0]
    with _timed(seconds, "quotes"):
        if settings.extract_quotes:
            held = None if parses is None else [parses]
            quotes = extract_quotes([doc], [sections], [entities], nlp, parses=held)[0]
    return entities, quotes


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
