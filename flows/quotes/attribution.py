"""Find who said a quoted span, and with which cue, in the dependency parse of its paragraph.

Works on one parsed paragraph at a time (a spaCy Doc; offsets are relative to the paragraph).
The cue is the nearest reporting verb above the quote in the tree ("called the talks “technical”",
"“...,” said X"), else a reporting verb elsewhere in the sentences the quote touches; the speaker is
that verb's subject, climbing through conjunctions and adverbial clauses ("..., calling it “...”")
and relative clauses ("X, who said “...”"), the object of "according to", the agent of a passive,
or the owner of a reporting noun ("Trump's claim that “...”"). Nothing here knows about documents,
entities or other paragraphs: flows.quotes.extract and flows.quotes.speakers do.

Each quote costs the same however many share its paragraph: tokens and sentences are found by
binary search in the paragraph's ParseIndex (flows.quotes.parsed), tree walks are memoised per
token, and the cues tried per quote and the subjects tried per pronoun are capped
(rv.CUES_PER_QUOTE_MAX, rv.ANTECEDENTS_MAX).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.quotes import words as rv
from flows.quotes.annotate import lemma
from flows.quotes.marks import MarkedSpan
from flows.quotes.parsed import (
    NOUN_POS,
    SUBJECT_DEPS,
    VERB_POS,
    Token,
    cue_text,
    index_of,
    strip_end,
)

_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "nummod", "poss", "det", "punct"})
# A cue without a subject of its own shares the subject of the clause it hangs on.
_CLIMB_DEPS = frozenset({"conj", "xcomp", "advcl", "pcomp", "ccomp", "prep", "dep", "parataxis"})
_INTRO_MARKS = '“"«'  # what may stand between an introducing colon and the quote


@dataclass(frozen=True, slots=True)
class Attribution:
    """A speaker mention and cue for one quoted span; offsets relative to the paragraph."""

    speaker: tuple[int, int]  # the mention ("Dmitry Kuznets", "a spokesman for the campaign")
    head: tuple[int, int]  # its head word, which entity linking looks at
    alias: tuple[int, int] | None  # an apposition naming the speaker ("the spokesman, John Doe")
    cue: str | None  # the reporting verb as written ("said", "according to"); None for "X: “...”"


def attribute_spans(
    parsed: Any, spans: Sequence[MarkedSpan], statements: Sequence[bool]
) -> tuple[Attribution | None, ...]:
    """One attribution (or None) per span, from the parse of the paragraph holding them;
    statements[i] tells whether span i is a full statement rather than a fragment."""
    call = _Call(parsed, _regions(spans))
    return tuple(
        None if span.nested else call.attribute(span, statement)
        for span, statement in zip(spans, statements, strict=True)
    )


def antecedent_subjects(parsed: Any, before: int) -> list[tuple[int, int]]:
    """Proper-noun subjects a pronoun at `before` may refer to, most likely first: those earlier
    in its own sentence ("Trump ... what he called"), then main-clause subjects of the sentences
    before it, latest first; at most rv.ANTECEDENTS_MAX of them."""
    index = index_of(parsed)
    every, every_at, main, main_at = index.proper_subjects(parsed)
    sentence = bisect.bisect_right(index.sent_starts, before) - 1
    found: list[int] = []
    if sentence >= 0 and index.sent_ends[sentence] > before:  # the pronoun's own sentence
        first = index.sentences[sentence][0]
        own_end = bisect.bisect_left(every_at, before)
        own_start = max(bisect.bisect_left(every, first), own_end - rv.ANTECEDENTS_MAX)
        found.extend(reversed(every[own_start:own_end]))
        earlier = bisect.bisect_left(main, first)
    else:
        earlier = bisect.bisect_left(main_at, before)
    found.extend(reversed(main[max(0, earlier - rv.ANTECEDENTS_MAX) : earlier]))
    return [(index.starts[i], index.starts[i] + len(parsed[i].text)) for i in found][
        : rv.ANTECEDENTS_MAX
    ]


def attribute_intro(parsed: Any) -> Attribution | None:
    """The speaker a paragraph ending in a colon hands on to the quote opening the next one: the
    subject of the last reporting verb of its last sentence ("Trump said in a statement:"), or of
    a clause naming speech ("Sanders made the following comment:")."""
    call = _Call(parsed, [])
    if not call.index.sentences:
        return None
    lo, hi = call.index.sentences[-1]
    last = [parsed[i] for i in range(lo, hi)]
    for cue in reversed([t for t in last if call.index.is_cue(t) and t.pos_ in VERB_POS]):
        speaker = call.speaker_of(cue)
        if speaker is not None:
            return call.make(speaker, cue)
    return call.colon_subject(lo, hi)


def _regions(spans: Sequence[MarkedSpan]) -> list[tuple[int, int]]:
    """Character ranges of the quotes, marks included; nested quotes lie inside outer ones."""
    return [(s.open_mark, _region_end(s)) for s in spans if not s.nested]


def _region_end(span: MarkedSpan) -> int:
    return span.end if span.close_mark is None else span.close_mark + 1


def _distance(token: Token, lo: int, hi: int) -> int:
    return int(lo - token.idx if token.idx < lo else token.idx - hi)


class _Call:
    """Attribution of the quotes of one parsed paragraph: what depends on where its quotes are
    (the tokens inside them, the cues outside), computed once for all of them."""

    def __init__(self, parsed: Any, regions: list[tuple[int, int]]) -> None:
        self.parsed = parsed
        self.index = index_of(parsed)
        self.inside: set[int] = set()
        for lo, hi in regions:
            self.inside.update(range(*self.index.token_range(lo, hi)))
        ordered = sorted(regions)
        self._region_starts = [lo for lo, _ in ordered]
        self._region_reach = list(itertools.accumulate((hi for _, hi in ordered), max))
        self._free: list[int] | None = None  # cues outside every quote, as token indexes
        self._free_at: list[int] = []  # ... and their offsets
        self._nouns: list[int] | None = None  # running count of reporting nouns outside quotes
        self._subject: dict[int, int] = {}
        self._speaker: dict[int, Token | None] = {}
        self._made: dict[tuple[int, int, bool], Attribution] = {}

    # --- one quote ---------------------------------------------------------------------------

    def attribute(self, span: MarkedSpan, statement: bool) -> Attribution | None:
        """Try each cue, nearest first, until one has a speaker; else "X: “...”" in the sentence."""
        lo, hi = span.open_mark, _region_end(span)
        first, last = self.index.token_range(span.start, span.end)
        content = [t for t in (self.parsed[i] for i in range(first, last)) if not t.is_punct]
        if not content:
            return None
        cues = [*self._cues_above(content), *self._cues_nearby(lo, hi, statement)]
        for cue in cues:
            speaker = self.speaker_of(cue)
            if speaker is not None:
                return self.make(speaker, cue)
        intro = self._intro(lo, content[0].i) if statement else None
        return None if intro is None else self.colon_subject(*intro)

    def _intro(self, lo: int, first: int) -> tuple[int, int] | None:
        """Tokens [start, end) of the sentence holding the quote's opening mark, up to the
        quote's first word, when they end in a colon ("He said: “...”")."""
        sentence = bisect.bisect_right(self.index.sent_starts, lo) - 1
        if sentence < 0:
            return None
        start, stop = self.index.sentences[sentence]
        end = min(stop, first)
        if end <= start:
            return None
        tail = self.parsed[end - 1]
        intro_end = tail.idx + len(tail.text)
        if strip_end(self.index.text, self.parsed[start].idx, intro_end, _INTRO_MARKS) != ":":
            return None
        return start, end

    def _cues_above(self, content: list[Token]) -> list[Token]:
        """Reporting words above the quote in the tree, outside every quote, nearest first. A
        noun ("Trump's claim that ...") counts only when the quote is its clause, not its
        modifier."""
        ids = {t.i for t in content}
        found: dict[int, tuple[int, int, Token]] = {}
        for token in content:
            child, node, steps = token, token.head, 0
            if node.i in ids:
                continue
            while steps <= rv.CUE_MAX_DEPTH:
                modifier = node.pos_ in NOUN_POS and child.dep_ in _MODIFIER_DEPS
                if node.i not in self.inside and self.index.is_cue(node) and not modifier:
                    rank = (steps, abs(node.i - token.i), node)
                    if node.i not in found or rank[:2] < found[node.i][:2]:
                        found[node.i] = rank
                    break
                if node.head.i == node.i:
                    break
                child, node, steps = node, node.head, steps + 1
        return [r[2] for r in sorted(found.values(), key=lambda r: (r[0], r[1], r[2].i))]

    def _cues_nearby(self, lo: int, hi: int, statement: bool) -> list[Token]:
        """Reporting verbs outside the quotes in the sentences the quote touches, nearest first.

        For a full statement, the sentence just before or after it counts too when its cue sits
        at the seam ("..., Schiff said. “...”", "“...?” Clinton asked."), as does a sentence
        ending in a colon just before it ("He said:"). At most rv.CUES_PER_QUOTE_MAX of each.
        """
        index = self.index
        first = bisect.bisect_right(index.sent_ends, lo)  # the first sentence the quote touches
        last = bisect.bisect_left(index.sent_starts, hi) - 1  # ... and the last
        if first > last:
            return []
        touched = self._nearest(index.sentences[first][0], index.sentences[last][1], lo, hi)
        seam: list[Token] = []
        before = first - 1
        if before >= 0 and index.sent_starts[first] <= lo:  # the quote's sentence holds lo
            if index.ends_in_colon(before):
                lo_token, hi_token = index.sentences[before]
                seam = self._nearest(lo_token, hi_token, lo, hi)
            elif statement:
                words = index.seam_words(self.parsed, before)[1]
                seam = [self.parsed[i] for i in words if self._is_free(self.parsed[i])]
        after = last + 1
        if after < len(index.sentences) and hi <= index.sent_ends[last] and statement:
            words = index.seam_words(self.parsed, after)[0]
            seam += [self.parsed[i] for i in words if self._is_free(self.parsed[i])]
        seam.sort(key=lambda t: (_distance(t, lo, hi), t.i))
        return touched + seam[: rv.CUES_PER_QUOTE_MAX]

    def _is_free(self, token: Token) -> bool:
        return token.i not in self.inside and token.pos_ in VERB_POS and self.index.is_cue(token)

    def _nearest(self, first: int, last: int, lo: int, hi: int) -> list[Token]:
        """The free cues among tokens [first, last), nearest the quote [lo, hi) first (ties: the
        earlier token), at most rv.CUES_PER_QUOTE_MAX of them."""
        if self._free is None:
            self._free = [t.i for t in self.parsed if self._is_free(t)]
            self._free_at = [self.index.starts[i] for i in self._free]
        free = self._free
        start, end = bisect.bisect_left(free, first), bisect.bisect_left(free, last)
        split = max(start, min(end, bisect.bisect_left(self._free_at, lo)))
        left, right = split - 1, split  # walk outwards from the quote
        found: list[Token] = []
        while len(found) < rv.CUES_PER_QUOTE_MAX and (left >= start or right < end):
            left_key = (lo - self._free_at[left], free[left]) if left >= start else None
            right_key = (self._free_at[right] - hi, free[right]) if right < end else None
            if right_key is None or (left_key is not None and left_key < right_key):
                found.append(self.parsed[free[left]])
                left -= 1
            else:
                found.append(self.parsed[free[right]])
                right += 1
        return found

    # --- speakers ----------------------------------------------------------------------------

    def speaker_of(self, cue: Token) -> Token | None:
        if cue.i not in self._speaker:
            self._speaker[cue.i] = self._find_speaker(cue)
        return self._speaker[cue.i]

    def _find_speaker(self, cue: Token) -> Token | None:
        if cue.lower_ == "according":
            return self._according_to(cue)
        if cue.pos_ in NOUN_POS:
            return self.index.owner(cue)
        node = cue
        for _ in range(rv.SUBJECT_MAX_CLIMB):
            found = self.index.agent(node) or self.subject(node)
            if found is not None or node.dep_ not in _CLIMB_DEPS or node.head.i == node.i:
                return found
            node = node.head
        return None

    def subject(self, verb: Token) -> Token | None:
        """The subject of `verb`, or the noun its clause describes ("X, who said ...")."""
        found = self._subject.get(verb.i)
        if found is None:
            token = self._read_subject(verb)
            found = self._subject[verb.i] = -1 if token is None else token.i
        return None if found < 0 else self.parsed[found]

    def _read_subject(self, verb: Token) -> Token | None:
        first = next(
            (c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i not in self.inside), None
        )
        if first is not None:
            relative = first.lower_ in rv.RELATIVE_PRONOUNS and verb.dep_ == "relcl"
            return verb.head if relative else first
        before = verb.doc[verb.i - 1] if verb.i > 0 else None
        if verb.tag_ == "VBG" and before is not None and before.pos_ == "PROPN":
            return before  # "footage of Hillary Clinton asking, “...”"
        if verb.dep_ == "compound" and verb.head.pos_ == "PROPN":
            return verb.head  # "Said Ellis: ..." read as a name with a verb in front
        if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in NOUN_POS:
            return self._possessor(verb.head)  # "a statement calling it ...", "a woman saying"
        return None

    def _according_to(self, cue: Token) -> Token | None:
        to = next((c for c in cue.children if c.lower_ == "to"), None)
        if to is None and cue.i + 1 < len(cue.doc):
            to = cue.nbor()
        objs = [] if to is None else [c for c in to.children if c.dep_ == "pobj"]
        return self._possessor(objs[0]) if objs else None

    def _possessor(self, noun: Token) -> Token:
        """ "the Kremlin's readout" and "a statement from the Kremlin" speak for the Kremlin."""
        if lemma(noun).lower() in rv.REPORTING_NOUNS:
            owner = self.index.owner(noun)
            if owner is not None:
                return owner
        return noun

    def colon_subject(self, first: int, last: int) -> Attribution | None:
        """ "Sanders made the following comment: “...”": with no reporting verb, a clause that
        names speech (a reporting noun) and ends in a colon gives its subject."""
        if self._nouns is None:
            flags = (
                lemma(t).lower() in rv.REPORTING_NOUNS and t.i not in self.inside
                for t in self.parsed
            )
            self._nouns = [0, *itertools.accumulate(flags)]
        if self._nouns[last] == self._nouns[first]:
            return None
        root = self.parsed[first:last].root
        subject = self.subject(root)
        if subject is None or subject.pos_ not in (*NOUN_POS, "PRON"):
            return None
        return self.make(subject, root, with_cue=False)

    def make(self, head: Token, cue: Token, *, with_cue: bool = True) -> Attribution:
        key = (head.i, cue.i, with_cue)
        if key not in self._made:
            self._made[key] = self._make(head, cue, with_cue)
        return self._made[key]

    def _make(self, head: Token, cue: Token, with_cue: bool) -> Attribution:
        parsed = self.parsed
        lo, hi = self.index.mention(head)
        start, end = parsed[lo].idx, parsed[hi].idx + len(parsed[hi].text)
        if self._in_quote(start, end):
            start, end = head.idx, head.idx + len(head.text)  # never borrow quoted words
        alias = self.index.alias(head)
        alias_span = None
        if alias is not None:
            a_lo, a_hi = self.index.mention(alias)
            alias_span = (parsed[a_lo].idx, parsed[a_hi].idx + len(parsed[a_hi].text))
        return Attribution(
            speaker=(start, end),
            head=(head.idx, head.idx + len(head.text)),
            alias=alias_span,
            cue=cue_text(cue) if with_cue else None,
        )

    def _in_quote(self, start: int, end: int) -> bool:
        """[start, end) overlaps a quote: of the quotes opening before `end`, the one reaching
        furthest reaches past `start`."""
        opening = bisect.bisect_left(self._region_starts, end)
        return opening > 0 and self._region_reach[opening - 1] > start
