"""Find who said a quoted span, and with which cue, in the dependency parse of its paragraph.

Works on one parsed paragraph at a time (a spaCy Doc; offsets are relative to the paragraph).
The cue is the nearest reporting verb above the quote in the tree ("called the talks “technical”",
"“...,” said X"), else a reporting verb elsewhere in the sentences the quote touches; the speaker is
that verb's subject, climbing through conjunctions and adverbial clauses ("..., calling it “...”")
and relative clauses ("X, who said “...”"), the object of "according to", the agent of a passive,
or the owner of a reporting noun ("Trump's claim that “...”"). Nothing here knows about documents,
entities or other paragraphs: flows.quotes.extract and flows.quotes.speakers do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.quotes import words as rv
from flows.quotes.marks import MarkedSpan
from flows.words import REPORTING_VERBS

Token = Any  # spacy.tokens.Token: spaCy ships no type information mypy can use

_VERB_POS = frozenset({"VERB", "AUX"})
_NOUN_POS = frozenset({"NOUN", "PROPN"})
_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "nummod", "poss", "det", "punct"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
# A cue without a subject of its own shares the subject of the clause it hangs on.
_CLIMB_DEPS = frozenset({"conj", "xcomp", "advcl", "pcomp", "ccomp", "prep", "dep", "parataxis"})
# Children kept in a speaker mention: the words that name it, not the clauses that describe it.
_LEFT_SKIP = frozenset({"punct", "cc", "prep", "relcl", "appos", "acl", "advmod"})
_RIGHT_KEEP = frozenset({"prep", "compound", "flat", "nummod", "nmod", "pobj"})
_MENTION_STOPS = frozenset({",", "(", "—", "–", ";", ":", "“", "”", "‘", "’", '"', "―", "-", "--"})


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
    regions = _regions(spans)
    inside = {t.i for t in parsed if any(lo <= t.idx < hi for lo, hi in regions)}
    return tuple(
        None if span.nested else _attribute(parsed, span, statement, inside, spans)
        for span, statement in zip(spans, statements, strict=True)
    )


def antecedent_subjects(parsed: Any, before: int) -> list[tuple[int, int]]:
    """Proper-noun subjects a pronoun at `before` may refer to, most likely first: those earlier
    in its own sentence ("Trump ... what he called"), then main-clause subjects of the sentences
    before it, latest first."""
    found: list[tuple[int, int]] = []
    for sent in parsed.sents:
        if sent.start_char > before:
            break
        current = sent.end_char > before
        for token in sent:
            if token.idx >= before or token.dep_ not in _SUBJECT_DEPS or token.pos_ != "PROPN":
                continue
            if current or token.head.dep_ == "ROOT":
                found.append((token.idx, token.idx + len(token.text)))
    return found[::-1]


def attribute_intro(parsed: Any) -> Attribution | None:
    """The speaker a paragraph ending in a colon hands on to the quote opening the next one: the
    subject of the last reporting verb of its last sentence ("Trump said in a statement:"), or of
    a clause naming speech ("Sanders made the following comment:")."""
    sents = list(parsed.sents)
    if not sents:
        return None
    last = sents[-1]
    for cue in reversed([t for t in last if _is_cue(t) and t.pos_ in _VERB_POS]):
        speaker = _speaker_of(cue, set())
        if speaker is not None:
            return _make(parsed, speaker, cue, ())
    return _colon_subject(last, set(), ())


def _colon_subject(sent: Any, inside: set[int], spans: Sequence[MarkedSpan]) -> Attribution | None:
    """ "Sanders made the following comment: “...”": with no reporting verb, a clause that names
    speech (a reporting noun) and ends in a colon gives its subject."""
    if not any(t.lemma_.lower() in rv.REPORTING_NOUNS and t.i not in inside for t in sent):
        return None
    root = sent.root
    subject = _subject(root, inside)
    if subject is None or subject.pos_ not in (*_NOUN_POS, "PRON"):
        return None
    return _make(sent.doc, subject, root, spans, with_cue=False)


def _regions(spans: Sequence[MarkedSpan]) -> list[tuple[int, int]]:
    """Character ranges of the quotes, marks included; nested quotes lie inside outer ones."""
    return [(s.open_mark, _region_end(s)) for s in spans if not s.nested]


def _region_end(span: MarkedSpan) -> int:
    return span.end if span.close_mark is None else span.close_mark + 1


def _attribute(
    parsed: Any, span: MarkedSpan, statement: bool, inside: set[int], spans: Sequence[MarkedSpan]
) -> Attribution | None:
    """Try each cue, nearest first, until one has a speaker; else "X: “...”" in the sentence."""
    lo, hi = span.open_mark, _region_end(span)
    content = [t for t in parsed if span.start <= t.idx < span.end and not t.is_punct]
    if not content:
        return None
    cues = [*_cues_above(content, inside), *_cues_nearby(parsed, lo, hi, inside, statement)]
    for cue in cues:
        speaker = _speaker_of(cue, inside)
        if speaker is not None:
            return _make(parsed, speaker, cue, spans)
    intro = parsed[:0]
    for sent in parsed.sents:
        if sent.start_char <= lo:
            intro = parsed[sent.start : min(sent.end, content[0].i)]
    if statement and intro.text.rstrip().rstrip('“"«').rstrip().endswith(":"):
        return _colon_subject(intro, inside, spans)
    return None


def _is_cue(token: Token) -> bool:
    if token.lower_ == "according":
        return any(c.lower_ == "to" for c in token.children) or (
            token.i + 1 < len(token.doc) and token.nbor().lower_ == "to"
        )
    if token.pos_ in _NOUN_POS and token.lemma_.lower() in rv.REPORTING_NOUNS:
        return _owner(token) is not None  # "Trump's claim that ...", "a statement by the UN"
    if token.pos_ not in _VERB_POS:
        return False
    if token.lemma_.lower() in REPORTING_VERBS or token.lower_ in REPORTING_VERBS:
        return True
    return any((token.lemma_.lower(), c.lower_) in rv.PHRASAL_CUES for c in token.children)


def _cues_above(content: list[Token], inside: set[int]) -> list[Token]:
    """Reporting words above the quote in the tree, outside every quote, nearest first. A noun
    ("Trump's claim that ...") counts only when the quote is its clause, not its modifier."""
    ids = {t.i for t in content}
    found: dict[int, tuple[int, int, Token]] = {}
    for token in content:
        child, node, steps = token, token.head, 0
        if node.i in ids:
            continue
        while steps <= rv.CUE_MAX_DEPTH:
            modifier = node.pos_ in _NOUN_POS and child.dep_ in _MODIFIER_DEPS
            if node.i not in inside and _is_cue(node) and not modifier:
                rank = (steps, abs(node.i - token.i), node)
                if node.i not in found or rank[:2] < found[node.i][:2]:
                    found[node.i] = rank
                break
            if node.head.i == node.i:
                break
            child, node, steps = node, node.head, steps + 1
    return [r[2] for r in sorted(found.values(), key=lambda r: (r[0], r[1], r[2].i))]


def _cues_nearby(parsed: Any, lo: int, hi: int, inside: set[int], statement: bool) -> list[Token]:
    """Reporting verbs outside the quotes in the sentences the quote touches, nearest first.

    For a full statement, the sentence just before or after it counts too when its cue sits at
    the seam ("..., Schiff said. “...”", "“...?” Clinton asked."), as does a sentence ending in a
    colon just before it ("He said:").
    """
    candidates = []
    sents = list(parsed.sents)
    for index, sent in enumerate(sents):
        if not (sent.end_char <= lo or sent.start_char >= hi):
            candidates += [(0, _distance(t, lo, hi), t.i, t) for t in sent if _free_cue(t, inside)]
            continue
        before = index + 1 < len(sents) and sents[index + 1].start_char <= lo
        before = before and lo < sents[index + 1].end_char
        after = index > 0 and sents[index - 1].start_char < hi <= sents[index - 1].end_char
        tokens = [t for t in sent if not t.is_punct and not t.is_space]
        if before and sent.text.rstrip().endswith(":"):
            seam = tokens
        elif before and statement:
            seam = tokens[-rv.SEAM_TOKENS :]
        elif after and statement:
            seam = tokens[: rv.SEAM_TOKENS]
        else:
            continue
        candidates += [(1, _distance(t, lo, hi), t.i, t) for t in seam if _free_cue(t, inside)]
    return [c[3] for c in sorted(candidates, key=lambda c: c[:3])]


def _free_cue(token: Token, inside: set[int]) -> bool:
    return token.i not in inside and token.pos_ in _VERB_POS and _is_cue(token)


def _distance(token: Token, lo: int, hi: int) -> int:
    return int(lo - token.idx if token.idx < lo else token.idx - hi)


def _speaker_of(cue: Token, inside: set[int]) -> Token | None:
    if cue.lower_ == "according":
        return _according_to(cue)
    if cue.pos_ in _NOUN_POS:
        return _owner(cue)
    node = cue
    for _ in range(rv.SUBJECT_MAX_CLIMB):
        found = _agent(node) or _subject(node, inside)
        if found is not None or node.dep_ not in _CLIMB_DEPS or node.head.i == node.i:
            return found
        node = node.head
    return None


def _subject(verb: Token, inside: set[int]) -> Token | None:
    """The subject of `verb`, or the noun its clause describes ("X, who said ...")."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS and c.i not in inside]
    if subjects:
        relative = subjects[0].lower_ in rv.RELATIVE_PRONOUNS and verb.dep_ == "relcl"
        return verb.head if relative else subjects[0]
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if verb.tag_ == "VBG" and before is not None and before.pos_ == "PROPN":
        return before  # "footage of Hillary Clinton asking, “...”"
    if verb.dep_ == "compound" and verb.head.pos_ == "PROPN":
        return verb.head  # "Said Ellis: ..." read as a name with a verb in front
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in _NOUN_POS:
        return _possessor(verb.head)  # "a statement calling it ...", "a woman saying ..."
    return None


def _according_to(cue: Token) -> Token | None:
    to = next((c for c in cue.children if c.lower_ == "to"), None)
    if to is None and cue.i + 1 < len(cue.doc):
        to = cue.nbor()
    objs = [] if to is None else [c for c in to.children if c.dep_ == "pobj"]
    return _possessor(objs[0]) if objs else None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            return objs[0] if objs else None
    return None


def _possessor(noun: Token) -> Token:
    """ "the Kremlin's readout" and "a statement from the Kremlin" speak for the Kremlin."""
    if noun.lemma_.lower() in rv.REPORTING_NOUNS:
        owner = _owner(noun)
        if owner is not None:
            return owner
    return noun


def _owner(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return None


def _make(
    parsed: Any,
    head: Token,
    cue: Token,
    spans: Sequence[MarkedSpan],
    *,
    with_cue: bool = True,
) -> Attribution:
    lo, hi = _mention(head)
    start, end = parsed[lo].idx, parsed[hi].idx + len(parsed[hi].text)
    if any(a < end and start < b for a, b in _regions(spans)):
        start, end = head.idx, head.idx + len(head.text)  # a mention never borrows quoted words
    alias = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    alias_span = None
    if alias is not None:
        a_lo, a_hi = _mention(alias)
        alias_span = (parsed[a_lo].idx, parsed[a_hi].idx + len(parsed[a_hi].text))
    return Attribution(
        speaker=(start, end),
        head=(head.idx, head.idx + len(head.text)),
        alias=alias_span,
        cue=_cue_text(cue) if with_cue else None,
    )


def _mention(head: Token) -> tuple[int, int]:
    """Token range [lo, hi] of the words naming `head`, cut before commas and clauses."""
    lo = hi = head.i
    for child in head.lefts:
        if child.dep_ not in _LEFT_SKIP:
            lo = min(lo, child.left_edge.i)
    for child in head.rights:
        if child.dep_ not in _RIGHT_KEEP:
            break
        hi = max(hi, child.right_edge.i)
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


def _cue_text(cue: Token) -> str:
    if cue.lower_ == "according":
        return "according to"
    for child in cue.children:
        if (cue.lemma_.lower(), child.lower_) in rv.PHRASAL_CUES:
            return f"{cue.text} {child.text}"
    return str(cue.text)
