"""flows.language.detect_language: a code for clear prose, None for too little or unsure text."""

from __future__ import annotations

import pytest

from flows.language import detect_language
from flows.words import LANGUAGE_MIN_LETTERS, LANGUAGE_SAMPLE_CHARS

PROSE = {
    "en": "Officials in the capital said on Tuesday that the new bridge would open next month, "
    "after two years of repairs.",
    "fr": "Les responsables de la capitale ont déclaré mardi que le nouveau pont ouvrirait le mois "
    "prochain, après deux ans de travaux.",
    "de": "Die Behörden der Hauptstadt erklärten am Dienstag, die neue Brücke werde nach zwei "
    "Jahren Bauzeit im nächsten Monat eröffnet.",
    "es": "Las autoridades de la capital dijeron el martes que el nuevo puente se abrirá el "
    "próximo mes, después de dos años de obras.",
}


@pytest.mark.parametrize(("code", "text"), sorted(PROSE.items()))
def test_prose_gets_its_language(code: str, text: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Bridge opens",  # a headline alone misleads the identifier
        "12345 67890 " * 50,  # no letters at all
        # sports tables of names and numbers: the identifier guesses, but is not sure
        "Ajax 3 PSV 1 Feyenoord 2 Utrecht 0 Twente 1 Vitesse 1 Groningen 0 Heerenveen 2 NAC 1",
        "Somerset 83 Essex 212-4 Kent 301 Surrey 45-2 Sussex 199 Yorkshire 88 Durham 175-6",
        "Tennis results: Agassi (USA) beat Rafter (Australia) 6-3 6-4; Sampras (USA) beat "
        "Ivanisevic (Croatia) 7-6 6-2",
    ],
)
def test_too_little_or_unsure_text_is_unknown(text: str) -> None:
    assert detect_language(text) is None


def _first_letters(text: str, count: int) -> str:
    """The shortest prefix of text holding `count` letters."""
    seen = 0
    for end, char in enumerate(text, start=1):
        seen += char.isalpha()
        if seen == count:
            return text[:end]
    raise ValueError(f"fewer than {count} letters")


def test_the_letter_threshold() -> None:
    enough = _first_letters(PROSE["en"], LANGUAGE_MIN_LETTERS)
    assert detect_language(enough) == "en"
    assert detect_language(enough[:-1]) is None


@pytest.mark.parametrize(("first", "then"), [("en", "fr"), ("fr", "de")])
def test_only_the_opening_sample_is_read(first: str, then: str) -> None:
    opening = (PROSE[first] + " ") * (LANGUAGE_SAMPLE_CHARS // len(PROSE[first]) + 1)
    assert len(opening) > LANGUAGE_SAMPLE_CHARS
    assert detect_language(opening + PROSE[then] * 200) == first
