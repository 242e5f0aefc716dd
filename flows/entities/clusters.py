"""Group one document's name mentions into entities and decide each one's label and canonical name.

A cluster is every mention of one name: the same words, a short form of a person's fullest name
("Putin" of "Vladimir Putin", "Wang" of "Wang Donghai"), or an acronym spelled out in the same
document ("FSB" of "Federal Security Service, or FSB"). Its label is voted by the model's labels,
logarithmically damped, plus the context cues of all its mentions.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
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
    # (class, count) of the other members of a list it stands in ("Odesa, Mykolaiv and
    # Kherson"): a "coordinated" cue for each, counted rather than repeated, since a list of n
    # names would otherwise carry n * n cues.
    coordinated: tuple[tuple[str, int], ...] = ()


def label_class(label: str) -> str:
    """The class entity ids are keyed on: person, org, place, group, or the label itself."""
    return words.LABEL_CLASS.get(label, label.lower())


def cluster_mentions(text: str, names: Sequence[Mention]) -> list[list[int]]:
    """Indexes of `names` (sorted by offset) grouped by entity: each group in document order,
    groups in the order of their first mention.

    Every lookup goes through an index (full names by surname, by first and last word and by
    leading word; mentions by offset; acronym spellings by initials and by where names end), so
    the cost grows with the number of mentions, not with its square."""
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
    tokens = {key: tuple(key.split()) for key in forms}
    persons = [
        key
        for key, members in forms.items()
        if len(tokens[key]) > 1 and _best_class(_scores([names[i] for i in members])) == "person"
    ]
    full_names = _FullNames(persons, tokens)
    starts = {key: [names[i].start for i in members] for key, members in forms.items()}
    for key, members in forms.items():
        full = full_names.of(tokens[key])
        if full and _described_as_non_person([names[i] for i in members]):
            full = []
        for i in members:
            if full:
                union(i, _nearest(forms, starts, full, names[i].start))
            if len(full) <= 1:  # "Berg" beside "Anna Berg" and "Otto Berg" is two people
                union(members[0], i)
    for first, other in _acronyms(text, names, forms, tokens, frozenset(persons)):
        union(first, other)
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


class _FullNames:
    """Person names indexed by what a short form of them can be: a surname or a shortened
    name ("Putin", "Grigory Karasin" of "Grigory B. Karasin") or a leading name ("Wang" of
    "Wang Donghai", surname first)."""

    def __init__(self, persons: Sequence[str], tokens: dict[str, tuple[str, ...]]) -> None:
        self._persons = list(persons)
        self._order = {key: position for position, key in enumerate(persons)}
        self._tokens = tokens
        self._suffix: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._ends: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self._leading: dict[str, list[str]] = defaultdict(list)
        for key in persons:
            words_ = tokens[key]
            for size in range(1, min(len(words_) - 1, words.SHORT_FORM_MAX_WORDS) + 1):
                self._suffix[words_[-size:]].append(key)
            self._ends[words_[0], words_[-1]].append((-len(words_), self._order[key]))
            self._leading[words_[0]].append(key)
        for entries in self._ends.values():
            entries.sort()

    def of(self, short: tuple[str, ...]) -> list[str]:
        """The person names `short` abbreviates, in the order persons were given: as a surname
        or shortened name, or failing those a leading name. More than
        words.FULL_NAMES_MAX candidates make the short form ambiguous: it names none of them."""
        found = set(self._suffix.get(short, ()))
        if len(short) > 1:
            ends = self._ends.get((short[0], short[-1]), [])
            longer = bisect.bisect_left(ends, (-len(short), -1))  # persons with more words
            if longer > words.FULL_NAMES_MAX:
                return []
            found.update(self._persons[position] for _, position in ends[:longer])
        if not found and len(short) == 1:
            found.update(self._leading.get(short[0], ()))
        if len(found) > words.FULL_NAMES_MAX:
            return []
        return sorted(found, key=self._order.__getitem__)


def _nearest(
    forms: dict[str, list[int]], starts: dict[str, list[int]], full: Sequence[str], start: int
) -> int:
    """The closest preceding mention of a full name (else the first one after): with two
    Trumps in a story, "Trump" means the one named last. One binary search per full name."""
    best: tuple[int, int] | None = None  # (start, index) of the closest preceding mention
    for key in full:
        offsets = starts[key]
        pos = bisect.bisect_right(offsets, start)
        if pos:
            pos = bisect.bisect_left(offsets, offsets[pos - 1])  # the first of equal offsets
            if best is None or offsets[pos] > best[0]:
                best = (offsets[pos], forms[key][pos])
    if best is not None:
        return best[1]
    first = min(full, key=lambda key: starts[key][0])  # min keeps the first of equal offsets
    return forms[first][0]


def _acronyms(
    text: str,
    names: Sequence[Mention],
    forms: dict[str, list[int]],
    tokens: dict[str, tuple[str, ...]],
    persons: frozenset[str],
) -> Iterator[tuple[int, int]]:
    """(first mention of an acronym, first mention of the name it stands for): its initials
    ("FSB" of "Federal Security Service") or a spelling-out nearby ("..., or FSB", "(FSB)").
    The name is the earliest such form, as the document first writes it."""
    order = {key: position for position, key in enumerate(forms)}
    spelled = {key for key in forms if len(tokens[key]) > 1 and key not in persons}
    by_initials: dict[str, str] = {}
    for key in spelled:
        initials = "".join(w[0] for w in tokens[key] if w not in words.NAME_CONNECTORS)
        if initials not in by_initials or order[key] < order[by_initials[initials]]:
            by_initials[initials] = key
    ends: dict[int, list[int]] = defaultdict(list)
    for i, mention in enumerate(names):
        if mention.key in spelled:
            ends[mention.end].append(i)
    for key, members in forms.items():
        first = names[members[0]]
        if _ACRONYM.match(text[first.start : first.end]) is None:
            continue
        best = by_initials.get(key)
        for i in members:
            start = names[i].start
            for end in range(start - words.ACRONYM_MAX_GAP_CHARS, start + 1):
                for j in ends.get(end, ()):
                    other = names[j].key
                    if (best is None or order[other] < order[best]) and _ACRONYM_GAP.match(
                        text[end:start]
                    ) is not None:
                        best = other
        if best is not None:
            yield members[0], forms[best][0]


def _described_as_non_person(members: Sequence[Mention]) -> bool:
    cues = {cue for mention in members for cue, _ in mention.cues}
    return bool(cues & {"org_noun", "place_noun"}) and not cues & _PERSON_CUES


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
        for cue_class, count in mention.coordinated:
            # Weights are multiples of 1/4: the sums are exact, in any order.
            cues[cue_class] += words.CUE_WEIGHTS["coordinated"] * count
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
