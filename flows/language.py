"""Identify a document's language when its source does not declare it."""

from __future__ import annotations

import functools
from typing import Any

from flows.words import LANGUAGE_MIN_CONFIDENCE, LANGUAGE_MIN_LETTERS, LANGUAGE_SAMPLE_CHARS


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415 - loads a model

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell or
    the identifier is not confident."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < LANGUAGE_MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= LANGUAGE_MIN_CONFIDENCE else None
