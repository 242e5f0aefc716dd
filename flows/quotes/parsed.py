"""One parsed paragraph read once: token and sentence offsets, and tree walks memoised by token.

Attribution asks the same questions of a parse for every quote in it (which tokens lie in this
range, which sentence holds this offset, is this word a cue, which words name this head). Asked
of the spaCy Doc each time, they cost a pass over the paragraph per quote, which is quadratic in a
paragraph of many quotes. ParseIndex answers them with binary searches and caches; it is kept in
the Doc's user_data and holds only numbers, so it lives and dies with its Doc.
"""

from __future__ import annotations

import bisect
from typing import Any

from flows.quotes import words as rv
from flows.quotes.annotate import lemma
from flows.words import REPORTING_VERBS

Token = Any  # spacy.tokens.Token: spaCy ships no type information mypy can use

VERB_POS = frozenset({"VERB", "AUX"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
# Children kept in a speaker mention: the words that name it, not the clauses that describe it.
_LEFT_SKIP = frozenset({"punct", "cc", "prep", "relcl", "appos", "acl", "advmod"})
_RIGHT_KEEP = frozenset({"prep", "compound", "flat", "nummod", "nmod", "pobj"})
_MENTION_STOPS = frozenset({",", "(", "—", "–", ";", ":", "“", "”", "‘", "’", '"', "―", "-", "--"})
_USER_DATA_KEY = "newsdesk.quotes.parse_index"
_NONE = -1  # a memoised "no token"


class ParseIndex:
    """Offsets, sentences and memoised tree walks of one parsed paragraph (token indexes only)."""

    def __init__(self, parsed: Any) -> None:
        self.text: str = parsed.text
        self.starts = [token.idx for token in parsed]  # ascending
        sents = list(parsed.sents)
        self.sentences = [(sent.start, sent.end) for sent in sents]  # token ranges
        self.sent_starts = [sent.start_char for sent in sents]
        self.sent_ends = [sent.end_char for sent in sents]
        self._cue: dict[int, bool] = {}
        self._owner: dict[int, int] = {}
        self._agent: dict[int, int] = {}
        self._mention: dict[int, tuple[int, int]] = {}
        self._alias: dict[int, int] = {}
        self._colon: dict[int, bool] = {}
        self._edges: dict[int, tuple[list[int], list[int]]] = {}
        self._subjects: tuple[list[int], list[int], list[int], list[int]] | None = None

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Indexes [a, b) of the tokens that start in [start, end)."""
        return bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)

    def is_cue(self, token: Token) -> bool:
        """A reporting verb, "according (to)", a phrasal cue ("pointed out"), or a reporting noun
        with an owner ("Trump's claim")."""
        found = self._cue.get(token.i)
        if found is None:
            found = self._cue[token.i] = self._read_cue(token)
        return found

    def _read_cue(self, token: Token) -> bool:
        if token.lower_ == "according":
            return any(c.lower_ == "to" for c in token.children) or (
                token.i + 1 < len(token.doc) and token.nbor().lower_ == "to"
            )
        if token.pos_ in NOUN_POS and lemma(token).lower() in rv.REPORTING_NOUNS:
            return self.owner(token) is not None  # "Trump's claim that ...", "a statement by X"
        if token.pos_ not in VERB_POS:
            return False
        if lemma(token).lower() in REPORTING_VERBS or token.lower_ in REPORTING_VERBS:
            return True
        return any((lemma(token).lower(), c.lower_) in rv.PHRASAL_CUES for c in token.children)

    def owner(self, noun: Token) -> Token | None:
        """Who a reporting noun belongs to: its possessor, or the object of "from"/"by"."""
        found = self._owner.get(noun.i)
        if found is None:
            token = _owner(noun)
            found = self._owner[noun.i] = _NONE if token is None else token.i
        return None if found == _NONE else noun.doc[found]

    def agent(self, verb: Token) -> Token | None:
        """The object of a passive verb's "by" agent."""
        found = self._agent.get(verb.i)
        if found is None:
            token = _agent(verb)
            found = self._agent[verb.i] = _NONE if token is None else token.i
        return None if found == _NONE else verb.doc[found]

    def alias(self, head: Token) -> Token | None:
        """A proper-noun apposition naming the head ("the spokesman, John Doe")."""
        found = self._alias.get(head.i)
        if found is None:
            child = next(
                (c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None
            )
            found = self._alias[head.i] = _NONE if child is None else child.i
        return None if found == _NONE else head.doc[found]

    def mention(self, head: Token) -> tuple[int, int]:
        """Token range [lo, hi] of the words naming `head`, cut before commas and clauses, and
        at most rv.MENTION_MAX_TOKENS tokens on either side of the head."""
        found = self._mention.get(head.i)
        if found is None:
            found = self._mention[head.i] = _mention(head)
        return found

    def ends_in_colon(self, sentence: int) -> bool:
        """The sentence's text, trailing spaces aside, ends in a colon ("He said:")."""
        found = self._colon.get(sentence)
        if found is None:
            lo, hi = self.sent_starts[sentence], self.sent_ends[sentence]
            found = self._colon[sentence] = _strip_end(self.text, lo, hi, "") == ":"
        return found

    def seam_words(self, parsed: Any, sentence: int) -> tuple[list[int], list[int]]:
        """The first and the last rv.SEAM_TOKENS words (no punctuation, no spaces) of a
        sentence, as token indexes."""
        found = self._edges.get(sentence)
        if found is None:
            lo, hi = self.sentences[sentence]
            first = _words(parsed, range(lo, hi))
            last = _words(parsed, range(hi - 1, lo - 1, -1))[::-1]
            found = self._edges[sentence] = (first, last)
        return found

    def proper_subjects(self, parsed: Any) -> tuple[list[int], list[int], list[int], list[int]]:
        """Proper-noun subjects (token indexes and offsets), and those of a main clause."""
        if self._subjects is None:
            every: list[int] = []
            main: list[int] = []
            for token in parsed:
                if token.dep_ in SUBJECT_DEPS and token.pos_ == "PROPN":
                    every.append(token.i)
                    if token.head.dep_ == "ROOT":
                        main.append(token.i)
            starts = self.starts
            self._subjects = (every, [starts[i] for i in every], main, [starts[i] for i in main])
        return self._subjects


def index_of(parsed: Any) -> ParseIndex:
    """The ParseIndex of a parsed paragraph, made on first use and kept with the Doc."""
    found = parsed.user_data.get(_USER_DATA_KEY)
    if not isinstance(found, ParseIndex):
        found = parsed.user_data[_USER_DATA_KEY] = ParseIndex(parsed)
    return found


def cue_text(cue: Token) -> str:
    """The cue as written: "according to", a phrasal verb with its particle, or the word."""
    if cue.lower_ == "according":
        return "according to"
    for child in cue.children:
        if (lemma(cue).lower(), child.lower_) in rv.PHRASAL_CUES:
            return f"{cue.text} {child.text}"
    return str(cue.text)


def strip_end(text: str, start: int, end: int, marks: str) -> str:
    """The last character of text[start:end] once trailing spaces, then any of `marks`, then
    spaces again are stripped (str.rstrip's three steps, without copying the text); "" if none
    is left."""
    return _strip_end(text, start, end, marks)


def _strip_end(text: str, start: int, end: int, marks: str) -> str:
    while end > start and text[end - 1].isspace():
        end -= 1
    while end > start and text[end - 1] in marks:
        end -= 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return text[end - 1] if end > start else ""


def _words(parsed: Any, order: range) -> list[int]:
    found: list[int] = []
    for i in order:
        token = parsed[i]
        if not token.is_punct and not token.is_space:
            found.append(i)
            if len(found) == rv.SEAM_TOKENS:
                break
    return found


def _owner(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            return objs[0] if objs else None
    return None


def _mention(head: Token) -> tuple[int, int]:
    lo = hi = head.i
    for child in head.lefts:
        if child.dep_ not in _LEFT_SKIP:
            lo = min(lo, child.left_edge.i)
    for child in head.rights:
        if child.dep_ not in _RIGHT_KEEP:
            break
        hi = max(hi, child.right_edge.i)
    lo = max(lo, head.i - rv.MENTION_MAX_TOKENS)
    hi = min(hi, head.i + rv.MENTION_MAX_TOKENS)
    doc = head.doc
    for i in range(head.i + 1, hi + 1):
        if doc[i].text in _MENTION_STOPS:
            hi = i - 1
            break
    for i in range(head.i - 1, lo - 1, -1):
        if doc[i].text in _MENTION_STOPS:
            lo = i + 1
            break
    return lo, hi
