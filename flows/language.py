"""Identify a document's language when its source does not declare it."""

from __future__ import annotations

import functools
from typing import Any

# Below this many letters langid's guess is noise (headlines alone mislead it).
MIN_LETTERS = 40
# langid reads the first few thousand characters; more adds time, not accuracy, for news text.
SAMPLE_CHARS = 5000
# A guess is kept only at this normalized probability. English prose scores 1.00 and French or
# German paragraphs 0.9998; English sports tables of names and numbers (CoNLL dev) score 0.3-0.97
# for "en" and up to 0.77 for wrong codes ("pcm", "hr"), so below 0.9 we say "unknown" instead.
MIN_CONFIDENCE = 0.9


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415 - loads a model

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell or
    the identifier is not confident."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= MIN_CONFIDENCE else None
