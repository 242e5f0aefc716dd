"""Turn an attribution into a speaker: link it to the entities table, resolve pronouns.

A speaker mention is linked to the entity whose span overlaps its head word (or its apposition:
"the spokesman, John Doe"), else by surname to a person the NER found elsewhere in the document.
A pronoun ("He added, ...") is resolved to the person it refers to: the subject of an earlier
sentence in the paragraph, a person named before it in the paragraph, the latest speaker or
sentence-initial person of the paragraphs just before, else the latest person before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.quotes import words as rv
from flows.quotes.attribution import Attribution, antecedent_subjects
from flows.quotes.marks import MarkedSpan
from flows.records import Block, Entity, ParsedDocument

_LINKED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
_ORG_LABELS = frozenset({"ORG", "GPE", "NORP"})
_PERSON_LABELS = frozenset({"PERSON"})
# "“...” ― Jane Doe" (letters to the editor, social posts): a dash, then a name ends the quote.
_DASH_SPEAKER = re.compile(
    r"\s*(?:―|—|–|--)\s*"
    r"((?:[A-Z][\w’'-]*\.?)(?:\s(?:[A-Z][\w’'-]*\.?|de|del|la|van|von|da|di)){0,5})"
    r"(?=\s*(?:$|[,;:“\"‘(.!]))"
)
# A mention that starts a sentence, perhaps after a conjunction or a title ("But Mr. Kamin").
_SUBJECT_START = re.compile(
    r"(?:^|[.!?][”’\")]?\s+)"
    r"(?:(?:But|And|So|Yet|Still|Then|Now|Later|Meanwhile|However|Also),?\s+)?"
    r"(?:[A-Z][a-z]*\.?\s+){0,2}$"
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said a quote: the mention as written and the entity it was linked to, if any."""

    surface: str
    canonical: str | None
    entity_id: str | None
    cue: str | None
    offset: int  # where the mention is in documents.text


def resolve_speaker(
    doc: ParsedDocument,
    entities: tuple[Entity, ...],
    *,
    block_index: int,
    parsed: Any,
    attr: Attribution,
    history: Sequence[tuple[int, Speaker]],
) -> Speaker:
    """The speaker of an attribution found in block `block_index` (parsed as `parsed`);
    `history` holds (block index, speaker) of the quotes attributed before it."""
    base = doc.blocks[block_index].start
    surface = doc.text[base + attr.speaker[0] : base + attr.speaker[1]]
    head = doc.text[base + attr.head[0] : base + attr.head[1]]
    offset = base + attr.head[0]
    word = head.lower()
    if word in rv.PERSON_PRONOUNS or word in rv.ORG_PRONOUNS:
        labels = _PERSON_LABELS if word in rv.PERSON_PRONOUNS else _ORG_LABELS
        ante = _antecedent(
            doc,
            entities,
            block_index=block_index,
            parsed=parsed,
            offset=offset,
            labels=labels,
            history=history,
        )
        if ante is not None:
            canonical = ante.canonical or ante.surface
            return Speaker(surface, canonical, ante.entity_id, attr.cue, offset)
        return Speaker(surface, None, None, attr.cue, offset)
    if word in rv.UNRESOLVED_PRONOUNS:
        return Speaker(surface, None, None, attr.cue, offset)
    ranges = [(base + attr.head[0], base + attr.head[1])]
    if attr.alias is not None:
        ranges.append((base + attr.alias[0], base + attr.alias[1]))
    ranges.append((base + attr.speaker[0], base + attr.speaker[1]))
    entity = _linked(entities, ranges) or _by_name(entities, head, offset)
    if entity is None:
        return Speaker(surface, None, None, attr.cue, offset)
    return Speaker(surface, entity.canonical, entity.entity_id, attr.cue, offset)


def dash_speaker(
    doc: ParsedDocument, entities: tuple[Entity, ...], block: Block, span: MarkedSpan
) -> Speaker | None:
    """“...” ― Jane Doe: the name after a dash that follows the closing mark."""
    if span.close_mark is None:
        return None
    text = doc.text[block.start : block.end]
    match = _DASH_SPEAKER.match(text, span.close_mark + 1)
    if match is None:
        return None
    lo, hi = block.start + match.start(1), block.start + match.end(1)
    entity = _linked(entities, [(lo, hi)])
    if entity is None:
        return Speaker(doc.text[lo:hi], None, None, None, lo)
    return Speaker(doc.text[lo:hi], entity.canonical, entity.entity_id, None, lo)


def _linked(entities: tuple[Entity, ...], ranges: list[tuple[int, int]]) -> Entity | None:
    for lo, hi in ranges:
        for entity in entities:
            if entity.label in _LINKED_LABELS and entity.char_start < hi and lo < entity.char_end:
                return entity
    return None


def _by_name(entities: tuple[Entity, ...], head: str, offset: int) -> Entity | None:
    """A surname the NER missed here but found elsewhere ("Karasin" -> "Grigory B. Karasin")."""
    if not head[:1].isupper():
        return None
    named = [e for e in entities if e.label == "PERSON" and e.canonical.split()[-1:] == [head]]
    earlier = [e for e in named if e.char_start < offset]
    return (earlier or named)[-1] if named else None


def _as_speaker(entity: Entity) -> Speaker:
    return Speaker(entity.text, entity.canonical, entity.entity_id, None, entity.char_start)


def _antecedent(
    doc: ParsedDocument,
    entities: tuple[Entity, ...],
    *,
    block_index: int,
    parsed: Any,
    offset: int,
    labels: frozenset[str],
    history: Sequence[tuple[int, Speaker]],
) -> Speaker | None:
    """The person (or, for "it", organisation) a pronoun at `offset` refers to."""
    base = doc.blocks[block_index].start
    if parsed is not None and labels == _PERSON_LABELS:
        for lo, hi in antecedent_subjects(parsed, offset - base):
            entity = _linked(entities, [(base + lo, base + hi)])
            if entity is not None and entity.label == "PERSON":
                return _as_speaker(entity)
    same = [e for e in entities if e.label in labels and base <= e.char_start < offset]
    if same:
        return _as_speaker(same[-1])
    for index in range(block_index - 1, max(block_index - rv.LOOKBACK_PARAGRAPHS, 0) - 1, -1):
        block = doc.blocks[index]
        found = [(s.offset, s) for b, s in history if b == index and labels == _PERSON_LABELS]
        found += [
            (e.char_start, _as_speaker(e))
            for e in entities
            if e.label in labels
            and block.start <= e.char_start < block.end
            and _SUBJECT_START.search(
                doc.text[block.start : e.char_start][-rv.SUBJECT_LEAD_CHARS :]
            )
        ]
        if found:
            return max(found, key=lambda f: f[0])[1]
    earlier = [e for e in entities if e.label in labels and e.char_start < offset]
    return _as_speaker(earlier[-1]) if earlier else None
