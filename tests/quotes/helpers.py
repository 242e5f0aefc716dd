"""Hand-built documents and the quote stage run over them, shared by the quote tests."""

from __future__ import annotations

from typing import Any

from flows.assemble import assemble_document
from flows.entities import extract_entities
from flows.quotes import extract_quotes
from flows.records import (
    BlockKind,
    Draft,
    DraftBlock,
    Entity,
    Metadata,
    ParsedDocument,
    Quote,
    Section,
)
from flows.sections import split_sections


class PipeSpy:
    """The pipeline, with a record of what the quote parse asks of nlp.pipe: the texts of the
    last call and the number of texts of each call (NER is always disabled)."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp
        self.texts: list[str] = []
        self.calls: list[int] = []
        self.pipe_names = nlp.pipe_names

    def get_pipe(self, name: str) -> Any:
        return self._nlp.get_pipe(name)

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        self.texts = list(texts)
        self.calls.append(len(self.texts))
        assert "ner" in kwargs["disable"]
        return self._nlp.pipe(self.texts, **kwargs)


def document(*paragraphs: str, title: str | None = None) -> ParsedDocument:
    """A normalized document: one block per string ("## " makes a heading), a title first."""
    blocks: list[DraftBlock] = []
    for text in paragraphs:
        kind: BlockKind = "heading" if text.startswith("## ") else "paragraph"
        blocks.append(DraftBlock(kind, text.removeprefix("## ")))
    if title is not None:
        blocks.insert(0, DraftBlock("title", title))
    return assemble_document(
        Draft(tuple(blocks), Metadata()),
        doc_id="test",
        source_uri="test.txt",
        media_type="text/plain",
        content_hash="0",
    )


def extract(
    nlp: Any, docs: list[ParsedDocument], *, with_entities: bool = True
) -> list[tuple[Quote, ...]]:
    sections = [split_sections(doc) for doc in docs]
    entities: list[tuple[Entity, ...]] = (
        extract_entities(docs, sections, nlp) if with_entities else [()] * len(docs)
    )
    return extract_quotes(docs, sections, entities, nlp)


def quotes(nlp: Any, *paragraphs: str, title: str | None = None) -> tuple[Quote, ...]:
    return extract(nlp, [document(*paragraphs, title=title)])[0]


def who(quote: Quote) -> str:
    return f"{quote.speaker} / {quote.speaker_canonical}"


def check_spans(
    doc: ParsedDocument, sections: tuple[Section, ...], found: tuple[Quote, ...]
) -> None:
    """Every quote slices its own text, inside its section and inside one block."""
    bounds = [(b.start, b.end) for b in doc.blocks]
    for quote in found:
        assert doc.text[quote.char_start : quote.char_end] == quote.text
        section = sections[quote.section_index]
        assert section.char_start <= quote.char_start < quote.char_end <= section.char_end
        assert any(lo <= quote.char_start and quote.char_end <= hi for lo, hi in bounds)
