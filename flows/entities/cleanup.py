"""Clean a model's entity span into name pieces; the folded forms names are compared in."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from flows.entities import words
from flows.entities.casing import QUOTE_MARKS

# Labels whose spans are cut at numbers, spaced dashes and brackets: a name never contains
# them, while "Euro 96" (EVENT) or "Windows 95" (PRODUCT) do.
_SPLIT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_SEPARATOR = re.compile(
    r"\s+[-–—]+\s+"  # "Romania - Cosmin Contra": a spaced dash joins two names, never one
    r"|\s*[()\[\]{}\"“”|;:]\s*"  # "Scott Draper (Australia"
    r"|(?<!\S)[-+=]?\d[\d.,:/\-–+=%]*(?!\S)"  # scores and counts: "Somerset 83", "1= Igor"
    r"|(?<!\S)[-+=–—]+(?!\S)"
)
_LEAD_PUNCT = frozenset(",.;:'’‘\"“”-–—/!?*+=&#")
_TRAIL_PUNCT = frozenset(",;:'’‘\"“”-–—/!?*+=&#")
_POSSESSIVE_S = ("'s", "’s", "‘s")
_POSSESSIVE_CHARS = len("'s")  # every form above is a mark and an "s"
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_NON_SPACE = re.compile(r"\S")


def fold(text: str) -> str:
    """NFKC, ASCII quote marks and single spaces: the form names are compared in."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.translate(QUOTE_MARKS).split())


def clean_span(text: str, start: int, end: int, label: str) -> Iterator[tuple[int, int, bool]]:
    """The name pieces of one model span: (start, end, had_title). A span is cut at separators
    (numbers, spaced dashes, brackets), stripped of edge punctuation and a possessive, and a
    PERSON span loses its leading titles ("President Donald Trump" -> "Donald Trump")."""
    for piece_start, piece_end, titled in _pieces(text[start:end], label):
        yield start + piece_start, start + piece_end, titled


@functools.lru_cache(maxsize=1 << 14)
def _pieces(surface: str, label: str) -> tuple[tuple[int, int, bool], ...]:
    """clean_span relative to the span: it depends on the words alone, and names repeat."""
    if label not in words.NAME_LABELS:  # values ("-5", "$40,000", "last year's") stay whole
        lead = len(surface) - len(surface.lstrip())
        trail = len(surface) - len(surface.rstrip())
        return ((lead, len(surface) - trail, False),) if surface.strip() else ()
    cuts: list[tuple[int, int]] = []
    if label in _SPLIT_LABELS:
        pos = 0
        for sep in _SEPARATOR.finditer(surface):
            cuts.append((pos, sep.start()))
            pos = sep.end()
        cuts.append((pos, len(surface)))
    else:
        cuts.append((0, len(surface)))
    out = []
    for cut_start, cut_end in cuts:
        s, e = _trim(surface, cut_start, cut_end)
        titled = False
        if label == "PERSON":
            s, titled = _strip_titles(surface, s, e)
        if s < e and _looks_like_name(surface[s:e]):
            out.append((s, e, titled))
    return tuple(out)


def clear_caches() -> None:
    """Forget memoised span forms (a benchmark's repeated runs must each start cold)."""
    _pieces.cache_clear()
    name_key.cache_clear()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while True:
        while start < end and (text[start].isspace() or text[start] in _LEAD_PUNCT):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAIL_PUNCT):
            end -= 1
        if end - start > _POSSESSIVE_CHARS and text.endswith(_POSSESSIVE_S, start, end):
            end -= _POSSESSIVE_CHARS  # "Russia's", and "Reagan 's" in tokenised text
        else:
            return start, end


def _strip_titles(text: str, start: int, end: int) -> tuple[int, bool]:
    parts = text[start:end].split(None, 1)
    first = parts[0].rstrip(".").casefold() if parts else ""
    if first not in words.TITLE_WORDS and first not in words.TITLE_MODIFIERS:
        return start, False
    pos, titled = start, False
    for token in _WORD.finditer(text, start, end):
        word = token.group().rstrip(".").casefold()
        following = _NON_SPACE.search(text, token.end(), end)  # what follows, without a copy
        if following is None or not following.group().isupper():
            break
        if word in words.TITLE_WORDS:
            titled = True
        elif word not in words.TITLE_MODIFIERS:
            break
        pos = token.end()
    if not titled:
        return start, False
    while pos < end and text[pos].isspace():
        pos += 1
    return pos, True


def _looks_like_name(surface: str) -> bool:
    if surface.islower() or not any(map(str.isalpha, surface)):
        return False  # all lower case ("congress", "the") or no letters; caseless scripts pass
    return surface.lower().removeprefix("the ") not in words.NOT_NAMES


@functools.lru_cache(maxsize=1 << 14)
def name_key(surface: str) -> str:
    """The case-insensitive key a name is grouped by: folded, no leading "the"."""
    return _LEADING_THE.sub("", fold(surface)).casefold()


def display_name(surface: str) -> str:
    """A surface form as a canonical name: folded spaces, no leading "the"."""
    return _LEADING_THE.sub("", " ".join(surface.split()))
