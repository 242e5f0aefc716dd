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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.quotes import words as rv
from flows.quotes.attribution import Attribution, attribute_intro, attribute_spans
from flows.quotes.marks import MarkedSpan, find_marked_spans
from flows.quotes.speakers import Speaker, dash_speaker, resolve_speaker
from flows.records import Block, Entity, ParsedDocument, Quote, Section
from flows.sections import section_index_at

_SKIPPED_BLOCKS = frozenset({"credit", "byline"})  # source lines, never speech
_HEADLINE_BLOCKS = frozenset({"title", "heading"})
# A one- or two-word capitalized quote with a given name or an initial just before and a
# capitalized word just after is a nickname inside a name.
_NAME_BEFORE = re.compile(r"(?:^|\s)(?:[A-Z]\.|[A-Z][a-z]+) $")
_NICKNAME = re.compile(r"[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*)?")
_NAME_AFTER = re.compile(r" [A-Z][a-z]")
# Owners whose possessive before a “Title Case” quote makes it the name of a show.
_TITLE_OWNERS = frozenset({"ORG", "FAC", "WORK_OF_ART", "PRODUCT"})
# What a full statement's opening mark may follow (besides a colon or nothing).
_STATEMENT_AFTER = frozenset(",.?!”’—–―")
_PIPE_BATCH = 64


@dataclass(slots=True)
class _Paragraph:
    """Working state for one block with quote marks; mutable and private to this module."""

    index: int
    block: Block
    spans: tuple[MarkedSpan, ...]
    continues: bool = False  # its first span goes on with the previous paragraph's open quote
    unsure: bool = False  # its last span is open at the end and no paragraph takes it up
    first: bool = False  # the document's first block (a headline when the parser found none)
    parse: Any = None
    intro: Any = None  # parse of a previous paragraph ending "... said:"
    speakers: list[Speaker | None] = field(default_factory=list)
    statements: list[bool] = field(default_factory=list)


def extract_quotes(
    docs: Sequence[ParsedDocument],
    sections: Sequence[tuple[Section, ...]],
    entities: Sequence[tuple[Entity, ...]],
    nlp: Any,
) -> list[tuple[Quote, ...]]:
    """Quotes of every document, in text order; the parser runs only where there are quotes."""
    paragraphs = [_paragraphs(doc) for doc in docs]
    jobs = [
        (doc, para, kind)
        for doc, paras in zip(docs, paragraphs, strict=True)
        for para, kind in _parse_jobs(doc, paras)
    ]
    texts = (
        _block_text(doc, para.block if kind == "self" else _prev(doc, para))
        for doc, para, kind in jobs
    )
    disabled = [name for name in ("ner",) if name in nlp.pipe_names]
    for (_doc, para, kind), parsed in zip(
        jobs, nlp.pipe(texts, batch_size=_PIPE_BATCH, disable=disabled), strict=True
    ):
        if kind == "self":
            para.parse = parsed
        else:
            para.intro = parsed
    return [
        _document_quotes(doc, secs, ents, paras)
        for doc, secs, ents, paras in zip(docs, sections, entities, paragraphs, strict=True)
    ]


def _block_text(doc: ParsedDocument, block: Block) -> str:
    return doc.text[block.start : block.end]


def _prev(doc: ParsedDocument, para: _Paragraph) -> Block:
    return doc.blocks[para.index - 1]


def _paragraphs(doc: ParsedDocument) -> list[_Paragraph]:
    """Blocks with quote marks, with quotes that run over several paragraphs chained.

    News style leaves a quote open at the end of a paragraph when the next one goes on with it
    (and opens with a mark). A chain that never closes is not a quote but marks used as
    decoration (transcripts, letters); its open ends are dropped. A lone open end (a lost closing
    mark, or a stray opening one) is kept only if a speaker is found for it.
    """
    out: list[_Paragraph] = []
    chain: list[_Paragraph] = []
    for index, block in enumerate(doc.blocks):
        if block.kind in _SKIPPED_BLOCKS:
            continue
        spans = find_marked_spans(_block_text(doc, block))
        para = _Paragraph(index, block, spans, first=index == 0)
        if chain and chain[-1].index == index - 1 and block.kind == "paragraph":
            para.continues = bool(spans) and spans[0].open_mark == 0 and not spans[0].single
        if chain and not para.continues:
            _close_chain(chain, closed=False)
            chain = []
        if spans:
            out.append(para)
        open_end = _open_index(spans) is not None and block.kind == "paragraph"
        if para.continues or open_end:
            chain.append(para)
        if para.continues and not open_end:
            _close_chain(chain, closed=True)
            chain = []
    if chain:
        _close_chain(chain, closed=False)
    return [p for p in out if p.spans]


def _close_chain(chain: list[_Paragraph], *, closed: bool) -> None:
    if closed:
        return
    if len(chain) == 1:
        chain[0].unsure = True
        return
    for para in chain:
        para.continues = False
        index = _open_index(para.spans)
        if index is not None:
            para.spans = _without(para.spans, index)


def _outer(spans: tuple[MarkedSpan, ...]) -> list[int]:
    """The spans that share speakers: quotes in double marks, not nested. Single marks at the
    top level are rare enough (headlines, a word set apart) to need an attribution of their own."""
    return [i for i, s in enumerate(spans) if not s.nested and not s.single]


def _open_index(spans: tuple[MarkedSpan, ...]) -> int | None:
    """Which span runs to the end of its paragraph (at most one does)."""
    return next((i for i, s in enumerate(spans) if s.close_mark is None and not s.nested), None)


def _without(spans: tuple[MarkedSpan, ...], index: int) -> tuple[MarkedSpan, ...]:
    """spans without spans[index], an open end, and the nested quotes inside it."""
    gone = spans[index]
    return tuple(
        s
        for i, s in enumerate(spans)
        if i != index and not (s.nested and s.open_mark > gone.open_mark)
    )


def _parse_jobs(doc: ParsedDocument, paras: list[_Paragraph]) -> Iterator[tuple[_Paragraph, str]]:
    """Each paragraph with quotes; and, the one exception, a paragraph without quote marks that
    ends in a colon right before one ("Trump said in a statement:"), since it names the speaker."""
    for para in paras:
        yield para, "self"
        if para.index == 0 or para.block.kind != "paragraph" or para.continues:
            continue
        prev = doc.blocks[para.index - 1]
        if prev.kind == "paragraph" and _block_text(doc, prev).rstrip().endswith(":"):
            yield para, "intro"


def _document_quotes(
    doc: ParsedDocument,
    sections: tuple[Section, ...],
    entities: tuple[Entity, ...],
    paras: list[_Paragraph],
) -> tuple[Quote, ...]:
    history: list[tuple[int, Speaker]] = []  # (block index, speaker) of every attributed quote
    previous: _Paragraph | None = None
    for para in paras:
        _attribute_paragraph(doc, entities, para, previous, history)
        previous = para
    for later, earlier in zip(reversed(paras[1:]), reversed(paras[:-1]), strict=True):
        if later.continues and later.speakers and later.speakers[0] is not None:
            # a run-on quote's speaker, named in a later paragraph, owns the earlier ones too
            for i in _outer(earlier.spans):
                earlier.speakers[i] = earlier.speakers[i] or later.speakers[0]
    quotes: list[Quote] = []
    for para in paras:
        text = _block_text(doc, para.block)
        for span, speaker, statement in zip(
            para.spans, para.speakers, para.statements, strict=True
        ):
            kind = _kind(entities, para, text=text, span=span, statement=statement, speaker=speaker)
            quotes.append(
                _quote(doc, sections, base=para.block.start, span=span, kind=kind, speaker=speaker)
            )
    return tuple(quotes)


def _attribute_paragraph(
    doc: ParsedDocument,
    entities: tuple[Entity, ...],
    para: _Paragraph,
    previous: _Paragraph | None,
    history: list[tuple[int, Speaker]],
) -> None:
    """Set para.speakers: from the parse, then from the statement the quote belongs to."""
    text = _block_text(doc, para.block)
    statements = [_is_statement(text, span) for span in para.spans]
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
    outer = _outer(para.spans)
    adjacent = previous if previous is not None and previous.index == para.index - 1 else None
    if outer and speakers[outer[0]] is None:
        speakers[outer[0]] = _carried(doc, entities, para, adjacent, history)
    index = _open_index(para.spans)
    if para.unsure and index is not None and speakers[index] is None:
        # an open end nobody said: a stray mark, not a quote
        keep = [i for i, span in enumerate(para.spans) if span in _without(para.spans, index)]
        para.spans = tuple(para.spans[i] for i in keep)
        speakers = [speakers[i] for i in keep]
        statements = [statements[i] for i in keep]
        outer = _outer(para.spans)
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
    para: _Paragraph,
    adjacent: _Paragraph | None,
    history: list[tuple[int, Speaker]],
) -> Speaker | None:
    """The speaker of a paragraph's first quote when it is named before the paragraph: the run-on
    quote it continues, or an introducing paragraph ("Trump said in a statement:")."""
    if para.continues and adjacent is not None:
        index = _open_index(adjacent.spans)
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


def _kind(
    entities: tuple[Entity, ...],
    para: _Paragraph,
    *,
    text: str,
    span: MarkedSpan,
    statement: bool,
    speaker: Speaker | None,
) -> str:
    if span.nested:
        return "nested"
    if para.block.kind in _HEADLINE_BLOCKS or (span.single and para.first):
        return "headline"  # headlines quote in single marks; PolNeAR's first lines end in "."
    quoted = text[span.start : span.end]
    before = text[: span.open_mark].rstrip()
    owner = _owner_label(entities, para.block.start + len(before), before)
    if _is_title(before, quoted, owner) or _is_nickname(text, span, entities, para.block.start):
        return "title"
    if span.single and speaker is None:
        return "scare"  # lone single marks in a double-quoting text: a word set apart
    if statement:
        return "direct"
    return "partial" if speaker is not None else "scare"


def _is_statement(text: str, span: MarkedSpan) -> bool:
    """A full statement opens the paragraph or follows a colon, comma or sentence end."""
    if span.open_mark == 0:
        return True
    before = text[: span.open_mark].rstrip()
    first = next((ch for ch in text[span.start : span.end] if ch.isalnum()), "")
    if before.endswith(":"):
        return True
    if re.search(r"(?:^|\s)[A-Z]\.$", before):
        return False  # "Robert C." ends with an initial, not a sentence
    return before[-1:] in _STATEMENT_AFTER and (first.isupper() or first.isdigit())


def _is_title(before: str, quoted: str, owner: str | None) -> bool:
    """“Title” right after a word naming a work (the book “...”, his 2002 book, “...”), or a
    show after a broadcaster's possessive (MSNBC’s “Morning Joe”, Fox News’s “...”): an
    organisation's, since a person's “...” is speech."""
    if len(quoted.split()) > rv.TITLE_MAX_WORDS:
        return False
    words = re.findall(r"[\w’'-]+", before[-40:])
    if not words or not (before[-1:].isalnum() or before.endswith(",")):
        return False  # no full stop or colon between the cue word and the mark
    if words[-1].lower() in rv.TITLE_CUES:
        return True
    acronym = re.fullmatch(r"[A-Z]{2,}[’']s", words[-1]) is not None
    return (acronym or owner in _TITLE_OWNERS) and _is_title_case(quoted)


def _owner_label(entities: tuple[Entity, ...], end: int, before: str) -> str | None:
    """The label of the entity whose possessive ends `before` (at offset `end`), if any."""
    mark = re.search(r"[’']s?$", before)
    if mark is None:
        return None
    name_end = end - len(mark.group())
    return next((e.label for e in entities if e.char_end == name_end), None)


def _is_title_case(quoted: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", quoted) if w.lower() not in rv.MINOR_WORDS]
    return bool(words) and all(w[0].isupper() for w in words)


def _is_nickname(text: str, span: MarkedSpan, entities: tuple[Entity, ...], base: int) -> bool:
    """Robert C. “Bobby” Scott: a nickname between the parts of a name, whether the NER read the
    whole as one mention or not."""
    after = len(text) if span.close_mark is None else span.close_mark + 1
    lo, hi = base + span.open_mark, base + after
    if any(e.char_start < lo and hi < e.char_end for e in entities):
        return True
    return (
        _NAME_BEFORE.search(text, 0, span.open_mark) is not None
        and _NICKNAME.fullmatch(text, span.start, span.end) is not None
        and _NAME_AFTER.match(text, after) is not None
    )
