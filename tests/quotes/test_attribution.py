"""flows.quotes.attribution: speaker, head, apposition and cue read off a real dependency parse.

Each case parses one paragraph with the session's spaCy pipeline (NER off, as the quote stage runs
it) and checks the offsets the module returns by slicing the paragraph with them.
"""

from __future__ import annotations

from typing import Any

import pytest

from flows.quotes import words as rv
from flows.quotes.attribution import (
    Attribution,
    _Call,
    antecedent_subjects,
    attribute_intro,
    attribute_spans,
)
from flows.quotes.marks import find_marked_spans
from flows.quotes.parsed import index_of

# What an attribution says, in words: (speaker mention, head word, apposition, cue).
Said = tuple[str, str, str | None, str | None]


def _parse(nlp: Any, text: str) -> Any:
    return nlp(text, disable=["ner"])


def _words(text: str, found: Attribution | None) -> Said | None:
    if found is None:
        return None
    alias = None if found.alias is None else text[found.alias[0] : found.alias[1]]
    return (
        text[found.speaker[0] : found.speaker[1]],
        text[found.head[0] : found.head[1]],
        alias,
        found.cue,
    )


# Each case: the paragraph, whether its quotes are full statements, and per quote what is said.
SPAN_CASES: list[tuple[str, str, bool, list[Said | None]]] = [
    (
        "subject after the quote",
        "“We will win this state,” Barack Obama said on Tuesday.",
        True,
        [("Barack Obama", "Obama", None, "said")],
    ),
    (
        "subject before the quote",
        "Barack Obama said on Tuesday, “We will win this state.”",
        True,
        [("Barack Obama", "Obama", None, "said")],
    ),
    (
        "inverted; a common-noun apposition is no alias",
        "“The talks were useful,” said Angela Merkel, the German chancellor.",
        True,
        [("Angela Merkel", "Merkel", None, "said")],
    ),
    (
        "colon",
        "Angela Merkel said: “The talks were useful.”",
        True,
        [("Angela Merkel", "Merkel", None, "said")],
    ),
    (
        "according to",
        "The talks were “very productive,” according to the White House.",
        False,
        [("the White House", "House", None, "according to")],
    ),
    (
        "according to a reporting noun speaks for its owner",
        "The talks were “constructive,” according to the Kremlin's readout.",
        False,
        [("the Kremlin", "Kremlin", None, "according to")],
    ),
    (
        "a partial quote inside the writer's sentence",
        "Vladimir Putin called the talks “technical” and left Moscow.",
        False,
        [("Vladimir Putin", "Putin", None, "called")],
    ),
    (
        "relative clause",
        "Angela Merkel, who called the deal “a good start,” left Berlin on Monday.",
        False,
        [("Angela Merkel", "Merkel", None, "called")],
    ),
    (
        "a pronoun is left for the speaker stage to resolve",
        "He added, “Both sides are still far apart.”",
        True,
        [("He", "He", None, "added")],
    ),
    (
        "a proper-noun apposition is the alias",
        "“It is over,” the spokesman, John Doe, said.",
        True,
        [("the spokesman", "spokesman", "John Doe", "said")],
    ),
    (
        "a possessive stays in the mention",
        "The report was “fake news,” Donald Trump's spokesman, John Doe, said.",
        False,
        [("Donald Trump's spokesman", "spokesman", "John Doe", "said")],
    ),
    (
        "the agent of a passive",
        "The deal was called “historic” by the White House.",
        False,
        [("the White House", "House", None, "called")],
    ),
    (
        "the owner of a reporting noun",
        "Trump's claim that the vote was “rigged” drew criticism.",
        False,
        [("Trump", "Trump", None, "claim")],
    ),
    (
        "a phrasal cue",
        "Obama pointed out that the plan was “fully funded.”",
        False,
        [("Obama", "Obama", None, "pointed out")],
    ),
    (
        "a common-noun speaker",
        "The plan was “reckless,” the minister wrote in a letter.",
        False,
        [("the minister", "minister", None, "wrote")],
    ),
    ("no cue: a scare quote", "The so-called “experts” were wrong again.", False, [None]),
    (
        "a nested quote gets no attribution of its own",
        "“He told me, ‘Go home,’ and then he left,” Angela Merkel said.",
        True,
        [("Angela Merkel", "Merkel", None, "said"), None],
    ),
    (
        "a statement takes the cue at the seam of the sentence before it",
        "“We will win,” Barack Obama said. “And we will win big.”",
        True,
        [("Barack Obama", "Obama", None, "said"), ("Barack Obama", "Obama", None, "said")],
    ),
]


@pytest.mark.parametrize(
    ("text", "statement", "expected"),
    [case[1:] for case in SPAN_CASES],
    ids=[case[0] for case in SPAN_CASES],
)
def test_attribute_spans(nlp: Any, text: str, statement: bool, expected: list[Said | None]) -> None:
    spans = find_marked_spans(text)
    found = attribute_spans(_parse(nlp, text), spans, [statement] * len(spans))
    assert [_words(text, a) for a in found] == expected


def test_a_fragment_does_not_borrow_the_cue_of_another_sentence(nlp: Any) -> None:
    text = "“We will win,” Barack Obama said. “And we will win big.”"
    spans = find_marked_spans(text)
    found = attribute_spans(_parse(nlp, text), spans, [True, False])
    assert [_words(text, a) for a in found] == [("Barack Obama", "Obama", None, "said"), None]


def test_offsets_are_relative_to_the_paragraph(nlp: Any) -> None:
    text = "“We will win this state,” Barack Obama said on Tuesday."
    (found,) = attribute_spans(_parse(nlp, text), find_marked_spans(text), [True])
    assert found == Attribution(speaker=(26, 38), head=(33, 38), alias=None, cue="said")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Angela Merkel said in a statement:", ("Angela Merkel", "Merkel", None, "said")),
        ("Trump told reporters on Monday:", ("Trump", "Trump", None, "told")),
        # no reporting verb, but a clause naming speech: the subject, without a cue
        ("Sanders made the following comment:", ("Sanders", "Sanders", None, None)),
        ("The weather was fine:", None),
    ],
)
def test_attribute_intro(nlp: Any, text: str, expected: Said | None) -> None:
    assert _words(text, attribute_intro(_parse(nlp, text))) == expected


@pytest.mark.parametrize(
    ("text", "pronoun", "expected"),
    [
        ("Dmitry Peskov spoke on Tuesday. He called the talks technical.", "He", ["Peskov"]),
        # main-clause subjects of earlier sentences, latest first; objects never
        (
            "Angela Merkel met Barack Obama. Then Vladimir Putin arrived. He said no.",
            "He",
            ["Putin", "Merkel"],
        ),
        # a subject earlier in the pronoun's own sentence
        ("Trump said what he called a lie was true.", "he", ["Trump"]),
        # only proper nouns
        ("The minister spoke on Tuesday. He called the talks technical.", "He", []),
    ],
)
def test_antecedent_subjects(nlp: Any, text: str, pronoun: str, expected: list[str]) -> None:
    before = text.index(f" {pronoun} ") + 1
    found = antecedent_subjects(_parse(nlp, text), before)
    assert [text[lo:hi] for lo, hi in found] == expected


def test_antecedents_are_the_latest_subjects_up_to_the_cap(nlp: Any) -> None:
    names = [f"{given} {surname}" for given in ("Anna", "Otto") for surname in SURNAMES]
    text = " ".join(f"{name} arrived." for name in names) + " He said no."
    found = antecedent_subjects(_parse(nlp, text), text.index(" He ") + 1)
    assert 0 < len(found) <= rv.ANTECEDENTS_MAX < len(names)
    assert text[slice(*found[0])] == names[-1].split()[-1]


def test_the_cues_tried_per_quote_are_the_nearest_up_to_the_cap(nlp: Any) -> None:
    text = "Anna " + "said, " * 40 + "“yes” and Otto said."
    parsed = _parse(nlp, text)
    (span,) = find_marked_spans(text)
    lo, hi = span.open_mark, text.index("” and") + 1  # the quote, marks included
    call = _Call(parsed, [(lo, hi)])
    sentences = index_of(parsed).sentences
    cues = call._nearest(sentences[0][0], sentences[-1][1], lo, hi)
    assert len(cues) == rv.CUES_PER_QUOTE_MAX
    distances = [lo - t.idx if t.idx < lo else t.idx - hi for t in cues]
    assert distances == sorted(distances)  # nearest first, on either side
    assert cues[0].idx == text.rindex("said", 0, lo)
    assert text.rindex("said") in [t.idx for t in cues]  # "Otto said", after the quote


SURNAMES = [
    "Berg",
    "Zorin",
    "Putin",
    "Lavrov",
    "Merkel",
    "Obama",
    "Wrona",
    "Kuznets",
    "Umerov",
    "Witkoff",
    "Rubio",
    "Karasin",
    "Budanov",
    "Martinez",
    "Sampras",
    "Petrov",
    "Sidorov",
    "Meyer",
    "Schmidt",
    "Novak",
]
