"""Extract quotations with their speakers and cues, linked to the entities of their document.

Per document: quote marks are paired per block (flows.quotes.marks), quotes that run over several
paragraphs are chained, only the blocks holding quote marks go through the spaCy parser (NER off;
plus a paragraph ending in a colon right before one, which names the speaker), speakers are found
in the parse (flows.quotes.attribution), shared by the fragments of one statement, and resolved and
linked to the entities table (flows.quotes.speakers). Kinds: direct (a full statement), partial (a
fragment inside the writer's sentence), and, for analysts to filter, title, scare (no speaker),
headline and nested (a quote inside a quote).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flows.quotes.attribution import Attribution, attribute_intro, attribute_spans
from flows.quotes.chains import Paragraph, block_text, open_index, outer_spans, paragraphs, without
from flows.quotes.kinds import is_statement, quote_kind
from flows.quotes.marks import MarkedSpan
from flows.quotes.speakers import Speaker, dash_speaker, resolve_speaker
from flows.quotes.words import PARSE_BATCH_SIZE
from flows.records import Block, Entity, ParsedDocument, Quote, Section
from flows.sections import section_index_at


def extract_quotes(
    docs: Sequence[ParsedDocument],
    sections: Sequence[tuple[Section, ...]],
    entities: Sequence[tuple[Entity, ...]],
    nlp: Any,
) -> list[tuple[Quote, ...]]:
    """Quotes of every document, in text order; the parser runs only where there are quotes."""
    paras_by_doc = [paragraphs(doc) for doc in docs]
    jobs = [
        (doc, para, kind)
        for doc, paras in zip(docs, paras_by_doc, strict=True)
        for para, kind in _parse_jobs(doc, paras)
    ]
    texts = (
        block_text(doc, para.block if kind == "self" else _prev(doc, para))
        for doc, para, kind in jobs
    )
    disabled = [name for name in ("ner",) if name in nlp.pipe_names]
    for (_doc, para, kind), parsed in zip(
        jobs, nlp.pipe(texts, batch_size=PARSE_BATCH_SIZE, disable=disabled), strict=True
    ):
        if kind == "self":
            para.parse = parsed
        else:
            para.intro = parsed
    return [
        _document_quotes(doc, secs, ents, paras)
        for doc, secs, ents, paras in zip(docs, sections, entities, paras_by_doc, strict=True)
    ]


def _prev(doc: ParsedDocument, para: Paragraph) -> Block:
    return doc.blocks[para.index - 1]


def _parse_jobs(doc: ParsedDocument, paras: list[Paragraph]) -> Iterator[tuple[Paragraph, str]]:
    """Each paragraph with quotes; and, the one exception, a paragraph without quote marks that
    ends in a colon right before one ("Trump said in a statement:"), since it names the speaker."""
    for para in paras:
        yield para, "self"
        if para.index == 0 or para.block.kind != "paragraph" or para.continues:
            continue
        prev = doc.blocks[para.index - 1]
        if prev.kind == "paragraph" and block_text(doc, prev).rstrip().endswith(":"):
            yield para, "intro"


def _document_quotes(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    entities: tuple[Entity, ...],
    paras: list[Paragraph],
) -> tuple[Quote, ...]:
    history: list[tuple[int, Speaker]] = []  # (block index, speaker) of every attributed quote
    previous: Paragraph | None = None
    for para in paras:
        _attribute_paragraph(doc, entities, para, previous, history)
        previous = para
    for later, earlier in zip(reversed(paras[1:]), reversed(paras[:-1]), strict=True):
        if later.continues and later.speakers and later.speakers[0] is not None:
            # a run-on quote's speaker, named in a later paragraph, owns the earlier ones too
            for i in outer_spans(earlier.spans):
                earlier.speakers[i] = earlier.speakers[i] or later.speakers[0]
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
                _quote(doc, sections, base=para.block.start, span=span, kind=kind, speaker=speaker)
            )
    return tuple(quotes)


def _attribute_paragraph(
    doc: ParsedDocument,
    entities: tuple[Entity, ...],
    para: Paragraph,
    previous: Paragraph | None,
    history: list[tuple[int, Speaker]],
) -> None:
    """Set para.speakers: from the parse, then from the statement the quote belongs to."""
    text = block_text(doc, para.block)
    statements = [is_statement(text, span) for span in para.spans]
    attrs: Sequence[Attribution | None] = [None] * len(para.spans)
    if para.parse is not None:
        attrs = attribute_spans(para.parse, para.spans, statements)
    speakers: list[Speaker | None] = []
    for span, attr in zip(para.spans, attrs, strict=True):
        speaker = None
        if not span.nested:
            speaker = dash_speaker(doc, entities, para.block, span)
        if speaker is None and attr is not None:
            speaker = resolve_speaker(
                doc,
                entities,
                block_index=para.index,
                parsed=para.parse,
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
        keep = [i for i, span in enumerate(para.spans) if span in without(para.spans, index)]
        para.spans = tuple(para.spans[i] for i in keep)
        speakers = [speakers[i] for i in keep]
        statements = [statements[i] for i in keep]
        outer = outer_spans(para.spans)
    _share_within(speakers, outer)
    if adjacent is not None and outer and speakers[outer[0]] is None:
        # a paragraph that is only a statement goes on with the speaker just quoted
        last = next((s for s in reversed(adjacent.speakers) if s is not None), None)
        if last is not None and statements[outer[0]] and para.spans[outer[0]].open_mark == 0:
            speakers = [s or (last if i in outer else None) for i, s in enumerate(speakers)]
    para.speakers = speakers
    para.statements = statements
    if para.block.kind == "paragraph":
        history.extend((para.index, s) for s in speakers if s is not None)


def _quote(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    *,
    base: int,
    span: MarkedSpan,
    kind: str,
    speaker: Speaker | None,
) -> Quote:
    start, end = base + span.start, base + span.end
    keep = speaker is not None and kind in ("direct", "partial", "headline")
    return Quote(
        section_index=section_index_at(sections, start),
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
    entities: tuple[Entity, ...],
    para: Paragraph,
    adjacent: Paragraph | None,
    history: list[tuple[int, Speaker]],
) -> Speaker | None:
    """The speaker of a paragraph's first quote when it is named before the paragraph: the run-on
    quote it continues, or an introducing paragraph ("Trump said in a statement:")."""
    if para.continues and adjacent is not None:
        index = open_index(adjacent.spans)
        return None if index is None else adjacent.speakers[index]
    if para.intro is not None:
        attr = attribute_intro(para.intro)
        if attr is not None:
            return resolve_speaker(
                doc,
                entities,
                block_index=para.index - 1,
                parsed=para.intro,
                attr=attr,
                history=history,
            )
    return None


def _share_within(speakers: list[Speaker | None], outer: list[int]) -> None:
    """Fragments of one statement share its speaker: “A,” he said. “B.”"""
    for pos, i in enumerate(outer):
        if speakers[i] is not None:
            continue
        before = [speakers[j] for j in outer[:pos] if speakers[j] is not None]
        after = [speakers[j] for j in outer[pos + 1 :] if speakers[j] is not None]
        speakers[i] = before[-1] if before else (after[0] if after else None)
