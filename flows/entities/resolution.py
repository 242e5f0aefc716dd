"""Resolve one document's raw NER mentions into entities: clean, cluster, vote, propagate, name.

Pure and model-free: the input is the document text, the run units the model read and the spans
it labelled; the output is the document's entity rows. Steps, in order:

1. clean every model span (cleanup.clean_span) and read its context cues;
2. add names the model missed but a cue vouches for ("Ukrinform, the state news agency,");
3. share cues along lists ("in Odesa, Mykolaiv and Kherson");
4. cluster and decide labels and canonical names (clusters);
5. label unlabelled repeats of a resolved name ("Lebed" tagged once, written ten times);
6. give every mention its section, canonical name and entity id.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flows.entities import cleanup, context, shapes, words
from flows.entities.casing import QUOTE_MARKS, Casing, read_casing
from flows.entities.clusters import Mention, cluster_mentions, decide_cluster, label_class
from flows.entities.lookups import KeysByFirstWord, Neighbours, Occupancy
from flows.records import Entity, Section

_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]['\"’”)]?)[\s'\"‘“(]*$")
_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")
# Where a propagated name can start: a capitalised word (or any word of a shouted line).
_CAPITALISED = re.compile(r"(?<![\w'.-])[A-ZÀ-ÖØ-Þ][\w'.&-]*")
_TOKEN_TAIL = re.compile(r"(?:'s?|[.,;:])+$")
_COMMA_NEXT = re.compile(r"\s*,\s")
_PLACE_PREP = ("place_prep", "place")
_PLACE_RIVALS = frozenset({"person", "org", "place"})  # classes a place cue may argue against


@dataclass(frozen=True, slots=True)
class RawMention:
    """One span as the NER model labelled it; offsets are absolute, unit indexes the run unit."""

    unit: int
    start: int
    end: int
    label: str


@functools.lru_cache(maxsize=1 << 16)
def make_entity_id(label: str, canonical: str) -> str:
    """Deterministic id from the label class and the folded, case-insensitive canonical name."""
    key = f"{label_class(label)}\x1f{cleanup.fold(canonical).casefold()}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class _Doc:
    text: str
    units: Sequence[tuple[int, int]]
    casing: Casing


def resolve_entities(
    text: str,
    units: Sequence[tuple[int, int]],
    sections: Sequence[Section],
    mentions: Sequence[RawMention],
    casing: Casing | None = None,
) -> tuple[Entity, ...]:
    """Entities of one document from the model's mentions in its run units (blocks or lines).
    `casing` is read_casing(text, units), passed in when the caller already has it."""
    casing = casing or read_casing(text, units)
    doc = _Doc(text, units, casing)
    found = _clean(doc, mentions)
    found += _candidates(doc, found)
    found.sort(key=lambda m: (m.start, m.end))
    names = _share_list_cues(text, [m for m in found if m.label in words.NAME_LABELS])
    clusters = cluster_mentions(text, names)
    decided = [decide_cluster(text, [names[i] for i in members]) for members in clusters]
    rows: list[tuple[int, int, str, str]] = []
    for (label, canonical), members in zip(decided, clusters, strict=True):
        rows.extend((names[i].start, names[i].end, label, canonical) for i in members)
    for mention in found:
        if mention.label not in words.NAME_LABELS:
            surface = " ".join(text[mention.start : mention.end].split())
            rows.append((mention.start, mention.end, mention.label, surface))
    rows.extend(_propagate(doc, decided, [[names[i] for i in c] for c in clusters], found))
    rows.sort()
    starts = [section.char_start for section in sections]
    return tuple(
        Entity(
            section_index=sections[max(bisect.bisect_right(starts, start) - 1, 0)].index,
            text=text[start:end],
            label=label,
            char_start=start,
            char_end=end,
            canonical=canonical,
            entity_id=make_entity_id(label, canonical),
        )
        for start, end, label, canonical in rows
    )


def _clean(doc: _Doc, mentions: Sequence[RawMention]) -> list[Mention]:
    out = []
    taken = Occupancy((raw.start, raw.end) for raw in mentions)
    seen: dict[str, int] = defaultdict(int)
    for raw in mentions:
        surface = doc.text[raw.start : raw.end]
        if doc.casing.headline[raw.unit] and _common_phrase(surface, doc.casing.vocabulary):
            continue
        pieces = list(cleanup.clean_span(doc.text, raw.start, raw.end, raw.label))
        # The model labelled the whole span; a piece cut out of it inherits a weaker vote.
        vote = words.MODEL_VOTE if len(pieces) == 1 else words.SPLIT_PIECE_VOTE
        for piece_start, piece_end, titled in pieces:
            start, end = piece_start, piece_end
            if raw.label in words.NAME_LABELS and not doc.casing.shouted[raw.unit]:
                start, end = _extend_given_name(doc, raw.unit, start, end, taken)
            key = cleanup.name_key(doc.text[start:end]) if raw.label in words.NAME_LABELS else ""
            seen[key] += 1
            out.append(
                _mention(
                    doc,
                    raw.unit,
                    (start, end),
                    raw.label,
                    vote=vote,
                    titled=titled,
                    key=key,
                    read_context=seen[key] <= words.CUE_SAMPLE,
                )
            )
    return out


def _extend_given_name(
    doc: _Doc, unit: int, start: int, end: int, taken: Occupancy
) -> tuple[int, int]:
    """Add the given name the model left out ("Tino" of "Tino Martinez"), or the surname after
    a lone given name it kept ("Natalia" of "Natalia Karimova")."""
    before = shapes.given_name_before(doc.text, doc.units[unit][0], start)
    if before is not None and not taken.overlaps(before, start):
        return before, end
    if shapes.is_given_name(doc.text[start:end]):
        after = shapes.surname_after(doc.text, end, doc.units[unit][1])
        if after is not None and not taken.overlaps(end, after):
            return start, after
    return start, end


def _mention(
    doc: _Doc,
    unit: int,
    span: tuple[int, int],
    label: str,
    *,
    vote: float,
    titled: bool = False,
    key: str | None = None,
    read_context: bool = True,
) -> Mention:
    start, end = span
    if label not in words.NAME_LABELS:
        return Mention(unit, start, end, label, vote, (), "")
    cues = (
        context.context_cues(doc.text, doc.units[unit], start, end, label) if read_context else ()
    )
    if titled:
        cues = (("title", "person"), *cues)
    if key is None:
        key = cleanup.name_key(doc.text[start:end])
    return Mention(unit, start, end, label, vote, cues, key)


def _common_phrase(surface: str, common: frozenset[str]) -> bool:
    """A capitalised phrase whose every word the document also writes in lower case ("CRICKET -
    LEADING SCORES" beside "the leading scores") is a shouted common phrase, not a name."""
    found = _WORD.findall(surface)
    return bool(found) and all(w.lower() in common for w in found)


def _candidates(doc: _Doc, found: Sequence[Mention]) -> list[Mention]:
    """Names the model missed that a cue vouches for: an appositive ("Ukrinform, the state news
    agency,"), a role noun ("the news agency Interfax") or a conjunction with a name ("Moscow's
    and Kyiv's")."""
    taken = Occupancy((m.start, m.end) for m in found)
    neighbours = Neighbours(m for m in found if m.label in words.LABEL_CLASS)
    out: list[Mention] = []
    for index, unit in enumerate(doc.units):
        if doc.casing.shouted[index]:
            continue  # capitals carry no evidence in a shouted line
        for raw_start, raw_end in shapes.name_runs(doc.text, unit):
            if taken.overlaps(raw_start, raw_end):
                continue
            run_start, run_end = shapes.trim_run(doc.text, raw_start, raw_end)
            label = _candidate_label(
                doc, index, run_start, run_end, neighbours.near(index, run_start, run_end)
            )
            if label is None:
                continue
            for start, end, _ in cleanup.clean_span(doc.text, run_start, run_end, label):
                if not taken.overlaps(start, end):
                    out.append(_mention(doc, index, (start, end), label, vote=words.CUE_FOUND_VOTE))
                    taken.add(start, end)
    return out


def _candidate_label(
    doc: _Doc, index: int, start: int, end: int, neighbours: Sequence[Mention]
) -> str | None:
    text, unit = doc.text, doc.units[index]
    if _COMMA_NEXT.match(text, end):
        appositive = context.appositive_class(
            text[end : min(unit[1], end + words.CONTEXT_AFTER_CHARS)], closed=True
        )
        if appositive is not None:
            return words.CLASS_DEFAULT_LABEL[appositive]
    if shapes.person_shaped(text[start:end]):
        return "PERSON"
    role = context.role_noun_before(
        text[max(unit[0], start - words.ROLE_NOUN_WINDOW_CHARS) : start]
    )
    if role is not None:
        return words.CLASS_DEFAULT_LABEL[role]
    for other in neighbours:
        if shapes.conjoined(text, other.end, start) or (
            shapes.conjoined(text, end, other.start) and not _sentence_initial(text, unit, start)
        ):
            return other.label
    return None


def _share_list_cues(text: str, mentions: list[Mention]) -> list[Mention]:
    """List members share a class ("Moscow's and Kyiv's"), and a place preposition covers the
    whole list ("ports in Odesa, Mykolaiv and Kherson"). A run joined by commas alone is no list
    ("In Seattle, Pete Incaviglia's grand slam"): some link must be a conjunction."""
    out = list(mentions)
    chain: list[int] = [0]
    for i in range(1, len(out) + 1):
        if (
            i < len(out)
            and out[i].unit == out[i - 1].unit
            and shapes.coordinated(text, out[i - 1].end, out[i].start)
        ):
            chain.append(i)
            continue
        if len(chain) > 1 and any(
            shapes.conjoined(text, out[a].end, out[b].start) for a, b in itertools.pairwise(chain)
        ):
            _share_cues(out, chain)
        chain = [i]
    return out


def _share_cues(out: list[Mention], chain: list[int]) -> None:
    classes = [label_class(out[i].label) for i in chain]
    counts = Counter(classes)
    place = _PLACE_PREP in out[chain[0]].cues
    for pos, i in enumerate(chain):
        own = classes[pos]
        shared = tuple(
            (cls, counts[cls] - (cls == own))
            for cls in sorted(counts)
            if counts[cls] - (cls == own) > 0
        )
        extra = []
        if place and pos > 0 and own in _PLACE_RIVALS and _PLACE_PREP not in out[i].cues:
            extra.append(_PLACE_PREP)
        out[i] = dataclasses.replace(
            out[i], cues=(*out[i].cues, *extra), coordinated=(*out[i].coordinated, *shared)
        )


def _propagate(
    doc: _Doc,
    decided: Sequence[tuple[str, str]],
    clusters: Sequence[Sequence[Mention]],
    found: Sequence[Mention],
) -> list[tuple[int, int, str, str]]:
    """Unlabelled repeats of a resolved name get its label and canonical name: the model finds
    a name in one sentence and misses it in the next ("Lebed" was tagged 2 times in 18)."""
    owner: dict[str, int] = {}
    clash: set[str] = set()
    for index, ((label, canonical), members) in enumerate(zip(decided, clusters, strict=True)):
        forms = {m.key for m in members}
        forms.add(cleanup.name_key(canonical))
        if label == "PERSON" and " " in canonical:
            forms.add(cleanup.name_key(canonical).rsplit(" ", 1)[-1])  # the surname alone
        for key in forms:
            if len(key) <= 1 or key in words.NOT_NAMES:
                continue
            if owner.get(key, index) != index:
                clash.add(key)
            owner[key] = index
    by_first = KeysByFirstWord(k for k in owner if k not in clash)
    if not by_first:
        return []
    view = doc.text.translate(QUOTE_MARKS)  # same length; names are folded the same way
    unit_starts = [start for start, _ in doc.units]
    taken = Occupancy((m.start, m.end) for m in found)
    out: list[tuple[int, int, str, str]] = []
    for token in _CAPITALISED.finditer(view):
        start = token.start()
        first = token.group().casefold()
        keys = by_first.get(first) or by_first.get(_TOKEN_TAIL.sub("", first))
        if keys is None or taken.overlaps(start, start + 1):
            continue  # most capitalised words are no known name, or already inside one
        hit = keys.longest_at(view, start)
        index = bisect.bisect_right(unit_starts, start) - 1
        if hit is None or index < 0:
            continue
        end, unit = start + len(hit), doc.units[index]
        if end > unit[1] or taken.overlaps(start, end):
            continue
        common = " " not in hit and hit in doc.casing.vocabulary
        if not doc.casing.shouted[index] and (
            _NEXT_CAPITAL.match(view, end) or (common and _sentence_initial(doc.text, unit, start))
        ):
            continue  # part of a longer name, or "Such" opening a sentence (not the cricketer)
        label, canonical = decided[owner[hit]]
        out.append((start, end, label, canonical))
        taken.add(start, end)
    return out


def _sentence_initial(text: str, unit: tuple[int, int], start: int) -> bool:
    window = text[max(unit[0], start - words.SENTENCE_START_WINDOW_CHARS) : start]
    return _SENTENCE_START.search(window) is not None
