"""Group one document's name mentions into entities and decide each one's label and canonical name.

A cluster is every mention of one name: the same words, a short form of a person's fullest name
("Putin" of "Vladimir Putin", "Wang" of "Wang Donghai"), or an acronym spelled out in the same
document ("FSB" of "Federal Security Service, or FSB"). Its label is voted by the model's labels,
logarithmically damped, plus the context cues of all its mentions.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flows.entities import cleanup, words
from flows.entities.casing import is_shouted

_CLASS_ORDER = ("person", "org", "place", "group")  # tie-break: the most specific reading first
_PERSON_CUES = frozenset(
    {"title", "person_noun", "who", "whose", "speaker", "initial", "given_name"}
)
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_ACRONYM_GAP = re.compile(r"^\s*(?:,\s*or|\(|,\s*known\s+as)\s*(?:the\s+)?$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A cleaned name or value span with the evidence about its class."""

    unit: int
    start: int
    end: int
    label: str  # the model's label (or the cue's, for a span found by a cue)
    vote: float  # weight of that label in the cluster vote
    cues: tuple[tuple[str, str], ...]  # (cue, class) pairs, see words.CUE_WEIGHTS
    key: str  # cleanup.name_key of the surface


def label_class(label: str) -> str:
    """The class entity ids are keyed on: person, org, place, group, or the label itself."""
    return words.LABEL_CLASS.get(label, label.lower())


def cluster_mentions(text: str, names: Sequence[Mention]) -> list[list[int]]:
    """Indexes of `names` grouped by entity: each group in document order, groups in the order
    of their first mention."""
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    forms: dict[str, list[int]] = defaultdict(list)
    for i, mention in enumerate(names):
        forms[mention.key].append(i)
    tokens = {key: key.split() for key in forms}
    persons = [
        key
        for key, members in forms.items()
        if len(tokens[key]) > 1 and _best_class(_scores([names[i] for i in members])) == "person"
    ]
    for key, members in forms.items():
        full = _full_names(tokens[key], [p for p in persons if p != key], tokens)
        if _described_as_non_person([names[i] for i in members]):
            full = []
        candidates = [j for f in full for j in forms[f]]
        for i in members:
            if candidates:
                union(i, _nearest(names, names[i].start, candidates))
            if len(full) <= 1:  # "Berg" beside "Anna Berg" and "Otto Berg" is two people
                union(members[0], i)
    for key, members in forms.items():
        first = names[members[0]]
        if _ACRONYM.match(text[first.start : first.end]) is None:
            continue
        for other, other_members in forms.items():
            if (
                len(tokens[other]) > 1
                and other not in persons
                and _spells_out(
                    text, key, other, [names[i] for i in members], [names[j] for j in other_members]
                )
            ):
                union(members[0], other_members[0])
                break
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(names)):
        groups[find(i)].append(i)
    return [groups[root] for root in sorted(groups)]


def decide_cluster(text: str, members: Sequence[Mention]) -> tuple[str, str]:
    """The cluster's label and canonical name (its fullest form, titles and "the" stripped)."""
    best = _best_class(_scores(members))
    counts: dict[str, int] = defaultdict(int)
    for mention in members:
        if label_class(mention.label) == best:
            counts[mention.label] += 1
    if counts:
        label = min(counts, key=lambda lab: (-counts[lab], lab))
    else:
        label = words.CLASS_DEFAULT_LABEL.get(best, best.upper())
    frequency: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for position, mention in enumerate(members):
        surface = cleanup.display_name(text[mention.start : mention.end])
        frequency[surface] += 1
        first.setdefault(surface, position)
    canonical = min(
        first,
        key=lambda f: (-len(f.split()), is_shouted(f), -frequency[f], first[f]),
    )
    return label, canonical


def _full_names(short: list[str], persons: list[str], tokens: dict[str, list[str]]) -> list[str]:
    """Person names `short` abbreviates: as a surname ("Putin"), a shortened full name
    ("Grigory Karasin" of "Grigory B. Karasin") or, failing those, a leading name ("Wang" of
    "Wang Donghai", surname first)."""
    suffix = [
        p
        for p in persons
        if len(tokens[p]) > len(short)
        and (
            tokens[p][-len(short) :] == short
            or (len(short) > 1 and short[0] == tokens[p][0] and short[-1] == tokens[p][-1])
        )
    ]
    if suffix or len(short) != 1:
        return suffix
    return [p for p in persons if tokens[p][0] == short[0]]


def _nearest(names: Sequence[Mention], start: int, candidates: list[int]) -> int:
    """The closest preceding full mention (else the first one after): with two Trumps in a
    story, "Trump" means the one named last."""
    before = [j for j in candidates if names[j].start <= start]
    if before:
        return max(before, key=lambda j: names[j].start)
    return min(candidates, key=lambda j: names[j].start)


def _described_as_non_person(members: Sequence[Mention]) -> bool:
    cues = {cue for mention in members for cue, _ in mention.cues}
    return bool(cues & {"org_noun", "place_noun"}) and not cues & _PERSON_CUES


def _spells_out(
    text: str, acronym: str, name: str, short: Sequence[Mention], full: Sequence[Mention]
) -> bool:
    initials = "".join(w[0] for w in name.split() if w not in words.NAME_CONNECTORS)
    if initials == acronym:
        return True
    return any(
        0 <= s.start - f.end <= words.ACRONYM_MAX_GAP_CHARS
        and _ACRONYM_GAP.match(text[f.end : s.start]) is not None
        for s in short
        for f in full
    )


def _scores(members: Sequence[Mention]) -> dict[str, float]:
    model: dict[str, float] = defaultdict(float)
    cues: dict[str, float] = defaultdict(float)
    lone = all(" " not in m.key for m in members) and not any(
        cue in _PERSON_CUES for m in members for cue, _ in m.cues
    )
    for mention in members:
        cls = label_class(mention.label)
        vote = mention.vote
        if cls == "person" and lone:
            vote *= words.LONE_SURNAME_VOTE
        model[cls] += vote
        for cue, cue_class in mention.cues:
            cues[cue_class] += words.CUE_WEIGHTS[cue]
    # The model repeats its mistakes (one name, one context-free guess), while cues come from
    # different sentences: repeated model votes count logarithmically, cues linearly.
    return {
        cls: _damp(model.get(cls, 0.0)) + cues.get(cls, 0.0)
        for cls in sorted(model.keys() | cues.keys())
    }


def _damp(votes: float) -> float:
    return votes if votes <= 1.0 else 1.0 + math.log(votes)


def _best_class(scores: dict[str, float]) -> str:
    order = {cls: i for i, cls in enumerate(_CLASS_ORDER)}
    return min(scores, key=lambda cls: (-scores[cls], order.get(cls, len(order)), cls))
