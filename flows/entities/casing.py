"""Read how a document writes capitals and build the text the NER model reads for each unit.

Headlines, datelines and result tables are often ALL CAPS, and headings Title Case: there the
capitals are style, not evidence of a name, and the small model tags common words as names
while missing real ones. Each such line is truecased for the model, from the document's own
usage, without changing its length, so every offset stays valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flows.entities.words import (
    SHOUTED_CAPS_SHARE,
    SHOUTED_MIN_CAPITALS,
    TITLE_CASED_LONG_WORD_CHARS,
    TITLE_CASED_MIN_LONG_WORDS,
    TRUECASE_FUNCTION_WORDS,
)

QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_LOWER_PAIR = re.compile(r"[^\W\d_A-Z]{2}")  # two letters in a row, neither an ASCII capital
# A word of TITLE_CASED_LONG_WORD_CHARS letters or more that starts in lower case.
_LOWER_LONG_WORD = re.compile(rf"(?<![^\W\d_])[a-z][^\W\d_]{{{TITLE_CASED_LONG_WORD_CHARS - 1}}}")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z,] )[A-Z][a-z][a-z'’-]*")


def is_shouted(text: str) -> bool:
    """True for an ALL-CAPS line (headline, dateline, results table): no two lower-case letters
    in a row, and most cased letters capitals."""
    if _LOWER_PAIR.search(text):
        return False  # prose, and the fast exit for it
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    return upper >= SHOUTED_MIN_CAPITALS and upper >= SHOUTED_CAPS_SHARE * (upper + lower)


@dataclass(frozen=True, slots=True)
class Casing:
    """How one document writes capitals, read once and shared by the model input and resolution."""

    shouted: tuple[bool, ...]  # per run unit: an ALL-CAPS line
    headline: tuple[bool, ...]  # per run unit: ALL CAPS or Title Case, capitals are style there
    # Words the document writes in lower case and never capitalises inside a sentence: common
    # words of this document, whatever they are in general ("leading", "scores", but not "new"
    # when the story also says "New York").
    vocabulary: frozenset[str]


def read_casing(text: str, units: Sequence[tuple[int, int]]) -> Casing:
    """The casing facts of a document whose model run units are `units`."""
    shouted = tuple(is_shouted(text[start:end]) for start, end in units)
    headline = tuple(
        loud or is_title_cased(text[start:end])
        for loud, (start, end) in zip(shouted, units, strict=True)
    )
    capitalised = {
        word.lower()
        for (start, end), styled in zip(units, headline, strict=True)
        if not styled
        for word in _MID_SENTENCE_CAPITAL.findall(text, start, end)
    }
    return Casing(shouted, headline, frozenset(set(_LOWER_WORD.findall(text)) - capitalised))


def is_title_cased(text: str) -> bool:
    """True for a headline-style line: every word of four letters or more is capitalised."""
    if _LOWER_LONG_WORD.search(text):
        return False
    long_words = [w for w in _LETTER_RUN.findall(text) if len(w) >= TITLE_CASED_LONG_WORD_CHARS]
    return len(long_words) >= TITLE_CASED_MIN_LONG_WORDS and all(w[0].isupper() for w in long_words)


def model_text(text: str, casing: Casing, unit: int) -> str:
    """What the model reads for one unit: same length, ASCII quote marks, and a headline-cased
    line truecased: words the document writes in lower case are lowered, others keep or get a
    capital. The small model reads capitals as names: it missed 131 of conll's shouted places,
    and took the seed's heading "The Russian Delegation" for an organisation."""
    text = text.translate(QUOTE_MARKS)
    if not casing.headline[unit]:
        return text
    shouted, vocabulary = casing.shouted[unit], casing.vocabulary
    chars = list(text)
    for match in _LETTER_RUN.finditer(text):
        start, word = match.start(), match.group()
        before = text[start - 1] if start else " "
        if len(word) == 1 and before not in "'":
            continue  # initials and "U.S." stay capitals
        lowered = word.lower()
        keep_first = before != "'" and not (
            start > 0 and (lowered in TRUECASE_FUNCTION_WORDS or lowered in vocabulary)
        )
        if not shouted and keep_first:
            continue
        for i in range(start + (1 if keep_first else 0), match.end() if shouted else start + 1):
            low = chars[i].lower()
            if len(low) == 1:
                chars[i] = low
    return "".join(chars)
