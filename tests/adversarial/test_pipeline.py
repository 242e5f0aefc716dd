"""Every worst-case input goes through the whole per-document pipeline in one batch with good
articles: each becomes rows whose spans slice the document's text, or a reject for its budget,
and the good articles come out exactly as they do alone. No timing is asserted:
benchmarks.bench_adversarial measures how the cost grows."""

from __future__ import annotations

import itertools

import pytest

from flows.nlp import get_nlp
from flows.pipeline import process_batch
from flows.records import BatchResult, DocumentResult, RawDocument
from flows.settings import Settings
from tests.adversarial.generate import BY_NAME, CASES, Case
from tests.conftest import ROOT

SIZE = 200 * 1024
# One input of the suite is a multi-megabyte single line (issue 10); the others stay small
# enough for CI.
BIG_LINE = "single_line_3mb"
BIG_LINE_SIZE = 3 * 1024 * 1024
GOOD = sorted((ROOT / "seeds").glob("*.txt"))


def _raw(case: Case, size: int, name: str) -> RawDocument:
    return RawDocument(f"{name}.bin", case.make(size, 0), case.media_type)


def _good() -> list[RawDocument]:
    return [RawDocument(str(path), path.read_bytes(), "text/plain") for path in GOOD]


@pytest.fixture(scope="module")
def mixed() -> BatchResult:
    """Good articles first, in the middle and last, the worst cases between them."""
    good = _good()
    hostile = [_raw(case, SIZE, case.name) for case in CASES]
    hostile.append(_raw(BY_NAME["single_line"], BIG_LINE_SIZE, BIG_LINE))
    half = len(hostile) // 2
    batch = [good[0], *hostile[:half], *good[1:-1], *hostile[half:], good[-1]]
    return process_batch(batch, Settings(), get_nlp)


def _outcome(result: BatchResult, name: str) -> DocumentResult | None:
    """The document `name` became, or None after checking that its reject is for its budget."""
    found = [d for d in result.documents if d.document.source_uri == name]
    rejects = [r for r in result.rejects if r.source_uri == name]
    assert len(found) + len(rejects) == 1, name
    for reject in rejects:
        assert reject.reason == "too_complex", f"{name}: {reject.reason}: {reject.detail}"
    return found[0] if found else None


def _check_spans(found: DocumentResult) -> None:
    doc = found.document
    text = doc.text
    assert found.sections[0].char_start == 0
    assert found.sections[-1].char_end == len(text)
    for before, after in itertools.pairwise(found.sections):
        assert before.char_end == after.char_start
    for block in doc.blocks:
        assert 0 <= block.start < block.end <= len(text)
    for entity in found.entities:
        assert text[entity.char_start : entity.char_end] == entity.text
    for quote in found.quotes:
        assert text[quote.char_start : quote.char_end] == quote.text


@pytest.mark.slow
@pytest.mark.parametrize("name", [*(case.name for case in CASES), BIG_LINE])
def test_each_worst_case_gives_rows_that_slice_the_text_or_a_budget_reject(
    mixed: BatchResult, name: str
) -> None:
    found = _outcome(mixed, f"{name}.bin")
    if found is None:
        return
    _check_spans(found)
    media_type = BY_NAME[name].media_type if name in BY_NAME else "text/plain"
    if media_type == "text/plain":
        assert found.entities  # every plain-text generator writes names


@pytest.mark.slow
def test_good_articles_beside_the_worst_cases_come_out_as_they_do_alone(
    mixed: BatchResult,
) -> None:
    alone = process_batch(_good(), Settings(), get_nlp)
    assert len(alone.documents) == len(GOOD)
    assert not alone.rejects
    beside = [_outcome(mixed, str(path)) for path in GOOD]
    assert beside == list(alone.documents)
    assert all(found is not None and found.quotes for found in beside)
