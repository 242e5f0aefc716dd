"""flows.entities.clusters: the label classes entity ids are keyed on."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.entities import words
from flows.entities.clusters import (
    Mention,
    _best_class,
    _described_as_non_person,
    _FullNames,
    _scores,
    cluster_mentions,
    label_class,
)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("PERSON", "person"),
        ("ORG", "org"),
        ("GPE", "place"),
        ("LOC", "place"),
        ("FAC", "place"),
        ("NORP", "group"),
        ("DATE", "date"),  # a label without a class of its own stands for itself
    ],
)
def test_label_class(label: str, expected: str) -> None:
    assert label_class(label) == expected


# --------------------------------------------------------------- indexes against a scan ---

_NAME_WORDS = ["Anna", "Otto", "Berg", "Putin", "Vladimir", "Wang", "Donghai", "Federal", "Bank"]
_ACRONYMS = ["FSB", "FB", "AB", "VP"]
_GAPS = [" ", ", or ", " (", " and ", " met ", ". "]
_CUES = [("title", "person"), ("org_noun", "org"), ("place_prep", "place"), ("who", "person")]


@st.composite
def _mentions(draw: st.DrawFn) -> tuple[str, list[Mention]]:
    """A text of names and acronyms with gaps between them, and a mention for each name."""
    text = ""
    found: list[Mention] = []
    for _ in range(draw(st.integers(0, 24))):
        text += draw(st.sampled_from(_GAPS))
        if draw(st.booleans()):
            surface = draw(st.sampled_from(_ACRONYMS))
        else:
            surface = " ".join(draw(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=3)))
        start = len(text)
        text += surface
        label = draw(st.sampled_from(["PERSON", "ORG", "GPE"]))
        cues = tuple(draw(st.lists(st.sampled_from(_CUES), max_size=2)))
        coordinated = tuple(
            draw(
                st.lists(
                    st.tuples(st.sampled_from(["person", "org"]), st.integers(1, 3)), max_size=1
                )
            )
        )
        found.append(
            Mention(0, start, len(text), label, 1.0, cues, surface.casefold(), coordinated)
        )
    return text, found


def _scan_full_names(
    short: list[str], persons: list[str], tokens: dict[str, list[str]]
) -> list[str]:
    full = [
        p
        for p in persons
        if len(tokens[p]) > len(short)
        and (
            tokens[p][-len(short) :] == short
            or (len(short) > 1 and short[0] == tokens[p][0] and short[-1] == tokens[p][-1])
        )
    ]
    if not full and len(short) == 1:
        full = [p for p in persons if tokens[p][0] == short[0]]
    return [] if len(full) > words.FULL_NAMES_MAX else full


def _scan_spells_out(
    text: str, key: str, other: list[str], short: list[Mention], full: list[Mention]
) -> bool:
    initials = "".join(w[0] for w in other if w not in words.NAME_CONNECTORS)
    gap = re.compile(r"^\s*(?:,\s*or|\(|,\s*known\s+as)\s*(?:the\s+)?$")
    return initials == key or any(
        0 <= s.start - f.end <= words.ACRONYM_MAX_GAP_CHARS and gap.match(text[f.end : s.start])
        for s in short
        for f in full
    )


def _scan_clusters(text: str, names: list[Mention]) -> list[list[int]]:
    """cluster_mentions as it was written before its indexes: every lookup a scan."""
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    forms: dict[str, list[int]] = {}
    for i, mention in enumerate(names):
        forms.setdefault(mention.key, []).append(i)
    tokens = {key: key.split() for key in forms}
    persons = [
        key
        for key, members in forms.items()
        if len(tokens[key]) > 1 and _best_class(_scores([names[i] for i in members])) == "person"
    ]
    for key, members in forms.items():
        full = _scan_full_names(tokens[key], persons, tokens)
        if _described_as_non_person([names[i] for i in members]):
            full = []
        candidates = [j for f in full for j in forms[f]]
        for i in members:
            if candidates:
                before = [j for j in candidates if names[j].start <= names[i].start]
                nearest = (
                    max(before, key=lambda j: names[j].start)
                    if before
                    else min(candidates, key=lambda j: names[j].start)
                )
                union(i, nearest)
            if len(full) <= 1:
                union(members[0], i)
    for key, members in forms.items():
        first = names[members[0]]
        if re.fullmatch(r"[A-Z]{2,6}", text[first.start : first.end]) is None:
            continue
        for other, other_members in forms.items():
            if (
                len(tokens[other]) > 1
                and other not in persons
                and _scan_spells_out(
                    text,
                    key,
                    tokens[other],
                    [names[i] for i in members],
                    [names[j] for j in other_members],
                )
            ):
                union(members[0], other_members[0])
                break
    groups: dict[int, list[int]] = {}
    for i in range(len(names)):
        groups.setdefault(find(i), []).append(i)
    return [groups[root] for root in sorted(groups)]


@settings(max_examples=60, deadline=None)
@given(case=_mentions())
def test_property_indexed_clusters_equal_the_scan(case: tuple[str, list[Mention]]) -> None:
    text, names = case
    assert cluster_mentions(text, names) == _scan_clusters(text, names)


def _person(start: int, surface: str) -> Mention:
    return Mention(
        0, start, start + len(surface), "PERSON", 1.0, (("title", "person"),), surface.casefold()
    )


def test_a_short_form_goes_to_the_latest_full_name_before_it_else_the_first_after() -> None:
    names = [
        _person(0, "Berg"),  # before both: the first one after
        _person(10, "Anna Berg"),
        _person(30, "Berg"),
        _person(40, "Otto Berg"),
        _person(60, "Berg"),
    ]
    groups = cluster_mentions(" " * 70, names)
    assert sorted(groups) == [[0, 1, 2], [3, 4]]


def test_a_short_form_of_too_many_full_names_names_none_of_them() -> None:
    people = [f"Given{i} Berg" for i in range(words.FULL_NAMES_MAX + 1)]
    names = [_person(20 * i, surface) for i, surface in enumerate(people)]
    names.append(_person(20 * len(people), "Berg"))
    names.append(_person(20 * len(people) + 10, "Berg"))
    groups = cluster_mentions(" " * (20 * len(people) + 20), names)
    assert [len(names) - 2, len(names) - 1] in groups  # the two "Berg"s, on their own
    assert len(groups) == len(people) + 1


def test_full_names_index_suffixes_first_and_last_words_and_leading_names() -> None:
    persons = ["grigory b. karasin", "wang donghai", "anna maria berg"]
    tokens = {key: tuple(key.split()) for key in [*persons, "karasin", "grigory karasin", "wang"]}
    index = _FullNames(persons, tokens)
    assert index.of(("karasin",)) == ["grigory b. karasin"]  # a surname
    assert index.of(("grigory", "karasin")) == ["grigory b. karasin"]  # first and last word
    assert index.of(("wang",)) == ["wang donghai"]  # a leading name, surname first
    assert index.of(("anna", "maria", "berg")) == []  # a name is no short form of itself
    assert index.of(("otto",)) == []


def test_a_short_form_longer_than_the_suffix_index_is_matched_by_first_and_last_word() -> None:
    long = " ".join(f"w{i}" for i in range(words.SHORT_FORM_MAX_WORDS + 3))
    short = tuple(long.split()[2:])  # a suffix longer than SHORT_FORM_MAX_WORDS words
    index = _FullNames([long], {long: tuple(long.split())})
    assert len(short) > words.SHORT_FORM_MAX_WORDS
    assert index.of(short) == []
    assert index.of((short[0], "x", short[-1])) == []
    assert index.of(("w0", "x", short[-1])) == [long]


def test_an_acronym_joins_the_earliest_name_it_spells_or_that_spells_it_out() -> None:
    text = "Federal Security Service, or FSB. Forest Service Bureau and FSB."
    org = "Federal Security Service"
    names = [
        Mention(0, 0, len(org), "ORG", 1.0, (), org.casefold()),
        Mention(0, 29, 32, "ORG", 1.0, (), "fsb"),
        Mention(0, 34, 55, "ORG", 1.0, (), "forest service bureau"),
        Mention(0, 60, 63, "ORG", 1.0, (), "fsb"),
    ]
    assert cluster_mentions(text, names) == [[0, 1, 3], [2]]


def test_coordinated_counts_vote_as_repeated_cues() -> None:
    counted = Mention(0, 0, 4, "GPE", 1.0, (), "kyiv", (("place", 3), ("person", 1)))
    repeated = Mention(
        0, 0, 4, "GPE", 1.0, (("coordinated", "place"),) * 3 + (("coordinated", "person"),), "kyiv"
    )
    assert _scores([counted]) == _scores([repeated])
