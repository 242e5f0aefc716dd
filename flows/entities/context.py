"""Context cues around an entity span: titles, role nouns, appositives, speech, places."""

from __future__ import annotations

import re

from flows.entities import words
from flows.entities.shapes import has_initial, person_shaped

# Labels a place cue can argue against: the model often mixes people, organisations and places.
_PLACE_RIVALS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", ""})
_POSSESSIVE = re.compile(r"\s*['’‘]s$|(?<=s)['’]$")
_LAST_WORD = re.compile(r"([A-Za-z][\w’'-]*)(\.?)\s+$")
_AFTER_VERB = re.compile(r"^\s*,?\s*(?:has\s+|had\s+|have\s+|also\s+|then\s+|later\s+)?(\w+)")
_WHO = re.compile(r"^\s*,\s*who\b")
_WHOSE = re.compile(r"^\s*,\s*whose\b")
_AGE = re.compile(r"^\s*,\s*\d{1,3}\s*,")
_APPOSITIVE = re.compile(r"^\s*,\s+([^,;.!?()\"“”]{1,100})(.?)")
_PHRASE_WORD = re.compile(r"[\w’'-]+")


def context_cues(
    text: str, unit: tuple[int, int], start: int, end: int, label: str
) -> tuple[tuple[str, str], ...]:
    """(cue, class) pairs read from a span and around it inside its unit: initials and given
    names, titles and role nouns before it, appositives and "who" after it, reporting verbs on
    either side, place prepositions. See words.CUE_WEIGHTS."""
    before = text[max(unit[0], start - words.CONTEXT_BEFORE_CHARS) : start]
    after = text[end : min(unit[1], end + words.CONTEXT_AFTER_CHARS)]
    cues = (*_shape_cues(text[start:end], label), *_cues_before(before), *_cues_after(after))
    if label in _PLACE_RIVALS:
        return cues
    # "in French", "in the World Cup": for groups, events, works and laws a preposition is no
    # sign of a place (conll: MISC F1 0.719 before this filter, 0.727 after).
    return tuple(cue for cue in cues if cue[0] not in {"place_prep", "place_of"})


def _shape_cues(surface: str, label: str) -> list[tuple[str, str]]:
    if label in {"PERSON", "ORG"} and has_initial(surface):
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
        if folded in words.SPEAKER_VERB_FORMS:
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
    if verb is not None and verb.group(1) in words.SPEAKER_VERB_FORMS:
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
    phrase = _PHRASE_WORD.findall(match.group(1))[: words.APPOSITIVE_MAX_WORDS]
    if not phrase:
        return None
    first = phrase[0]
    if not (
        first.casefold() in words.APPOSITIVE_OPENERS
        or first.islower()
        or _POSSESSIVE.search(first) is not None
    ):
        return None
    head: list[str] = []
    for word in phrase:
        if word.casefold() in words.APPOSITIVE_STOPS and head:
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
