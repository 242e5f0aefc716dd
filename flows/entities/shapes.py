"""Name shapes in raw text: given names, initials, surnames, coordinated lists, name runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flows.entities import words
from flows.entities.cleanup import fold

_NAME_RUN = re.compile(r"(?<![\w’'.-])[A-Z][\w’'-]*\.?(?:\s+[A-Z][\w’'-]*\.?){0,3}")
_WORD_AFTER = re.compile(r" ([A-Z][a-z][\w-]*)(?![\w'’.-])")
_INITIAL = re.compile(r"^[A-Z]\.\s*[A-Z][a-z]|\s[A-Z]\.\s+[A-Z][a-z]")
_COORD_GAP = re.compile(r"^(?:['’‘]s)?\s*(?:,\s*|,?\s+(?:and|or|&)\s+)$")
_CONJ_GAP = re.compile(r"^(?:['’‘]s)?\s*,?\s+(?:and|or|&)\s+$")
_NOT_NAME_OR_CALENDAR = words.NOT_NAMES | words.CALENDAR_WORDS


def has_initial(surface: str) -> bool:
    """An initial followed by a capitalised word somewhere in the span ("P. Simmons")."""
    return _INITIAL.search(surface) is not None


def is_given_name(word: str) -> bool:
    """A capitalised common given name ("Pete", "Natalya")."""
    return word[:1].isupper() and word.casefold() in words.GIVEN_NAMES


def person_shaped(surface: str) -> bool:
    """Two or more capitalised words led by a given name or an initial: "Pete Sampras",
    "P. Simmons"."""
    parts = surface.split()
    if len(parts) <= 1 or not parts[1][:1].isupper():
        return False
    return is_given_name(parts[0]) or _INITIAL.match(surface) is not None


def given_name_before(text: str, floor: int, start: int) -> int | None:
    """Start of a given name written right before `start` ("Tino Martinez"), or None."""
    if start - floor < words.GIVEN_NAME_MIN_GAP_CHARS:
        return None
    if text[start - 1] != " " or not text[start - 2].isalpha():
        return None
    word = text[max(floor, start - words.GIVEN_NAME_WINDOW_CHARS) : start - 1].rsplit(None, 1)[-1]
    if not (word.isalpha() and word[1:].islower() and is_given_name(word)):
        return None
    return start - 1 - len(word)


def surname_after(text: str, end: int, ceiling: int) -> int | None:
    """End of a capitalised word right after a lone given name ("Natalia Karimova"), or None."""
    match = _WORD_AFTER.match(text[end : min(ceiling, end + words.SURNAME_WINDOW_CHARS)])
    if match is None or fold(match.group(1)).casefold() in _NOT_NAME_OR_CALENDAR:
        return None
    return end + match.end(1)


def coordinated(text: str, left_end: int, right_start: int) -> bool:
    """True when two spans are joined as list members: "Odesa, Mykolaiv and Kherson"."""
    if right_start - left_end > words.LIST_GAP_MAX_CHARS or right_start < left_end:
        return False
    return _COORD_GAP.match(text[left_end:right_start]) is not None


def conjoined(text: str, left_end: int, right_start: int) -> bool:
    """True when two spans are joined by a conjunction: "Moscow's and Kyiv's"."""
    if right_start - left_end > words.LIST_GAP_MAX_CHARS or right_start < left_end:
        return False
    return _CONJ_GAP.match(text[left_end:right_start]) is not None


def name_runs(text: str, unit: tuple[int, int]) -> Iterator[tuple[int, int]]:
    """Runs of up to four capitalised words in a unit: where a model-less candidate can lie.
    Trim a run with trim_run before use; callers first drop runs that touch a known mention."""
    for match in _NAME_RUN.finditer(text, unit[0], unit[1]):
        yield match.start(), match.end()


def trim_run(text: str, start: int, end: int) -> tuple[int, int]:
    """A name run without a sentence's full stop and leading function words ("But Ukrinform")."""
    if text[end - 1] == "." and not re.search(r"\b[A-Z]\.$", text[start:end]):
        end -= 1
    while True:
        space = text.find(" ", start, end)
        first = text[start : space if space >= 0 else end]
        if space < 0 or fold(first).casefold() not in _NOT_NAME_OR_CALENDAR:
            return start, end
        start = space + 1
        while start < end and text[start].isspace():
            start += 1
