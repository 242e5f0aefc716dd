"""Classify a quoted span: direct, partial, title, headline, scare or nested."""

from __future__ import annotations

import re

from flows.quotes import words as rv
from flows.quotes.chains import Paragraph
from flows.quotes.entity_index import EntityIndex
from flows.quotes.marks import MarkedSpan
from flows.quotes.speakers import Speaker
from flows.words import MINOR_WORDS

_HEADLINE_BLOCKS = frozenset({"title", "heading"})
# A one- or two-word capitalized quote with a given name or an initial just before and a
# capitalized word just after is a nickname inside a name.
_NAME_BEFORE = re.compile(r"(?:^|\s)(?:[A-Z]\.|[A-Z][a-z]+) $")
_NICKNAME = re.compile(r"[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*)?")
_NAME_AFTER = re.compile(r" [A-Z][a-z]")
_INITIAL_END = re.compile(r"(?:^|\s)[A-Z]\.$")
# Owners whose possessive before a “Title Case” quote makes it the name of a show.
_TITLE_OWNERS = frozenset({"ORG", "FAC", "WORK_OF_ART", "PRODUCT"})
# What a full statement's opening mark may follow (besides a colon or nothing).
_STATEMENT_AFTER = frozenset(",.?!”’—–―")


def quote_kind(
    entities: EntityIndex,
    para: Paragraph,
    *,
    text: str,
    span: MarkedSpan,
    statement: bool,
    speaker: Speaker | None,
) -> str:
    if span.nested:
        return "nested"
    if para.block.kind in _HEADLINE_BLOCKS or (span.single and para.first):
        return "headline"  # headlines quote in single marks; PolNeAR's first lines end in "."
    quoted = text[span.start : span.end]
    end = _before_end(text, span.open_mark)
    before = _tail(text, end)
    owner = _owner_label(entities, para.block.start + end, before)
    if _is_title(before, quoted, owner) or _is_nickname(text, span, entities, para.block.start):
        return "title"
    if span.single and speaker is None:
        return "scare"  # lone single marks in a double-quoting text: a word set apart
    if statement:
        return "direct"
    return "partial" if speaker is not None else "scare"


def is_statement(text: str, span: MarkedSpan) -> bool:
    """A full statement opens the paragraph or follows a colon, comma or sentence end."""
    if span.open_mark == 0:
        return True
    before = _tail(text, _before_end(text, span.open_mark))
    first = next((ch for ch in text[span.start : span.end] if ch.isalnum()), "")
    if before.endswith(":"):
        return True
    if _INITIAL_END.search(before):
        return False  # "Robert C." ends with an initial, not a sentence
    return before[-1:] in _STATEMENT_AFTER and (first.isupper() or first.isdigit())


def _before_end(text: str, mark: int) -> int:
    """Where text[:mark].rstrip() ends, without copying the text before the quote."""
    while mark > 0 and text[mark - 1].isspace():
        mark -= 1
    return mark


def _tail(text: str, end: int) -> str:
    """The end of the text before a quote: all that the cues before a quote read."""
    return text[max(0, end - rv.BEFORE_QUOTE_CHARS) : end]


def _is_title(before: str, quoted: str, owner: str | None) -> bool:
    """“Title” right after a word naming a work (the book “...”, his 2002 book, “...”), or a
    show after a broadcaster's possessive (MSNBC’s “Morning Joe”, Fox News’s “...”): an
    organisation's, since a person's “...” is speech."""
    if len(quoted.split()) > rv.WORK_TITLE_MAX_WORDS:
        return False
    words = re.findall(r"[\w’'-]+", before[-rv.TITLE_CUE_WINDOW_CHARS :])
    if not words or not (before[-1:].isalnum() or before.endswith(",")):
        return False  # no full stop or colon between the cue word and the mark
    if words[-1].lower() in rv.TITLE_CUES:
        return True
    acronym = re.fullmatch(r"[A-Z]{2,}[’']s", words[-1]) is not None
    return (acronym or owner in _TITLE_OWNERS) and _is_title_case(quoted)


def _owner_label(entities: EntityIndex, end: int, before: str) -> str | None:
    """The label of the entity whose possessive ends `before` (at offset `end`), if any."""
    mark = re.search(r"[’']s?$", before)
    if mark is None:
        return None
    return entities.label_ending_at(end - len(mark.group()))


def _is_title_case(quoted: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", quoted) if w.lower() not in MINOR_WORDS]
    return bool(words) and all(w[0].isupper() for w in words)


def _is_nickname(text: str, span: MarkedSpan, entities: EntityIndex, base: int) -> bool:
    """Robert C. “Bobby” Scott: a nickname between the parts of a name, whether the NER read the
    whole as one mention or not."""
    after = len(text) if span.close_mark is None else span.close_mark + 1
    lo, hi = base + span.open_mark, base + after
    if entities.encloses(lo, hi):
        return True
    reach = max(0, span.open_mark - rv.BEFORE_QUOTE_CHARS)
    return (
        _NAME_BEFORE.search(text, reach, span.open_mark) is not None
        and _NICKNAME.fullmatch(text, span.start, span.end) is not None
        and _NAME_AFTER.match(text, after) is not None
    )
