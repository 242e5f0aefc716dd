"""Extract quotations with their speakers and cues, linked to the entities of their document.

Per document: quote marks are paired per block (flows.quotes.marks), quotes that run over several
paragraphs are chained, only the blocks holding quote marks go through the spaCy parser (NER off;
plus a paragraph ending in a colon right before one, which names the speaker), speakers are found
in the parse (flows.quotes.attribution), shared by the fragments of one statement, and resolved and
linked to the entities table (flows.quotes.speakers). Kinds: direct (a full statement), partial (a
fragment inside the writer's sentence), and, for analysts to filter, title, scare (no speaker),
headline and nested (a quote inside a quote).

The parses of a batch of documents are made in one stream (parse_quotes: the parser works
faster on larger batches) and held, without their embedding tensors, until each document is
attributed, as far as words.PARSE_HELD_MAX_CHARS of text allow. Past that, and whenever
extract_quotes is called without them, the parses stream: each paragraph's parse is made in
batches of bounded size, used to attribute that paragraph, then dropped, so a document's
quotes never hold all its parses at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from flows.nlp import char_batches
from flows.quotes.annotate import annotate, disabled_for_parse, lemmatizer, rule_attributes
from flows.quotes.attribution import attribute_intro
from flows.quotes.chains import (
    Paragraph,
    block_text,
    kept_indexes,
    open_index,
    outer_spans,
    paragraphs,
)
from flows.quotes.entity_index import EntityIndex
from flows.quotes.kinds import is_statement, quote_kind
from flows.quotes.marks import MarkedSpan
from flows.quotes.speakers import Speaker, dash_speaker, resolve_speaker
from flows.quotes.windows import (
    ParseWindow,
    attribute_windows,
    quoting_windows,
    shifted,
    window_bounds,
)
from flows.quotes.words import PARSE_BATCH_MAX_CHARS, PARSE_BATCH_SIZE
from flows.records import Block, Entity, ParsedDocument, Quote, Section
from flows.sections import section_index_at, section_starts

# A text to parse: the paragraph it serves, "self" (its own text) or "intro" (the paragraph
# before it), and the window's [start, end) in the paragraph parsed.
_Job = tuple[Paragraph, str, int, int]
# What a held parse keeps of its embedding tensor: nothing (about 384 bytes a token otherwise).
_NO_TENSOR = np.zeros((0, 0), dtype="float32")


def extract_quotes(
    docs: Sequence[ParsedDocument],
    sections: Sequence[tuple[Section, ...]],
    entities: Sequence[tuple[Entity, ...]],
    nlp: Any,
    *,
    parses: Sequence[QuoteParses] | None = None,
) -> list[tuple[Quote, ...]]:
    """Quotes of every document, in text order; the parser runs only where there are quotes.

    `parses` are the documents' parses when parse_quotes already made them (in a larger stream
    of documents); without them, the parses stream through this call, a few at a time."""
    if parses is None:
        paras_by_doc = [paragraphs(doc) for doc in docs]
        jobs = [
            (doc, job)
            for doc, paras in zip(docs, paras_by_doc, strict=True)
            for job in _parse_jobs(doc, paras)
        ]
        stream = _Parses(zip((job for _, job in jobs), _parse(nlp, docs=jobs), strict=True))
        streams = [stream] * len(docs)
    else:
        if len(parses) != len(docs):
            raise ValueError(f"{len(docs)} documents but {len(parses)} parses")
        paras_by_doc = [found.paras for found in parses]
        streams = [_Parses(iter(found.parsed)) for found in parses]
    return [
        _document_quotes(doc, secs, EntityIndex(ents), paras, stream)
        for doc, secs, ents, paras, stream in zip(
            docs, sections, entities, paras_by_doc, streams, strict=True
        )
    ]


@dataclass(frozen=True, slots=True)
class QuoteParses:
    """One document's paragraphs with quote marks and the parses made for them (parse_quotes),
    for extract_quotes(parses=...). Used once: attribution works on the paragraphs in place."""

    paras: list[Paragraph]
    parsed: list[tuple[_Job, Any]]


def parse_quotes(
    docs: Sequence[ParsedDocument], nlp: Any, *, max_chars: int
) -> list[QuoteParses | None]:
    """The parses of the documents' paragraphs with quotes, in one nlp.pipe stream: the parser
    works faster on larger batches, and a parse does not depend on the texts batched with it.
    The parses are held until the call returns (without the embedding tensors, which
    attribution does not read), so a document is taken only if its texts to parse, with those
    of the documents taken before it, come to at most `max_chars`; one that does not fit gets
    None (extract_quotes then streams its parses)."""
    found: list[QuoteParses | None] = []
    jobs: list[tuple[ParsedDocument, _Job]] = []
    owners: list[QuoteParses] = []
    chars = 0
    for doc in docs:
        paras = paragraphs(doc)
        doc_jobs = list(_parse_jobs(doc, paras))
        size = sum(len(_job_text(doc, job)) for job in doc_jobs)
        if chars + size > max_chars:
            found.append(None)
            continue
        chars += size
        held = QuoteParses(paras, [])
        found.append(held)
        owners += [held] * len(doc_jobs)
        jobs += [(doc, job) for job in doc_jobs]
    for held, (_, job), window in zip(owners, jobs, _parse(nlp, docs=jobs), strict=True):
        window.tensor = _NO_TENSOR
        held.parsed.append((job, window))
    return found


def _parse(nlp: Any, *, docs: Sequence[tuple[ParsedDocument, _Job]]) -> Iterator[Any]:
    """The parse of each job's text, in order, made in bounded batches."""
    texts = (_job_text(doc, job) for doc, job in docs)
    attributes = rule_attributes(nlp)
    disabled = disabled_for_parse(nlp, attributes)
    return (
        window if attributes is None else annotate(window, attributes, lemmatizer(nlp))
        for group in char_batches(texts, PARSE_BATCH_SIZE, PARSE_BATCH_MAX_CHARS)
        for window in nlp.pipe(group, batch_size=PARSE_BATCH_SIZE, disable=disabled)
    )


def _prev(doc: ParsedDocument, para: Paragraph) -> Block:
    return doc.blocks[para.index - 1]


def _parse_jobs(doc: ParsedDocument, paras: list[Paragraph]) -> Iterator[_Job]:
    """Each paragraph with quotes, window by window; and, the one exception, the last window of
    a paragraph without quote marks that ends in a colon right before one ("Trump said in a
    statement:"), since it names the speaker."""
    for para in paras:
        bounds = window_bounds(block_text(doc, para.block), para.spans)
        for start, end in quoting_windows(bounds, para.spans):
            yield para, "self", start, end
        if para.index == 0 or para.block.kind != "paragraph" or para.continues:
            continue
        prev = _prev(doc, para)
        text = block_text(doc, prev)
        if prev.kind == "paragraph" and text.rstrip().endswith(":"):
            yield (para, "intro", *window_bounds(text)[-1])


def _job_text(doc: ParsedDocument, job: _Job) -> str:
    para, kind, start, end = job
    block = para.block if kind == "self" else _prev(doc, para)
    return doc.text[block.start + start : block.start + end]


class _Parses:
    """The parse stream, handed out paragraph by paragraph in the order the jobs were made."""

    def __init__(self, stream: Iterator[tuple[_Job, Any]]) -> None:
        self._stream = stream
        self._next = next(self._stream, None)

    def attach(self, para: Paragraph) -> None:
        """Give `para` its windows and intro, the parses made for it."""
        windows: list[ParseWindow] = []
        while self._next is not None and self._next[0][0] is para:
            (_, kind, start, end), doc = self._next
            if kind == "self":
                windows.append(ParseWindow(start, end, doc))
            else:
                para.intro = ParseWindow(start, end, doc)
            self._next = next(self._stream, None)
        para.windows = tuple(windows)


def _document_quotes(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    entities: EntityIndex,
    paras: list[Paragraph],
    parses: _Parses,
) -> tuple[Quote, ...]:
    history: dict[int, list[Speaker]] = {}  # speakers of every attributed quote, by block
    previous: Paragraph | None = None
    for para in paras:
        parses.attach(para)
        _attribute_paragraph(doc, entities, para, previous, history)
        para.windows, para.intro = (), None  # the parses are done with
        previous = para
    for later, earlier in zip(reversed(paras[1:]), reversed(paras[:-1]), strict=True):
        if later.continues and later.speakers and later.speakers[0] is not None:
            # a run-on quote's speaker, named in a later paragraph, owns the earlier ones too
            for i in outer_spans(earlier.spans):
                earlier.speakers[i] = earlier.speakers[i] or later.speakers[0]
    starts = section_starts(sections)
    quotes: list[Quote] = []
    for para in paras:
        text = block_text(doc, para.block)
        for span, speaker, statement in zip(
            para.spans, para.speakers, para.statements, strict=True
        ):
            kind = quote_kind(
                entities, para, text=text, span=span, statement=statement, speaker=speaker
            )
            quotes.append(
                _quote(
                    doc,
                    sections,
                    starts,
                    base=para.block.start,
                    span=span,
                    kind=kind,
                    speaker=speaker,
                )
            )
    return tuple(quotes)


def _attribute_paragraph(
    doc: ParsedDocument,
    entities: EntityIndex,
    para: Paragraph,
    previous: Paragraph | None,
    history: dict[int, list[Speaker]],
) -> None:
    """Set para.speakers: from the parse, then from the statement the quote belongs to."""
    text = block_text(doc, para.block)
    statements = [is_statement(text, span) for span in para.spans]
    found = attribute_windows(para.windows, para.spans, statements)
    speakers: list[Speaker | None] = []
    for span, (attr, window) in zip(para.spans, found, strict=True):
        speaker = None
        if not span.nested:
            speaker = dash_speaker(doc, entities, para.block, span)
        if speaker is None and attr is not None:
            speaker = resolve_speaker(
                doc,
                entities,
                block_index=para.index,
                parsed=None if window is None else window.doc,
                parsed_offset=0 if window is None else window.start,
                attr=attr,
                history=history,
            )
        speakers.append(speaker)
    outer = outer_spans(para.spans)
    adjacent = previous if previous is not None and previous.index == para.index - 1 else None
    if outer and speakers[outer[0]] is None:
        speakers[outer[0]] = _carried(doc, entities, para, adjacent, history)
    index = open_index(para.spans)
    if para.unsure and index is not None and speakers[index] is None:
        # an open end nobody said: a stray mark, not a quote
        keep = kept_indexes(para.spans, index)
        para.spans = tuple(para.spans[i] for i in keep)
        speakers = [speakers[i] for i in keep]
        statements = [statements[i] for i in keep]
        outer = outer_spans(para.spans)
    _share_within(speakers, outer)
    if adjacent is not None and outer and speakers[outer[0]] is None:
        # a paragraph that is only a statement goes on with the speaker just quoted
        last = next((s for s in reversed(adjacent.speakers) if s is not None), None)
        if last is not None and statements[outer[0]] and para.spans[outer[0]].open_mark == 0:
            shared = set(outer)
            speakers = [s or (last if i in shared else None) for i, s in enumerate(speakers)]
    para.speakers = speakers
    para.statements = statements
    if para.block.kind == "paragraph":
        history.setdefault(para.index, []).extend(s for s in speakers if s is not None)


def _quote(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    starts: list[int],
    *,
    base: int,
    span: MarkedSpan,
    kind: str,
    speaker: Speaker | None,
) -> Quote:
    start, end = base + span.start, base + span.end
    keep = speaker is not None and kind in ("direct", "partial", "headline")
    return Quote(
        section_index=section_index_at(sections, start, starts),
        text=doc.text[start:end],
        char_start=start,
        char_end=end,
        kind=kind,
        speaker=speaker.surface if keep and speaker else None,
        speaker_canonical=speaker.canonical if keep and speaker else None,
        speaker_entity_id=speaker.entity_id if keep and speaker else None,
        cue=speaker.cue if keep and speaker else None,
    )


def _carried(
    doc: ParsedDocument,
    entities: EntityIndex,
    para: Paragraph,
    adjacent: Paragraph | None,
    history: dict[int, list[Speaker]],
) -> Speaker | None:
    """The speaker of a paragraph's first quote when it is named before the paragraph: the run-on
    quote it continues, or an introducing paragraph ("Trump said in a statement:")."""
    if para.continues and adjacent is not None:
        index = open_index(adjacent.spans)
        return None if index is None else adjacent.speakers[index]
    if para.intro is not None:
        attr = attribute_intro(para.intro.doc)
        if attr is not None:
            return resolve_speaker(
                doc,
                entities,
                block_index=para.index - 1,
                parsed=para.intro.doc,
                parsed_offset=para.intro.start,
                attr=shifted(attr, para.intro.start),
                history=history,
            )
    return None


def _share_within(speakers: list[Speaker | None], outer: list[int]) -> None:
    """Fragments of one statement share its speaker: “A,” he said. “B.” Each unattributed
    fragment takes the speaker of the nearest fragment before it, else the first after it."""
    known = [speakers[i] for i in outer if speakers[i] is not None]
    if not known:
        return
    last = known[0]  # the first after, for the fragments before any speaker
    for i in outer:
        if speakers[i] is None:
            speakers[i] = last
        else:
            last = speakers[i]
