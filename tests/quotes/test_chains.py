"""flows.quotes.chains: quotes that run over several paragraphs, and chains that never close."""

from __future__ import annotations

from typing import Any

import pytest

from flows.quotes.chains import paragraphs
from tests.quotes.helpers import document, quotes, who


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # (block index, spans, continues, unsure) of every paragraph with quote marks
        (["No marks here.", "“Closed,” she said."], [(1, 1, False, False)]),
        # an open end taken up by the next paragraph, which opens with a mark
        (
            ["“Open to the end.", "“Goes on and closes.”"],
            [(0, 1, False, False), (1, 1, True, False)],
        ),
        # an open end nobody takes up: kept only if a speaker is found later
        (["“Open to the end.", "No mark here."], [(0, 1, False, True)]),
        # a chain that never closes is decoration: its open ends are dropped
        (["Transcript:", "“HOST: Welcome.", "“GUEST: Thanks."], []),
    ],
)
def test_paragraphs_chain_open_quotes(
    texts: list[str], expected: list[tuple[int, int, bool, bool]]
) -> None:
    found = paragraphs(document(*texts))
    assert [(p.index, len(p.spans), p.continues, p.unsure) for p in found] == expected


def test_quote_over_several_paragraphs_gives_one_row_per_paragraph(nlp: Any) -> None:
    found = quotes(
        nlp,
        "“We will keep fighting,” Angela Merkel said. “We will never give up on this union.",
        "“Not now, not ever.”",
    )
    assert [q.text for q in found] == [
        "We will keep fighting,",
        "We will never give up on this union.",
        "Not now, not ever.",
    ]
    assert all("Merkel" in who(q) for q in found)
    assert [q.kind for q in found] == ["direct", "direct", "direct"]


def test_a_chain_of_open_quotes_that_never_closes_is_dropped(nlp: Any) -> None:
    found = quotes(
        nlp,
        "Partial transcript as follows:",
        "“HOST: Welcome back to the show.",
        "“GUEST: Thank you for having me.",
    )
    assert found == ()


def test_a_lone_stray_opening_mark_is_no_quote(nlp: Any) -> None:
    assert quotes(nlp, "“Kevin was snoring in the back row.") == ()
