"""Identify a document's language when its source does not declare it."""

from __future__ import annotations

import py3langid

# Below this many letters langid's guess is noise (headlines alone mislead it).
MIN_LETTERS = 40
# langid reads the first few thousand characters; more adds time, not accuracy, for news text.
SAMPLE_CHARS = 5000


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    code, _score = py3langid.classify(sample)
    return str(code)
