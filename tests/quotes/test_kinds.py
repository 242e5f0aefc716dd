"""flows.quotes.kinds: the kinds analysts filter on (scare, title, headline, nested)."""

from __future__ import annotations

from typing import Any

import pytest

from flows.quotes.kinds import is_statement
from flows.quotes.marks import find_marked_spans
from tests.quotes.helpers import quotes


@pytest.mark.parametrize(
    ("paragraphs", "title", "expected"),
    [
        (["The so-called “experts” were wrong again."], None, [("experts", "scare")]),
        (
            ["She read the book “Gone With the Wind” twice."],
            None,
            [("Gone With the Wind", "title")],
        ),
        (["He told MSNBC’s “Morning Joe” that he would run."], None, [("Morning Joe", "title")]),
        (["Rep. Robert C. “Bobby” Scott won again."], None, [("Bobby", "title")]),
        (["The vote is on Tuesday."], "Obama Says Vote Is ‘Rigged’", [("Rigged", "headline")]),
        (
            ["“He told me, ‘Go home,’ and then he left,” Angela Merkel said."],
            None,
            [("He told me, ‘Go home,’ and then he left,", "direct"), ("Go home,", "nested")],
        ),
    ],
    ids=["scare quote", "book title", "show title", "nickname", "headline", "nested"],
)
def test_kinds_that_analysts_filter(
    nlp: Any, paragraphs: list[str], title: str | None, expected: list[tuple[str, str]]
) -> None:
    found = quotes(nlp, *paragraphs, title=title)
    assert [(q.text, q.kind) for q in found] == expected
    assert all(q.speaker is None for q in found if q.kind in ("scare", "title", "nested"))


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("He said: “Yes.”", True),
        ("Robert C. “Bobby” Scott", False),  # an initial, not a sentence end
        ("It ended. “Then we left.”", True),
        ("the so-called “experts” were", False),
    ],
)
def test_a_statement_is_read_off_the_text_just_before_the_quote(text: str, statement: bool) -> None:
    # Whatever comes before, only the end of the text before the mark is read.
    for prefix in ("", "Words before. " * 20_000):
        paragraph = prefix + text
        (span, *_) = find_marked_spans(paragraph)
        assert is_statement(paragraph, span) is statement
