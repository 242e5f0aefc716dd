"""flows.entities.context: the words around a name that tell a person from an org or a place."""

from __future__ import annotations

import pytest

from flows.entities.context import appositive_class, context_cues


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (", a military analyst with the Harbor Institute, said", "person"),
        (", the head of the transit authority, said", "person"),
        (", a senior diplomat and lawmaker, said", "person"),
        (", the state news agency, said", "org"),
        (", the country's domestic intelligence agency.", "org"),
        (", the capital of Norland, to discuss", "place"),
        (", Norland and Southland", None),  # a list, not an appositive
        (" said on Monday", None),
    ],
)
def test_appositive_class(after: str, expected: str | None) -> None:
    assert appositive_class(after) == expected


@pytest.mark.parametrize(
    ("sentence", "name", "cue"),
    [
        ("He met President Anna Berg today.", "Anna Berg", ("title", "person")),
        ("The veteran dissident Wen Lo was held.", "Wen Lo", ("person_noun", "person")),
        ("Data from the news outlet Kestrel showed it.", "Kestrel", ("org_noun", "org")),
        ("Ports in Norhaven were shut.", "Norhaven", ("place_prep", "place")),
        ("Berg said the talks were over.", "Berg", ("speaker", "person")),
        ("“No,” said Anna Berg.", "Anna Berg", ("speaker", "person")),
        ("Berg, who chairs the panel, left.", "Berg", ("who", "person")),
        ("P. Simmons took four wickets.", "P. Simmons", ("initial", "person")),
        ("Anna Berg took four wickets.", "Anna Berg", ("given_name", "person")),
    ],
)
def test_context_cues(sentence: str, name: str, cue: tuple[str, str]) -> None:
    start = sentence.index(name)
    cues = context_cues(sentence, (0, len(sentence)), start, start + len(name), "ORG")
    assert cue in cues
