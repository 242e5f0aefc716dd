"""The quote parse's stand-in for attribute_ruler and lemmatizer gives what they give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy

from flows.quotes.annotate import (
    RuleAttributes,
    annotate,
    disabled_for_parse,
    lemma,
    lemmatizer,
    rule_attributes,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Contractions and slang the ruler's longer patterns and exceptions are about, spaces, quotes.
TRICKY = [
    "I ain't gonna do it, he said.  They're  fine\n\n ok",
    "Y'all ain't seen nothin', she says; we're gonna wait 'til 9 a.m.",
    '"We will not yield," said Gen. Smith, who\'d told reporters it\'s "over."',
    "U.S. officials, according to Reuters, called it a \u201cdisaster\u201d \u2014 twice.",
    "Kuznets said: \u201cThe Kremlin's readout was clear\u201d, adding that talks would go on.",
]


def _texts() -> list[str]:
    lines = [
        line
        for path in sorted(SEEDS.iterdir())
        if path.suffix in {".txt", ".html", ".htm"}
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    return lines + TRICKY


def _view(token: Any, lemma_of: Any) -> tuple[str, ...]:
    return (token.text, token.tag_, token.pos_, str(token.morph), lemma_of(token), token.dep_)


def test_the_stand_in_matches_ruler_and_lemmatizer_token_for_token(nlp: Any) -> None:
    attributes = rule_attributes(nlp)
    assert attributes is not None, "en_core_web_sm's ruler uses only handled pattern features"
    texts = _texts()
    reference = list(nlp.pipe(texts, disable=["ner"]))
    fast = [
        annotate(doc, attributes, lemmatizer(nlp))
        for doc in nlp.pipe(texts, disable=disabled_for_parse(nlp, attributes))
    ]
    assert "attribute_ruler" in disabled_for_parse(nlp, attributes)
    compared = 0
    for ref_doc, fast_doc in zip(reference, fast, strict=True):
        for ref, got in zip(ref_doc, fast_doc, strict=True):
            assert _view(got, lemma) == _view(ref, lambda t: t.lemma_)
            compared += 1
    assert compared > 1000
    # The stand-in really ran: without it the parse has no coarse tags at all.
    bare = next(iter(nlp.pipe(["He said it."], disable=disabled_for_parse(nlp, attributes))))
    assert [t.pos_ for t in bare] == ["", "", "", ""]


def _blank_ruler() -> tuple[Any, Any]:
    blank = spacy.blank("en")
    ruler: Any = blank.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "x"}]], {"POS": "NOUN"})
    ruler.add([[{"LOWER": {"IN": ["x", "y"]}}]], {"POS": "VERB", "LEMMA": "ex"})
    ruler.add([[{"LOWER": "gon"}, {"LOWER": {"REGEX": "^na$"}}]], {"LEMMA": "to"}, index=1)
    ruler.add([[{"LOWER": {"NOT_IN": ["x", "y", "gon", "na"]}, "IS_SPACE": False}]], {"POS": "X"})
    ruler.add([[{"IS_SPACE": True}]], {"POS": "SPACE"})
    return blank, ruler


@pytest.mark.parametrize("text", ["x y z", "gon na x", "a  x gon na", "", "na gon"])
def test_patterns_apply_as_the_ruler_applies_them(text: str) -> None:
    blank, ruler = _blank_ruler()
    stand_in = RuleAttributes(ruler)
    expected = [(t.pos_, t.lemma_) for t in ruler(blank.make_doc(text))]
    got = [(t.pos_, t.lemma_) for t in stand_in(blank.make_doc(text))]
    assert got == expected
    if "x" in text.split():
        # The later of two patterns on one token wins: VERB, not NOUN.
        assert ("VERB", "ex") in got


def test_a_pipeline_without_the_components_keeps_its_own(nlp: Any) -> None:
    blank = spacy.blank("en")
    assert rule_attributes(blank) is None
    assert disabled_for_parse(blank, None) == []
    assert disabled_for_parse(nlp, None) == ["ner"]
