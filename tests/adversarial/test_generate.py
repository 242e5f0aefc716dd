"""tests.adversarial.generate: every generator is deterministic, sized, and aims where it says."""

from __future__ import annotations

import pytest

from flows.quotes.marks import find_marked_spans
from tests.adversarial.generate import BY_NAME, CASES, MAX_BYTES, Case

SIZES = [1, 300, 20_000, 100_000]
# Below this many bytes a generator may fall short of the size by up to one of its pieces.
SHORTFALL_BYTES = 300


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("size", SIZES)
def test_sized_and_deterministic(case: Case, size: int) -> None:
    data = case.make(size, 0)
    assert len(data) <= size
    assert len(data) > size - SHORTFALL_BYTES
    assert data == case.make(size, 0)
    data.decode("utf-8")  # whole characters only, even where the size cut a piece


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_seed_changes_the_bytes(case: Case) -> None:
    assert case.make(20_000, 0) != case.make(20_000, 1)


def test_names_and_media_types() -> None:
    assert len(BY_NAME) == len(CASES)
    assert {case.media_type for case in CASES} == {"text/plain", "text/html"}
    html = [case.name for case in CASES if case.media_type == "text/html"]
    assert all(name.startswith("html_") for name in html)
    assert all(
        case.make(2_000, 0).startswith(b"<!doctype html>") for case in CASES if case.name in html
    )
    assert MAX_BYTES == 32 * 1024 * 1024


def test_single_line_is_one_line() -> None:
    assert b"\n" not in BY_NAME["single_line"].make(100_000, 0)


def test_quote_marks_hold_more_marks_than_a_paragraph_is_read_for() -> None:
    text = BY_NAME["quote_marks"].make(100_000, 0).decode()
    assert "\n" not in text
    assert find_marked_spans(text)  # balanced pairs among the strays


def test_nested_quotes_nest_deeply() -> None:
    text = BY_NAME["nested_quotes"].make(100_000, 0).decode()
    assert text.count("“") > 1_000
    assert text.count("‘") > 1_000


def test_deep_nesting_is_deeper_than_the_tree_keeps() -> None:
    page = BY_NAME["html_deep_nesting"].make(100_000, 0).decode()
    assert page.count("class='story-body'") > 1_000
