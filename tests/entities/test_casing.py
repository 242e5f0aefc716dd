"""flows.entities.casing: shouted and title-cased lines, and the text the model is shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.entities.casing import is_shouted, is_title_cased, model_text, read_casing


@pytest.mark.parametrize(
    ("line", "shouted", "titled"),
    [
        ("CRICKET - LEADING SCORES AT THE OVAL", True, True),  # capitals on every word
        ("BELGRADE 1996-08-30", True, False),  # one word: not enough to call it a title
        ("The Russian Delegation", False, True),
        ("NATO and the OSCE said on Monday that talks would resume.", False, False),
        ("What Comes Next", False, True),
        ("Okafor cut the ribbon.", False, False),
    ],
)
def test_line_casing(line: str, shouted: bool, titled: bool) -> None:
    assert is_shouted(line) is shouted
    assert is_title_cased(line) is titled


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        # Shouted lines are truecased from the document's own lower-case words.
        (
            "MAYOR OKAFOR OPENS HARBOR BRIDGE\nThe mayor opens the bridge today.",
            0,
            "Mayor Okafor opens Harbor bridge",
        ),
        ("PORTVILLE 2024-05-01\nA story.", 0, "Portville 2024-05-01"),
        # Title-cased headings lose capitals the body never uses.
        ("The Harbor Delegation\nThe delegation met.", 0, "The Harbor delegation"),
        # Prose is untouched but for quote marks.
        ("Okafor’s “bridge” plan", 0, 'Okafor\'s "bridge" plan'),
    ],
)
def test_model_text_truecases_headline_lines(text: str, line: int, expected: str) -> None:
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[:line])
    units = [(start, start + len(lines[line]))]
    assert model_text(lines[line], read_casing(text, units), 0) == expected


@given(st.text(max_size=80))
def test_property_model_text_keeps_length(text: str) -> None:
    line = text.replace("\n", " ")
    assert len(model_text(line, read_casing(line, [(0, len(line))]), 0)) == len(line)
