"""Surface rules for entity spans: cleanup, context cues, given names, candidate name runs.

Everything here looks at characters only (no model), so the resolution layer stays cheap and is
tested without spaCy. Offsets are always absolute offsets into the document text.
"""

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
# Labels a place cue can argue against: the model often mixes people, organisations and places.
_PLACE_RIVALS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", ""})
_SEPARATOR = re.compile(
    r"\s+[-–—]+\s+"  # "Romania - Cosmin Contra": a spaced dash joins two names, never one
    r"|\s*[()\[\]{}\"“”|;:]\s*"  # "Scott Draper (Australia"
    r"|(?<!\S)[-+=]?\d[\d.,:/\-–+=%]*(?!\S)"  # scores and counts: "Somerset 83", "1= Igor"
    r"|(?<!\S)[-+=–—]+(?!\S)"
)
_LEAD_PUNCT = frozenset(",.;:'’‘\"“”-–—/!?*+=&#")
_TRAIL_PUNCT = frozenset(",;:'’‘\"“”-–—/!?*+=&#")
_POSSESSIVE = re.compile(r"\s*['’‘]s$|(?<=s)['’]$")
_POSSESSIVE_S = ("'s", "’s", "‘s")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)

_NAME_RUN = re.compile(r"(?<![\w’'.-])[A-Z][\w’'-]*\.?(?:\s+[A-Z][\w’'-]*\.?){0,3}")
_LAST_WORD = re.compile(r"([A-Za-z][\w’'-]*)(\.?)\s+$")
_AFTER_VERB = re.compile(r"^\s*,?\s*(?:has\s+|had\s+|have\s+|also\s+|then\s+|later\s+)?(\w+)")
_WHO = re.compile(r"^\s*,\s*who\b")
_WHOSE = re.compile(r"^\s*,\s*whose\b")
_WORD_AFTER = re.compile(r" ([A-Z][a-z][\w-]*)(?![\w'’.-])")
_INITIAL = re.compile(r"^[A-Z]\.\s*[A-Z][a-z]|\s[A-Z]\.\s+[A-Z][a-z]")
_AGE = re.compile(r"^\s*,\s*\d{1,3}\s*,")
_APPOSITIVE = re.compile(r"^\s*,\s+([^,;.!?()\"“”]{1,100})(.?)")
_PHRASE_WORD = re.compile(r"[\w’'-]+")
_APPOSITIVE_OPENERS = frozenset({"a", "an", "the", "his", "her", "its", "their"})
_PHRASE_STOPS = frozenset({"of", "to", "for", "with", "at", "in", "on", "from", "by", "and", "or"})
_PHRASE_STOPS |= frozenset({"who", "which", "that", "whose", "since", "until", "after", "before"})
_COORD_GAP = re.compile(r"^(?:['’‘]s)?\s*(?:,\s*|,?\s+(?:and|or|&)\s+)$")
_CONJ_GAP = re.compile(r"^(?:['’‘]s)?\s*,?\s+(?:and|or|&)\s+$")
_MAX_GAP = 8


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
        if end - start > 2 and text.endswith(_POSSESSIVE_S, start, end):
            end -= 2  # "Russia's", and "Reagan 's" in tokenised text
        else:
            return start, end


def _strip_titles(text: str, start: int, end: int) -> tuple[int, bool]:
    parts = text[start:end].split(None, 1)
    first = parts[0].rstrip(".").casefold() if parts else ""
    if first not in words.TITLE_WORDS and first not in words.TITLE_MODIFIERS:
        return start, False
    pos, titled = start, False
    for token in re.finditer(r"\S+", text[start:end]):
        word = token.group().rstrip(".").casefold()
        rest = text[start + token.end() : end].strip()
        if not rest or not rest[0].isupper():
            break
        if word in words.TITLE_WORDS:
            titled = True
        elif word not in words.TITLE_MODIFIERS:
            break
        pos = start + token.end()
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


def context_cues(
    text: str, unit: tuple[int, int], start: int, end: int, label: str
) -> tuple[tuple[str, str], ...]:
    """(cue, class) pairs read from a span and around it inside its unit: initials and given
    names, titles and role nouns before it, appositives and "who" after it, reporting verbs on
    either side, place prepositions. See entity_words.CUE_WEIGHTS."""
    before = text[max(unit[0], start - 60) : start]
    after = text[end : min(unit[1], end + 120)]
    cues = (*_shape_cues(text[start:end], label), *_cues_before(before), *_cues_after(after))
    if label in _PLACE_RIVALS:
        return cues
    # "in French", "in the World Cup": for groups, events, works and laws a preposition is no
    # sign of a place (conll: MISC F1 0.719 before this filter, 0.727 after).
    return tuple(cue for cue in cues if cue[0] not in {"place_prep", "place_of"})


def _shape_cues(surface: str, label: str) -> list[tuple[str, str]]:
    if label in {"PERSON", "ORG"} and _INITIAL.search(surface):
        return [("initial", "person")]  # not for places: "N. Korea"
    if person_shaped(surface):
        return [("given_name", "person")]
    return []


def _cues_before(before: str) -> list[tuple[str, str]]:
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return []  # glued to what precedes it ("pro-Russian", "(Reuters")
    tail = stripped.rsplit(None, 2)
    if not tail:
        return []
    last = tail[-1].lstrip("([\"'“‘")
    folded = last.rstrip(".").casefold()
    previous = tail[-2].casefold() if len(tail) > 1 else ""
    cues: list[tuple[str, str]] = []
    if last[:1].isupper() and folded in words.TITLE_WORDS:
        cues.append(("title", "person"))
    elif last.islower() and not last.endswith("."):
        noun_class = _noun_class(folded)
        if noun_class is not None and noun_class != "place":
            cues.append((noun_class + "_noun", noun_class))
        if folded in words.REPORTING_VERBS:
            cues.append(("speaker", "person"))
    if folded in words.PLACE_PREPOSITIONS or (
        folded == "the" and previous in words.PLACE_PREPOSITIONS
    ):
        cues.append(("place_prep", "place"))
    if folded == "of" and (previous in words.PLACE_NOUNS or previous in words.PLACE_PARTS):
        cues.append(("place_of", "place"))
    if folded == "to" and previous == "according":
        cues.append(("speaker", "person"))
    return cues


def _cues_after(after: str) -> list[tuple[str, str]]:
    cues: list[tuple[str, str]] = []
    verb = _AFTER_VERB.match(after)
    if verb is not None and verb.group(1) in words.REPORTING_VERBS:
        cues.append(("speaker", "person"))
    if _WHO.match(after) or _AGE.match(after):
        cues.append(("who", "person"))
    elif _WHOSE.match(after):
        cues.append(("whose", "person"))
    else:
        appositive = appositive_class(after)
        if appositive is not None:
            cues.append((appositive + "_noun", appositive))
    return cues


def is_given_name(word: str) -> bool:
    """A capitalised common given name ("Pete", "Natalya")."""
    return word[:1].isupper() and word.casefold() in words.GIVEN_NAMES


def person_shaped(surface: str) -> bool:
    """Two or more capitalised words led by a given name or an initial: "Pete Sampras",
    "P. Simmons"."""
    parts = surface.split()
    if len(parts) < 2 or not parts[1][:1].isupper():
        return False
    return is_given_name(parts[0]) or _INITIAL.match(surface) is not None


def given_name_before(text: str, floor: int, start: int) -> int | None:
    """Start of a given name written right before `start` ("Tino Martinez"), or None."""
    if start - floor < 3 or text[start - 1] != " " or not text[start - 2].isalpha():
        return None
    word = text[max(floor, start - 20) : start - 1].rsplit(None, 1)[-1]
    if not (word.isalpha() and word[1:].islower() and is_given_name(word)):
        return None
    return start - 1 - len(word)


def surname_after(text: str, end: int, ceiling: int) -> int | None:
    """End of a capitalised word right after a lone given name ("Natalia Karimova"), or None."""
    match = _WORD_AFTER.match(text[end : min(ceiling, end + 30)])
    if match is None or fold(match.group(1)).casefold() in words.NOT_NAMES | words.CALENDAR_WORDS:
        return None
    return end + match.end(1)


def role_noun_before(before: str) -> str | None:
    """The class of a lower-case role noun right before a name ("news outlet X" -> org)."""
    last = _LAST_WORD.search(before)
    if last is None or last.group(2) or not last.group(1).islower():
        return None
    noun_class = _noun_class(last.group(1))
    return None if noun_class == "place" else noun_class


def appositive_class(after: str, *, closed: bool = False) -> str | None:
    """The class named by an appositive right after a name ("X, a military analyst," -> person),
    or None. The head is the last cue noun before the first preposition or conjunction.
    With closed=True the appositive must end in a comma (used when there is no model span)."""
    match = _APPOSITIVE.match(after)
    if match is None or (closed and match.group(2) != ","):
        return None
    phrase = _PHRASE_WORD.findall(match.group(1))[:12]
    if not phrase:
        return None
    first = phrase[0]
    if not (
        first.casefold() in _APPOSITIVE_OPENERS
        or first.islower()
        or _POSSESSIVE.search(first) is not None
    ):
        return None
    head: list[str] = []
    for word in phrase:
        if word.casefold() in _PHRASE_STOPS and head:
            break
        head.append(word)
    for word in reversed(head):
        noun_class = _noun_class(_POSSESSIVE.sub("", word).casefold())
        if noun_class is not None:
            return noun_class
    return None


def _noun_class(word: str) -> str | None:
    if word in words.PERSON_NOUNS:
        return "person"
    if word in words.ORG_NOUNS:
        return "org"
    if word in words.PLACE_NOUNS:
        return "place"
    return None


def coordinated(text: str, left_end: int, right_start: int) -> bool:
    """True when two spans are joined as list members: "Odesa, Mykolaiv and Kherson"."""
    if right_start - left_end > _MAX_GAP or right_start < left_end:
        return False
    return _COORD_GAP.match(text[left_end:right_start]) is not None


def conjoined(text: str, left_end: int, right_start: int) -> bool:
    """True when two spans are joined by a conjunction: "Moscow's and Kyiv's"."""
    if right_start - left_end > _MAX_GAP or right_start < left_end:
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


_NOT_NAME_OR_CALENDAR = words.NOT_NAMES | words.CALENDAR_WORDS
