"""quote_key and fold_words: the same words share a key whatever their marks, case and spacing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.stories import quote_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We will win.", "we will WIN"),
        ("“It’s over,” ", '"It\'s over."'),
        ("a  gamble\nwith   safety", "a gamble with safety"),
        ("don’t stop", "don't stop"),
        ("ＦＵＬＬ width", "full width"),  # NFKC
        ("«Nous gagnerons»", "nous gagnerons"),
    ],
)
def test_the_same_words_share_a_key(a: str, b: str) -> None:
    assert quote_key(a) == quote_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We will win.", "We will not win."),
        ("don't stop", "dont stop"),
        ("a gamble with safety", "safety with a gamble"),
    ],
)
def test_different_words_have_different_keys(a: str, b: str) -> None:
    assert quote_key(a) != quote_key(b)


def test_a_key_is_32_hex_digits() -> None:
    key = quote_key("keeps every branch open")
    assert len(key) == 32
    assert int(key, 16) >= 0


@given(st.text())
def test_spacing_never_changes_a_key(text: str) -> None:
    assert quote_key(text) == quote_key(text.replace(" ", "  \n\t"))


@given(st.text(alphabet="abcXYZ019 ,.;!?-"))
def test_typographic_marks_never_change_a_key(text: str) -> None:
    assert quote_key(f"“{text}”") == quote_key(f'"{text}"') == quote_key(text)
