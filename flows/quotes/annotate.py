"""Coarse tags, morphology and lemmas for the quote parse, at a fraction of spaCy's cost.

In en_core_web_sm the tagger writes only fine tags (`tag_`); the attribute_ruler then maps them
to coarse tags (`pos_`) and morphology with 179 token patterns run through a Matcher, and the
lemmatizer lemmatizes every token. Over the paragraphs the quote stage parses, those two
components cost a third of the parse (measured on news: 2.77 s with them, 1.78 s without), yet
attribution reads `pos_` of a few tokens per quote and the lemma of fewer still.

So the quote parse runs without them, and `RuleAttributes` applies the ruler's own patterns
through dictionary lookups (by the pattern's LOWER, TAG or DEP value) instead of the Matcher,
with the ruler's semantics: every pattern is matched against the parser's output before any is
applied, and on a token that several patterns set, the later pattern wins. Lemmas are made on
demand by the pipeline's own lemmatizer (`lemma`), as its `__call__` would make them. The result
is the ruler's and the lemmatizer's, token for token (tests/quotes/test_annotate.py compares
them); a pipeline whose ruler uses a pattern feature not handled here keeps both components.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Where the doc keeps the lemmatizer for `lemma` (the parses are dropped with their documents).
_LEMMATIZER_KEY = "newsdesk_lemmatizer"
# Where a pipeline object keeps its RuleAttributes (or None: not handled), made on first use.
_CACHE_ATTRIBUTE = "_newsdesk_rule_attributes"
_ATTRIBUTES = {"LOWER": "lower_", "TAG": "tag_", "DEP": "dep_", "IS_SPACE": "is_space"}
_OPERATORS = frozenset({"IN", "NOT_IN", "REGEX"})
# Distinct (word, tag, label, space) keys remembered before the memo starts over.
_MEMO_LIMIT = 100_000

# A token test: (token attribute name, predicate on its value).
_Test = tuple[str, Callable[[object], bool]]


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule: int  # the ruler's attrs id: a later id has precedence
    index: int  # which token of the match the attributes go to
    tokens: tuple[tuple[_Test, ...], ...]


class RuleAttributes:
    """The attribute_ruler's patterns of a pipeline, applied by lookups (see the module doc).

    A one-token pattern's verdict depends only on the token's (LOWER, TAG, DEP, IS_SPACE), so
    the merged attributes of every key seen are remembered; LOWER and DEP enter the key only
    when some pattern tests them by value (else any word or label stands for all), which keeps
    the memo as small as the patterns. The few longer patterns are tried where their first
    token's word starts them."""

    def __init__(self, ruler: Any) -> None:
        from spacy.tokens._retokenize import set_token_attrs  # noqa: PLC0415 - spaCy's own setter

        self._set = set_token_attrs  # resolved once, not per token
        self._attrs: list[Any] = list(ruler.attrs)
        self._single: list[_Pattern] = []
        self._longer: dict[str, list[_Pattern]] = {}
        self._longer_anywhere: list[_Pattern] = []
        single_specs: list[dict[str, Any]] = []
        for rule in range(len(self._attrs)):
            for spec in ruler.matcher.get(str(rule))[1]:
                pattern = _Pattern(rule, int(ruler.indices[rule]), tuple(map(_tests, spec)))
                if len(spec) == 1:
                    self._single.append(pattern)
                    single_specs.append(spec[0])
                    continue
                words = _values(spec[0], "LOWER")
                for word in words or ():
                    self._longer.setdefault(word, []).append(pattern)
                if words is None:
                    self._longer_anywhere.append(pattern)
        # One-token patterns by a value the token must have (its LOWER, else TAG, else DEP).
        self._by_value: dict[tuple[str, str], list[_Pattern]] = {}
        self._anywhere: list[_Pattern] = []
        for pattern, spec in zip(self._single, single_specs, strict=True):
            keys = _lookup_keys(spec)
            for key in keys:
                self._by_value.setdefault(key, []).append(pattern)
            if not keys:
                self._anywhere.append(pattern)
        self._words = _key_values(single_specs, "LOWER")
        self._labels = _key_values(single_specs, "DEP")
        self._memo: dict[tuple[object, ...], tuple[int, ...]] = {}
        self._merged: dict[tuple[int, ...], Any] = {}

    def __call__(self, doc: Any) -> Any:
        longer: dict[int, set[int]] = {}  # token index -> rules of longer patterns that set it
        if self._longer or self._longer_anywhere:
            for token in doc:
                for pattern in self._longer_anywhere + self._longer.get(token.lower_, []):
                    target = _match(doc, token.i, pattern)
                    if target is not None:
                        longer.setdefault(target, set()).add(pattern.rule)
        for token in doc:
            rules = self._single_rules(token)
            extra = longer.get(token.i)
            if extra:
                rules = tuple(sorted(set(rules) | extra))
            if rules:
                self._set(token, self._merge(rules))
        return doc

    def _single_rules(self, token: Any) -> tuple[int, ...]:
        word = token.lower_
        label = token.dep_
        key = (
            word if self._words is None or word in self._words else None,
            token.tag_,
            label if self._labels is None or label in self._labels else None,
            token.is_space,
        )
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            candidates = self._anywhere + [
                pattern
                for name, value in (("LOWER", word), ("TAG", token.tag_), ("DEP", label))
                for pattern in self._by_value.get((name, value), ())
            ]
            found = tuple(
                sorted({p.rule for p in candidates if _match(token.doc, token.i, p) is not None})
            )
            self._memo[key] = found
        return found

    def _merge(self, rules: tuple[int, ...]) -> Any:
        """The attributes of `rules` applied in order (a later rule overrides an earlier)."""
        found = self._merged.get(rules)
        if found is None:
            found = {}
            for rule in rules:
                found.update(self._attrs[rule])
            self._merged[rules] = found
        return found


def rule_attributes(nlp: Any) -> RuleAttributes | None:
    """The lookups for `nlp`'s attribute_ruler, or None when the pipeline has no ruler and
    lemmatizer of the kind handled here (the parse then keeps its own components)."""
    found = getattr(nlp, _CACHE_ATTRIBUTE, False)  # made once per pipeline object
    if found is False:
        found = _rule_attributes(nlp)
        setattr(nlp, _CACHE_ATTRIBUTE, found)
    return found if isinstance(found, RuleAttributes) else None


def _rule_attributes(nlp: Any) -> RuleAttributes | None:
    if "attribute_ruler" not in nlp.pipe_names or "lemmatizer" not in nlp.pipe_names:
        return None
    ruler = nlp.get_pipe("attribute_ruler")
    specs = [spec for rule in range(len(ruler.attrs)) for spec in ruler.matcher.get(str(rule))[1]]
    if not all(_supported(token) for spec in specs for token in spec):
        return None
    return RuleAttributes(ruler)


def lemmatizer(nlp: Any) -> Any:
    """The pipeline's lemmatizer component."""
    return nlp.get_pipe("lemmatizer")


def annotate(doc: Any, attributes: RuleAttributes, lemmatizer: Any) -> Any:
    """What attribute_ruler and lemmatizer would give `doc` (lemmas when `lemma` asks)."""
    attributes(doc)
    doc.user_data[_LEMMATIZER_KEY] = lemmatizer
    return doc


def lemma(token: Any) -> str:
    """The token's lemma: the one its pipeline set, or the one its lemmatizer would set."""
    lemmatizer = token.doc.user_data.get(_LEMMATIZER_KEY)
    if lemmatizer is not None and (lemmatizer.overwrite or token.lemma == 0):
        return str(lemmatizer.lemmatize(token)[0])
    return str(token.lemma_)


def _supported(token_spec: dict[str, Any]) -> bool:
    for name, value in token_spec.items():
        if name not in _ATTRIBUTES:
            return False
        if isinstance(value, dict) and not set(value) <= _OPERATORS:
            return False
    return True


def _values(token_spec: dict[str, Any], name: str) -> list[str] | None:
    """The values of `name` one of which a token must have to match, or None if any may."""
    value = token_spec.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return [str(item) for item in value["IN"]]
    return None


def _lookup_keys(token_spec: dict[str, Any]) -> list[tuple[str, str]]:
    """Where a one-token pattern is filed: under each value of the first of LOWER, TAG and DEP
    it tests by value; a pattern filed nowhere is tried on every token."""
    for name in ("LOWER", "TAG", "DEP"):
        values = _values(token_spec, name)
        if values is not None:
            return [(name, value) for value in values]
    return []


def _key_values(specs: Sequence[dict[str, Any]], name: str) -> frozenset[str] | None:
    """Every value of `name` the one-token patterns test for, or None when some pattern tests
    it otherwise (a regular expression, NOT_IN): then each value counts on its own."""
    out: set[str] = set()
    for spec in specs:
        if name not in spec:
            continue
        values = _values(spec, name)
        if values is None:
            return None
        out.update(values)
    return frozenset(out)


def _tests(token_spec: dict[str, Any]) -> tuple[_Test, ...]:
    return tuple((_ATTRIBUTES[name], _predicate(value)) for name, value in token_spec.items())


def _predicate(value: object) -> Callable[[object], bool]:
    if not isinstance(value, dict):
        return lambda found: found == value
    checks: list[Callable[[object], bool]] = []
    if "IN" in value:
        allowed = frozenset(value["IN"])
        checks.append(lambda found: found in allowed)
    if "NOT_IN" in value:
        banned = frozenset(value["NOT_IN"])
        checks.append(lambda found: found not in banned)
    if "REGEX" in value:
        regex = re.compile(value["REGEX"])
        checks.append(lambda found: isinstance(found, str) and regex.search(found) is not None)
    return lambda found: all(check(found) for check in checks)


def _match(doc: Any, start: int, pattern: _Pattern) -> int | None:
    """The index of the token `pattern` sets when it matches at `start`, else None."""
    if start + len(pattern.tokens) > len(doc):
        return None
    for offset, tests in enumerate(pattern.tokens):
        token = doc[start + offset]
        if not all(test(getattr(token, name)) for name, test in tests):
            return None
    return start + (pattern.index % len(pattern.tokens))


def disabled_for_parse(nlp: Any, attributes: RuleAttributes | None) -> Sequence[str]:
    """The components the quote parse switches off: NER always, the ruler and the lemmatizer
    when `attributes` stands in for them."""
    names = ["ner"] + (["attribute_ruler", "lemmatizer"] if attributes is not None else [])
    return [name for name in names if name in nlp.pipe_names]
