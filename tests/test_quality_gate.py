"""Tests for the quality gate: its pure rules, its pins, and the scores against the floors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import quality_gate as qg

MARGIN = {"ratio": 0.0005, "count": 0.0}
SHA_A, SHA_B = "a" * 64, "b" * 64


def _require_shared() -> Path:
    """Skip without ../shared on a workstation; fail in CI, where a skipped gate guards nothing."""
    missing = qg.missing_shared(qg.SHARED)
    if missing:
        reason = f"the quality gate needs ../shared beside the checkout; missing: {missing}"
        if qg.ci_enabled(os.environ):
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
        pytest.skip(reason)
    return qg.SHARED


# -- merge: floors only go up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "measured", "expected"),
    [
        ({"f1": 0.9}, {"f1": 0.95}, {"f1": 0.95}),  # a better score lifts the floor
        ({"f1": 0.9}, {"f1": 0.8}, {"f1": 0.9}),  # a worse one leaves it where it was
        ({"f1": 0.9}, {"f1": 0.9}, {"f1": 0.9}),
        ({"f1": 0.9}, {"f1": 0.987654}, {"f1": 0.9876}),  # stored rounded down, never up
        ({"f1": 0.98769}, {"f1": 0.987699}, {"f1": 0.98769}),  # rounding must not lower it
        ({"headings_ok": 6}, {"headings_ok": 7}, {"headings_ok": 7}),
        ({"headings_ok": 7}, {"headings_ok": 5}, {"headings_ok": 7}),
        ({"f1": 0.5}, {"f1": 0.5, "p": 0.9}, {"f1": 0.5}),  # new metrics get no floor unasked
        ({"f1": 0.9, "r": 0.8}, {"f1": 0.7, "r": 0.85}, {"f1": 0.9, "r": 0.85}),
    ],
)
def test_merge_lifts_floors_and_refuses_to_lower_them(
    old: dict[str, float], measured: dict[str, float], expected: dict[str, float]
) -> None:
    merged = qg.merge_floors(old, measured)
    assert merged == expected
    # Counts stay JSON integers, or the margin rule would start treating them as ratios.
    assert [type(v) for v in merged.values()] == [type(v) for v in expected.values()]


def test_merge_refuses_a_floor_without_a_measurement() -> None:
    with pytest.raises(KeyError, match="quote_r"):
        qg.merge_floors({"quote_p": 0.9, "quote_r": 0.9}, {"quote_p": 0.95})


@given(
    st.dictionaries(st.sampled_from(["f1", "p", "r"]), st.floats(0, 1), min_size=1),
    st.floats(0, 1),
)
def test_merge_never_writes_a_lower_floor(old: dict[str, float], measured: float) -> None:
    merged = qg.merge_floors(old, dict.fromkeys(old, measured))
    assert all(merged[metric] >= floor for metric, floor in old.items())


# -- margin: how far below its floor a score may be -----------------------------------------------


@pytest.mark.parametrize(
    ("floor", "score", "passes"),
    [
        (0.9, 0.95, True),
        (0.9, 0.9, True),
        (0.9, 0.8995, True),  # exactly the margin below
        (0.9, 0.8994, False),
        (0.97, 0.97 - 1 / 919, False),  # one lost PolNeAR quote is a regression, not noise
        (7, 7, True),
        (7, 8, True),
        (7, 6, False),
        (7, 6.9999, False),  # counts get no margin at all
    ],
)
def test_margin_rule(floor: float, score: float, passes: bool) -> None:
    assert (qg.shortfalls({"m": floor}, {"m": score}, MARGIN) == []) is passes


def test_a_metric_the_scorer_no_longer_reports_fails() -> None:
    assert qg.shortfalls({"f1": 0.5}, {"p": 1.0}, MARGIN) == [
        "f1: the scorer reported no such metric (floor 0.5)"
    ]


def test_floors_file_states_the_margin_the_docstring_explains() -> None:
    margin = qg.load(qg.FLOORS_FILE)["margin"]
    assert margin["count"] == 0
    assert 0 < margin["ratio"] <= 0.001
    assert f"{margin['ratio']} absolute" in (qg.__doc__ or "").replace("\n", " ")


def test_floors_file_has_floors_and_pins_for_every_corpus() -> None:
    pins = qg.load(qg.FLOORS_FILE)
    assert set(pins["floors"]) == set(qg.CORPORA)
    assert set(pins["digests"]) == set(qg.pin_paths(Path("shared")))
    for floors in pins["floors"].values():
        assert floors
        assert all(isinstance(v, int | float) and v >= 0 for v in floors.values())


# -- digests: the floors hold only for the data and scorer they were measured with ----------------


def test_a_changed_digest_is_named_with_old_new_and_the_repin_command() -> None:
    (message,) = qg.digest_changes(
        {"eval/score.py": SHA_A, "corpus/aeb-dev": SHA_A},
        {"eval/score.py": SHA_B, "corpus/aeb-dev": SHA_A},
    )
    assert message.startswith("eval/score.py changed")
    assert f"pinned sha256 {SHA_A}, now {SHA_B}" in message
    assert qg.REPIN_COMMAND in message


def test_unchanged_digests_give_no_message() -> None:
    assert qg.digest_changes({"eval/score.py": SHA_A}, {"eval/score.py": SHA_A}) == []


def _corpus(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


BASE = {"gold.json": b"{}", "inputs/a.txt": b"alpha", "inputs/b.html": b"<p>beta</p>"}


@pytest.mark.parametrize(
    ("edit", "changes"),
    [
        (lambda d: (d / "inputs/a.txt").write_bytes(b"alphA"), True),
        (lambda d: (d / "gold.json").write_bytes(b'{"docs": {}}'), True),
        (lambda d: (d / "inputs/a.txt").rename(d / "inputs/c.txt"), True),  # matched by name
        (lambda d: (d / "inputs/d.txt").write_bytes(b""), True),
        (lambda d: (d / "inputs/b.html").unlink(), True),
        (lambda d: (d / "README").write_bytes(b"not gold, not input"), False),
        (lambda d: (d / "inputs/a.txt").touch(), False),  # a new mtime is the same data
    ],
)
def test_corpus_digest_follows_gold_and_inputs(
    tmp_path: Path, edit: Callable[[Path], object], changes: bool
) -> None:
    corpus = _corpus(tmp_path / "c", BASE)
    before = qg.digest(corpus)
    edit(corpus)
    assert (qg.digest(corpus) != before) is changes


def test_corpus_digest_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    forward = _corpus(tmp_path / "f", BASE)
    backward = _corpus(tmp_path / "b", dict(reversed(BASE.items())))
    assert qg.digest(forward) == qg.digest(backward)


# -- ../shared missing: a skip on a workstation, a failure in CI ----------------------------------


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [
        ("true", pytest.fail.Exception),
        ("1", pytest.fail.Exception),
        ("TRUE", pytest.fail.Exception),
        ("false", pytest.skip.Exception),
        ("0", pytest.skip.Exception),
        ("", pytest.skip.Exception),
        (None, pytest.skip.Exception),
    ],
)
def test_missing_shared_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(qg, "SHARED", tmp_path / "no-shared")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    # Both outcomes are caught: an escaping skip would report this very test as skipped, not failed.
    with pytest.raises((pytest.fail.Exception, pytest.skip.Exception)) as caught:
        _require_shared()
    assert caught.type is outcome
    assert "no-shared/eval/score.py" in str(caught.value)


# -- the gate itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(qg.pin_paths(Path("shared"))))
def test_shared_files_match_their_pins(key: str) -> None:
    shared = _require_shared()
    pinned = qg.load(qg.FLOORS_FILE)["digests"]
    current = {key: qg.digest(qg.pin_paths(shared)[key])}
    changes = qg.digest_changes(pinned, current)
    assert not changes, "\n".join(changes)  # in full: pytest would cut the digests short


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> qg.Floors:
    """One CLI run over every dev corpus, then the scorer's JSON metrics for each."""
    shared = _require_shared()
    return qg.measure(tmp_path_factory.mktemp("gate"), shared)


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(qg.CORPORA))
def test_scores_stay_above_their_floors(measured: qg.Floors, corpus: str) -> None:
    pins = qg.load(qg.FLOORS_FILE)
    failed = qg.shortfalls(pins["floors"][corpus], measured[corpus], pins["margin"])
    assert not failed, f"{corpus}: " + "; ".join(failed)
