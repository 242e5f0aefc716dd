"""Extract named entities: one NER pass over every block of a batch, then per-document resolution.

The model sees one run unit at a time (a block, or one line of a multi-line block), so no entity
crosses a heading, a paragraph break or a line break. Resolution (flows.entities.resolution) is pure
and model-free: cleaned spans, document-level clusters, label votes, canonical names and ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flows.entities import cleanup
from flows.entities.casing import Casing, model_text, read_casing
from flows.entities.resolution import RawMention, make_entity_id, resolve_entities
from flows.entities.words import DEFAULT_BATCH_SIZE, MAX_UNIT_CHARS, NER_BATCH_MAX_CHARS
from flows.nlp import char_batches
from flows.records import Entity, ParsedDocument, Section

# The components NER needs; every other one (tagger, parser, lemmatizer...) is disabled.
NER_COMPONENTS: tuple[str, ...] = ("ner",)


def extract_entities(
    docs: Sequence[ParsedDocument],
    sections: Sequence[tuple[Section, ...]],
    nlp: Any,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    mentions: Sequence[list[RawMention]] | None = None,
) -> list[tuple[Entity, ...]]:
    """Entity mentions of every document, in document order, each sorted by offset.

    `nlp` is the shared pipeline from flows.nlp.get_nlp; it is only read. Documents in a language
    the pipeline does not cover must be filtered out by the caller. `mentions` are the model's
    spans when find_entity_mentions already found them (over a larger stream of documents).
    """
    if len(docs) != len(sections):
        raise ValueError(f"{len(docs)} documents but {len(sections)} section tuples")
    units = [run_units(doc) for doc in docs]
    casings = [read_casing(doc.text, doc_units) for doc, doc_units in zip(docs, units, strict=True)]
    if mentions is None:
        mentions = find_mentions(docs, units, casings, nlp, batch_size=batch_size)
    return [
        resolve_entities(doc.text, doc_units, doc_sections, doc_mentions, casing)
        for doc, doc_units, doc_sections, doc_mentions, casing in zip(
            docs, units, sections, mentions, casings, strict=True
        )
    ]


def find_entity_mentions(
    docs: Sequence[ParsedDocument], nlp: Any, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[list[RawMention]]:
    """The model's spans of every document, for extract_entities(mentions=...): one nlp.pipe
    stream over the run units of all of them. The model's output for a unit does not depend on
    the units batched with it."""
    units = [run_units(doc) for doc in docs]
    casings = [read_casing(doc.text, doc_units) for doc, doc_units in zip(docs, units, strict=True)]
    return find_mentions(docs, units, casings, nlp, batch_size=batch_size)


def find_mentions(
    docs: Sequence[ParsedDocument],
    units: Sequence[tuple[tuple[int, int], ...]],
    casings: Sequence[Casing],
    nlp: Any,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[list[RawMention]]:
    """The model's spans in every run unit of every document: one nlp.pipe over the batch."""
    owners = [(d, u) for d, doc_units in enumerate(units) for u in range(len(doc_units))]
    texts = (model_text(docs[d].text[slice(*units[d][u])], casings[d], u) for d, u in owners)
    mentions: list[list[RawMention]] = [[] for _ in docs]
    disabled = disabled_components(nlp)
    parsed = (
        unit_doc
        for group in char_batches(texts, batch_size, NER_BATCH_MAX_CHARS)
        for unit_doc in nlp.pipe(group, batch_size=batch_size, disable=disabled)
    )
    for (d, u), unit_doc in zip(owners, parsed, strict=True):
        offset = units[d][u][0]
        mentions[d].extend(
            RawMention(u, offset + ent.start_char, offset + ent.end_char, ent.label_)
            for ent in unit_doc.ents
        )
    return mentions


def clear_caches() -> None:
    """Forget the stage's memoised name forms and ids; results never depend on them."""
    cleanup.clear_caches()
    make_entity_id.cache_clear()


def disabled_components(nlp: Any) -> list[str]:
    """Pipeline components NER does not need: all but NER and any embedding layer it listens to."""
    keep = set(NER_COMPONENTS)
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or ()
        if keep & set(listeners):
            keep.add(name)
    return [name for name in nlp.pipe_names if name not in keep]


def run_units(doc: ParsedDocument) -> tuple[tuple[int, int], ...]:
    """(start, end) of every non-blank line of every block, in reading order."""
    return tuple(unit for block in doc.blocks for unit in _lines(doc.text, block.start, block.end))


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    while pos < end:
        stop = text.find("\n", pos, end)
        stop = end if stop < 0 else stop
        yield from _chunks(text, pos, stop)
        pos = stop + 1


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_UNIT_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_UNIT_CHARS)
        cut = start + MAX_UNIT_CHARS if cut < 0 else cut
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end
