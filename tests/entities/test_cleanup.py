"""flows.entities.cleanup: the span rules that turn a model span into clean name pieces."""

from __future__ import annotations

import pytest

from flows.entities.cleanup import clean_span


@pytest.mark.parametrize(
    ("text", "label", "pieces"),
    [
        ("President Donald Trump", "PERSON", [("Donald Trump", True)]),
        ("Foreign Minister Anna Berg", "PERSON", [("Anna Berg", True)]),
        ("Mr. Okafor", "PERSON", [("Okafor", True)]),
        ("General Motors", "ORG", [("General Motors", False)]),  # titles only leave people
        ("Russia’s", "GPE", [("Russia", False)]),
        ("Reagan 's", "PERSON", [("Reagan", False)]),
        ("Somerset 83", "ORG", [("Somerset", False)]),
        ("Pohang 3 Ulsan", "ORG", [("Pohang", False), ("Ulsan", False)]),
        ("Romania - Cosmin Contra", "ORG", [("Romania", False), ("Cosmin Contra", False)]),
        ("Scott Draper (Australia", "PERSON", [("Scott Draper", False), ("Australia", False)]),
        ("the Black Sea", "LOC", [("the Black Sea", False)]),
        ("Euro 96", "EVENT", [("Euro 96", False)]),  # numbers belong to event names
        ("congress", "ORG", []),  # all lower case: no name
        ("The", "ORG", []),
        ("last Tuesday", "DATE", [("last Tuesday", False)]),
        ("-5", "CARDINAL", [("-5", False)]),
        # titles stop at the first word not followed by a capital, however many there are
        ("Dr. Prof. Gen. J. R. Smith", "PERSON", [("J. R. Smith", True)]),
        ("President  Deputy   Anna Berg", "PERSON", [("Anna Berg", True)]),
        ("President said", "PERSON", [("President said", False)]),
    ],
)
def test_clean_span(text: str, label: str, pieces: list[tuple[str, bool]]) -> None:
    found = [(text[s:e], titled) for s, e, titled in clean_span(text, 0, len(text), label)]
    assert found == pieces


def test_a_long_run_of_titles_is_stripped_in_one_pass() -> None:
    surface = "Dr. " * 3_000 + "Smith"
    ((start, end, titled),) = clean_span(surface, 0, len(surface), "PERSON")
    assert (surface[start:end], titled) == ("Smith", True)
