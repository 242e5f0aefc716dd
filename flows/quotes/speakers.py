"""Turn an attribution into a speaker: link it to the entities table, resolve pronouns.

A speaker mention is linked to the entity whose span overlaps its head word (or its apposition:
"the spokesman, John Doe"), else by surname to a person the NER found elsewhere in the document.
A pronoun ("He added, ...") is resolved to the person it refers to: the subject of an earlier
sentence in the paragraph, a person named before it in the paragraph, the latest speaker or
sentence-initial person of the paragraphs just before, else the latest person before it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.quotes import words as rv
from flows.quotes.attribution import Attribution, antecedent_subjects
from flows.quotes.entity_index import EntityIndex
from flows.quotes.marks import MarkedSpan
from flows.records import Block, Entity, ParsedDocument

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


# (block index -> speakers of the quotes attributed in that block, in order)
History = Mapping[int, Sequence["Speaker"]]


def resolve_speaker(
    doc: ParsedDocument,
    entities: EntityIndex,
    *,
    block_index: int,
    parsed: Any,
    attr: Attribution,
    history: History,
    parsed_offset: int = 0,
) -> Speaker:
    """The speaker of an attribution found in block `block_index`, whose parse `parsed` covers
    the block's text from `parsed_offset` on; `history` holds the speakers of the quotes
    attributed before it, by block."""
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
            parsed_offset=parsed_offset,
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
    entity = entities.linked(ranges) or _by_name(entities, head, offset)
    if entity is None:
        return Speaker(surface, None, None, attr.cue, offset)
    return Speaker(surface, entity.canonical, entity.entity_id, attr.cue, offset)


def dash_speaker(
    doc: ParsedDocument, entities: EntityIndex, block: Block, span: MarkedSpan
) -> Speaker | None:
    """“...” ― Jane Doe: the name after a dash that follows the closing mark."""
    if span.close_mark is None:
        return None
    text = doc.text[block.start : block.end]
    match = _DASH_SPEAKER.match(text, span.close_mark + 1)
    if match is None:
        return None
    lo, hi = block.start + match.start(1), block.start + match.end(1)
    entity = entities.linked([(lo, hi)])
    if entity is None:
        return Speaker(doc.text[lo:hi], None, None, None, lo)
    return Speaker(doc.text[lo:hi], entity.canonical, entity.entity_id, None, lo)


def _by_name(entities: EntityIndex, head: str, offset: int) -> Entity | None:
    """A surname the NER missed here but found elsewhere ("Karasin" -> "Grigory B. Karasin")."""
    if not head[:1].isupper():
        return None
    return entities.with_surname(head, offset)


def _as_speaker(entity: Entity) -> Speaker:
    return Speaker(entity.text, entity.canonical, entity.entity_id, None, entity.char_start)


def _antecedent(
    doc: ParsedDocument,
    entities: EntityIndex,
    *,
    block_index: int,
    parsed: Any,
    parsed_offset: int,
    offset: int,
    labels: frozenset[str],
    history: History,
) -> Speaker | None:
    """The person (or, for "it", organisation) a pronoun at `offset` refers to."""
    base = doc.blocks[block_index].start
    if parsed is not None and labels == _PERSON_LABELS:
        origin = base + parsed_offset
        for lo, hi in antecedent_subjects(parsed, offset - origin):
            entity = entities.linked([(origin + lo, origin + hi)])
            if entity is not None and entity.label == "PERSON":
                return _as_speaker(entity)
    same = entities.latest(labels, offset, base)
    if same is not None:
        return _as_speaker(same)
    for index in range(block_index - 1, max(block_index - rv.LOOKBACK_PARAGRAPHS, 0) - 1, -1):
        found: Speaker | None = None
        if labels == _PERSON_LABELS:
            for speaker in history.get(index, ()):
                if found is None or speaker.offset > found.offset:
                    found = speaker
        opening = _opening_a_sentence(doc, entities, doc.blocks[index], labels)
        if opening is not None and (found is None or opening.offset > found.offset):
            found = opening  # of equal offsets, the speaker quoted wins
        if found is not None:
            return found
    earlier = entities.latest(labels, offset)
    return _as_speaker(earlier) if earlier is not None else None


def _opening_a_sentence(
    doc: ParsedDocument, entities: EntityIndex, block: Block, labels: frozenset[str]
) -> Speaker | None:
    """The latest entity of `labels` in a block that opens a sentence, perhaps after a
    conjunction or a title; of the block's last rv.ANTECEDENTS_MAX such entities."""
    chosen: Entity | None = None
    candidates = entities.backwards(labels, block.start, block.end)
    for entity in itertools.islice(candidates, rv.ANTECEDENTS_MAX):
        if chosen is not None and entity.char_start != chosen.char_start:
            break
        lead = doc.text[
            max(block.start, entity.char_start - rv.SUBJECT_LEAD_CHARS) : entity.char_start
        ]
        if _SUBJECT_START.search(lead):
            chosen = entity  # of equal offsets, the first in order
    return None if chosen is None else _as_speaker(chosen)
