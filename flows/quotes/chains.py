"""Quote-bearing paragraphs of a document, with quotes that run over several paragraphs chained."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.quotes.marks import MarkedSpan, find_marked_spans
from flows.quotes.speakers import Speaker
from flows.quotes.windows import ParseWindow
from flows.records import Block, ParsedDocument

_SKIPPED_BLOCKS = frozenset({"credit", "byline"})  # source lines, never speech


@dataclass(slots=True)
class Paragraph:
    """Working state for one block with quote marks; mutable and private to this module."""

    index: int
    block: Block
    spans: tuple[MarkedSpan, ...]
    continues: bool = False  # its first span goes on with the previous paragraph's open quote
    unsure: bool = False  # its last span is open at the end and no paragraph takes it up
    first: bool = False  # the document's first block (a headline when the parser found none)
    windows: tuple[ParseWindow, ...] = ()  # its parse, one window for any natural paragraph
    intro: ParseWindow | None = None  # parse of a previous paragraph ending "... said:"
    speakers: list[Speaker | None] = field(default_factory=list)
    statements: list[bool] = field(default_factory=list)


def block_text(doc: ParsedDocument, block: Block) -> str:
    return doc.text[block.start : block.end]


def paragraphs(doc: ParsedDocument) -> list[Paragraph]:
    """Blocks with quote marks, with quotes that run over several paragraphs chained.

    News style leaves a quote open at the end of a paragraph when the next one goes on with it
    (and opens with a mark). A chain that never closes is not a quote but marks used as
    decoration (transcripts, letters); its open ends are dropped. A lone open end (a lost closing
    mark, or a stray opening one) is kept only if a speaker is found for it.
    """
    out: list[Paragraph] = []
    chain: list[Paragraph] = []
    for index, block in enumerate(doc.blocks):
        if block.kind in _SKIPPED_BLOCKS:
            continue
        spans = find_marked_spans(block_text(doc, block))
        para = Paragraph(index, block, spans, first=index == 0)
        if chain and chain[-1].index == index - 1 and block.kind == "paragraph":
            para.continues = bool(spans) and spans[0].open_mark == 0 and not spans[0].single
        if chain and not para.continues:
            _close_chain(chain, closed=False)
            chain = []
        if spans:
            out.append(para)
        open_end = open_index(spans) is not None and block.kind == "paragraph"
        if para.continues or open_end:
            chain.append(para)
        if para.continues and not open_end:
            _close_chain(chain, closed=True)
            chain = []
    if chain:
        _close_chain(chain, closed=False)
    return [p for p in out if p.spans]


def _close_chain(chain: list[Paragraph], *, closed: bool) -> None:
    if closed:
        return
    if len(chain) == 1:
        chain[0].unsure = True
        return
    for para in chain:
        para.continues = False
        index = open_index(para.spans)
        if index is not None:
            para.spans = without(para.spans, index)


def outer_spans(spans: tuple[MarkedSpan, ...]) -> list[int]:
    """The spans that share speakers: quotes in double marks, not nested. Single marks at the
    top level are rare enough (headlines, a word set apart) to need an attribution of their own."""
    return [i for i, s in enumerate(spans) if not s.nested and not s.single]


def open_index(spans: tuple[MarkedSpan, ...]) -> int | None:
    """Which span runs to the end of its paragraph (at most one does)."""
    return next((i for i, s in enumerate(spans) if s.close_mark is None and not s.nested), None)


def without(spans: tuple[MarkedSpan, ...], index: int) -> tuple[MarkedSpan, ...]:
    """spans without spans[index], an open end, and the nested quotes inside it."""
    return tuple(spans[i] for i in kept_indexes(spans, index))


def kept_indexes(spans: tuple[MarkedSpan, ...], index: int) -> list[int]:
    """Which of `spans` remain once spans[index] (an open end) goes with its nested quotes."""
    gone = spans[index]
    return [
        i
        for i, s in enumerate(spans)
        if i != index and not (s.nested and s.open_mark > gone.open_mark)
    ]
