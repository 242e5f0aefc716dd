"""Fold text to the words a story or a quotation is compared on: marks, case and spacing dropped."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from flows.stories.words import DOUBLE_MARKS, QUOTE_KEY_HEX, SINGLE_MARKS

_MARKS = str.maketrans({**dict.fromkeys(SINGLE_MARKS, "'"), **dict.fromkeys(DOUBLE_MARKS, '"')})
# A word: letters and digits, with inner apostrophes kept ("didn't", "O'Brien") so that folding
# the mark does not split a word into two.
_WORD = re.compile(r"\w+(?:'\w+)*")


def fold_words(text: str) -> tuple[str, ...]:
    """The words of `text` after NFKC, typographic marks made ASCII and case folded; punctuation
    and whitespace are not words, so they never make two texts differ."""
    folded = unicodedata.normalize("NFKC", text).translate(_MARKS).casefold()
    return tuple(_WORD.findall(folded))


def quote_key(text: str) -> str:
    """The key every occurrence of the same quotation shares: a hash of its folded words."""
    words = " ".join(fold_words(text)).encode("utf-8")
    return hashlib.blake2b(words, digest_size=QUOTE_KEY_HEX // 2).hexdigest()
