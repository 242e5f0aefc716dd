"""flows.quotes.parsed: a paragraph's parse read once, its answers equal to reading the Doc."""

from __future__ import annotations

from typing import Any

import pytest

from flows.quotes import words as rv
from flows.quotes.parsed import index_of, strip_end

TEXT = (
    "Angela Merkel met Barack Obama in Berlin. Then Vladimir Putin arrived, and he said: "
    "“No.” The spokesman, John Doe, later said the talks were over."
)


@pytest.fixture(scope="module")
def parsed(nlp: Any) -> Any:
    return nlp(TEXT, disable=["ner"])


def test_the_index_is_made_once_and_kept_with_the_doc(parsed: Any) -> None:
    assert index_of(parsed) is index_of(parsed)
    assert index_of(parsed).text == TEXT


def test_token_ranges_and_sentences_match_the_doc(parsed: Any) -> None:
    index = index_of(parsed)
    lo, hi = TEXT.index("Barack"), TEXT.index(" in Berlin")
    first, last = index.token_range(lo, hi)
    assert [t.text for t in parsed[first:last]] == ["Barack", "Obama"]
    sents = list(parsed.sents)
    assert index.sentences == [(s.start, s.end) for s in sents]
    assert index.sent_starts == [s.start_char for s in sents]
    assert index.sent_ends == [s.end_char for s in sents]


def test_sentences_ending_in_a_colon_and_seam_words(parsed: Any, nlp: Any) -> None:
    for doc in (parsed, nlp("It was late. Trump told reporters on Monday:", disable=["ner"])):
        index = index_of(doc)
        sents = list(doc.sents)
        expected = [s.text.rstrip().endswith(":") for s in sents]
        assert [index.ends_in_colon(i) for i in range(len(sents))] == expected
    assert expected[-1]
    first, last = index_of(parsed).seam_words(parsed, 0)
    assert [parsed[i].text for i in first] == ["Angela", "Merkel", "met", "Barack"]
    assert [parsed[i].text for i in last] == ["Barack", "Obama", "in", "Berlin"]
    assert len(first) == rv.SEAM_TOKENS


def test_memoised_tree_walks_answer_as_before(parsed: Any) -> None:
    index = index_of(parsed)
    said = next(t for t in parsed if t.text == "said")
    assert index.is_cue(said)
    assert index.is_cue(said)  # the memo gives the same answer
    assert not index.is_cue(parsed[0])
    spokesman = next(t for t in parsed if t.text == "spokesman")
    alias = index.alias(spokesman)
    assert alias is not None
    lo, hi = index.mention(alias)
    assert parsed[lo : hi + 1].text == "John Doe"


def test_a_mention_holds_at_most_the_capped_tokens_around_its_head(nlp: Any) -> None:
    words = " ".join(f"of the committee{i}" for i in range(40))
    parsed = nlp(f"A spokesman {words} said no.", disable=["ner"])
    head = next(t for t in parsed if t.text == "spokesman")
    lo, hi = index_of(parsed).mention(head)
    assert head.i - lo <= rv.MENTION_MAX_TOKENS
    assert hi - head.i <= rv.MENTION_MAX_TOKENS
    assert hi > head.i  # the words after the head are kept up to the cap


@pytest.mark.parametrize(
    ("text", "marks", "last"),
    [
        ("He said:  ", "", ":"),
        ("He said: “ ", "“", ":"),
        ("He said: “« ", "“«", ":"),
        ("He said “ ", "“", "d"),
        ("   ", "", ""),
        ("“", "“", ""),
    ],
)
def test_strip_end_is_rstrip_marks_rstrip(text: str, marks: str, last: str) -> None:
    assert strip_end(text, 0, len(text), marks) == last
    stripped = text.rstrip().rstrip(marks).rstrip()
    assert last == stripped[-1:]
