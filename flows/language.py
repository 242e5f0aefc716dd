"""Identify a document's language when its source does not declare it."""

from __future__ import annotations

import functools
import threading
from typing import Any

from flows.words import LANGUAGE_MIN_CONFIDENCE, LANGUAGE_MIN_LETTERS, LANGUAGE_SAMPLE_CHARS

_loading = threading.Lock()


def warm_up() -> None:
    """Load the identifier's model in a background thread. Most of its 0.7 s is LZMA
    decompression, which runs without the GIL: started before the spaCy pipeline loads, it
    costs a run next to nothing. Once loaded (every batch after a process's first), nothing."""
    if _load_identifier.cache_info().currsize:
        return
    threading.Thread(target=_identifier, name="language-model", daemon=True).start()


def _identifier() -> Any:
    with _loading:  # one load, whichever thread asks first
        return _load_identifier()


@functools.cache
def _load_identifier() -> Any:
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
