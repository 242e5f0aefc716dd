"""flows.quotes.kinds: the kinds analysts filter on (scare, title, headline, nested)."""

from __future__ import annotations

from typing import Any

import pytest

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
