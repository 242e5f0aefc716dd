"""Quality gate: score the pipeline on the shared dev corpora and hold each score to a floor.

Noise margin: a ratio metric (a float floor such as f1) may fall short of its floor by at most
0.0005 absolute; a count (an integer floor such as headings_ok) gets no margin at all. The
pipeline and the scorer are deterministic (same inputs, same tables; the scorer's bootstrap is
seeded) and we read the scorer's full-precision JSON, so the only noise left is float arithmetic
that a library upgrade may reorder (~1e-12) plus floors stored rounded down to 4 decimals
(< 0.0001). 0.0005 covers both with room to spare, yet one lost PolNeAR quote (1/919 = 0.0011 of
quote_r) or a few lost CoNLL entities (~0.00017 each) still fail. quality_floors.json states the
same margin under "margin"; that file is what the gate reads.

    python -m tests.quality_gate check            # scores against floors, pins against files
    python -m tests.quality_gate raise [--repin]  # floors = max(old, measured); never lower
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, run_cli

SHARED = ROOT.parent / "shared"
FLOORS_FILE = Path(__file__).with_name("quality_floors.json")
SCORER = "eval/score.py"  # pin key and path, relative to SHARED
# Corpus -> extra scorer flags. PolNeAR gold holds only quotes in double marks, so the pipeline's
# title, scare, headline and nested quotes are left out rather than counted as false positives.
CORPORA: dict[str, tuple[str, ...]] = {
    "aeb": (),
    "polnear": ("--kinds", "direct,partial"),
    "conll": (),
    "seed": (),
}
REPIN_COMMAND = ".venv/bin/python -m tests.quality_gate raise --repin"
# Values CI services put in $CI (GitHub, GitLab: "true"; others "1").
_CI_TRUE = frozenset({"1", "true", "yes", "on"})
# Floors are stored to this many decimals, rounded down so a floor never exceeds its measurement.
_PLACES = Decimal("0.0001")

Floors = dict[str, dict[str, float]]


def ci_enabled(env: Mapping[str, str]) -> bool:
    return env.get("CI", "").strip().lower() in _CI_TRUE


def pin_paths(shared: Path) -> dict[str, Path]:
    """What the gate pins, keyed as in quality_floors.json: the scorer and one dir per corpus."""
    paths = {SCORER: shared / SCORER}
    paths.update({f"corpus/{name}-dev": shared / "corpus" / f"{name}-dev" for name in CORPORA})
    return paths


def missing_shared(shared: Path) -> list[str]:
    """The scorer and corpus files the gate needs but cannot find under `shared`."""
    needed = [shared / SCORER]
    for name in CORPORA:
        needed += [shared / "corpus" / f"{name}-dev" / "gold.json"]
        needed += [shared / "corpus" / f"{name}-dev" / "inputs"]
    return [str(path) for path in needed if not path.exists()]


def digest(path: Path) -> str:
    """sha256 of a file, or of a corpus dir: its gold.json and every input, in sorted order."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    files = [path / "gold.json", *(p for p in (path / "inputs").rglob("*") if p.is_file())]
    whole = hashlib.sha256()
    for rel in sorted(p.relative_to(path).as_posix() for p in files):
        # The name goes in too, so a renamed input (the scorer matches by name) changes the digest.
        whole.update(rel.encode() + b"\0" + hashlib.sha256((path / rel).read_bytes()).digest())
    return whole.hexdigest()


def digest_changes(pinned: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """One message per pin whose digest moved, naming old and new and how to re-pin."""
    return [
        f"{key} changed: pinned sha256 {pinned.get(key)}, now {current[key]}. Scores measured on "
        f"other data do not compare with the floors: re-measure and re-pin with `{REPIN_COMMAND}`"
        for key in sorted(current)
        if pinned.get(key) != current[key]
    ]


def allowed_shortfall(floor: float, margin: Mapping[str, float]) -> float:
    # JSON integers are counts (headings_ok, canonical_ok): exact, no noise to allow for.
    return margin["count"] if isinstance(floor, int) else margin["ratio"]


def shortfalls(
    floors: Mapping[str, float], measured: Mapping[str, float], margin: Mapping[str, float]
) -> list[str]:
    """One message per metric below its floor by more than the margin (or not reported)."""
    out = []
    for metric, floor in floors.items():
        if metric not in measured:
            out.append(f"{metric}: the scorer reported no such metric (floor {floor})")
            continue
        # Rounded so that a score exactly `margin` below its floor passes despite float error.
        if round(floor - measured[metric], 12) > allowed_shortfall(floor, margin):
            out.append(
                f"{metric}: {measured[metric]:.4f} < floor {floor} "
                f"(margin {allowed_shortfall(floor, margin)})"
            )
    return out


def round_down(value: float) -> float:
    if isinstance(value, int):
        return value
    return float(Decimal(repr(value)).quantize(_PLACES, rounding=ROUND_FLOOR))


def merge_floors(old: Mapping[str, float], measured: Mapping[str, float]) -> dict[str, float]:
    """New floors: each old floor, lifted to its measurement when that is higher; never lowered."""
    missing = sorted(set(old) - set(measured))
    if missing:
        raise KeyError(f"no measurement for floors {missing}: refusing to guess")
    return {metric: max(floor, round_down(measured[metric])) for metric, floor in old.items()}


def score(corpus: str, warehouse: Path, out: Path, shared: Path) -> dict[str, float]:
    """Run the independent scorer on one corpus and return the metrics of its --json output."""
    gold = shared / "corpus" / f"{corpus}-dev" / "gold.json"
    cmd = [sys.executable, str(shared / SCORER), "--task", corpus, "--gold", str(gold)]
    cmd += ["--warehouse", str(warehouse), "--json", str(out), *CORPORA[corpus]]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"score.py --task {corpus} exited {proc.returncode}: {proc.stderr}")
    metrics = json.loads(out.read_text(encoding="utf-8"))["metrics"]
    return {k: v for k, v in metrics.items() if isinstance(v, int | float)}


def measure(workdir: Path, shared: Path, env: dict[str, str] | None = None) -> Floors:
    """Ingest every dev corpus in one CLI run (the scorer matches documents by name), score each."""
    warehouse = workdir / "w"
    inputs = [str(shared / "corpus" / f"{name}-dev" / "inputs") for name in CORPORA]
    proc = run_cli("ingest", *inputs, "--warehouse", str(warehouse), "-q", env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"newsdesk ingest exited {proc.returncode}: {proc.stderr}")
    return {name: score(name, warehouse, workdir / f"{name}.json", shared) for name in CORPORA}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _check(pins: dict[str, Any], measured: Floors, current: dict[str, str]) -> int:
    problems = digest_changes(pins["digests"], current)
    for corpus, floors in pins["floors"].items():
        failed = shortfalls(floors, measured[corpus], pins["margin"])
        problems += [f"{corpus} {line}" for line in failed]
        for metric, floor in floors.items():
            got = measured[corpus].get(metric)
            shown = "missing" if got is None else f"{got:.4f}" if isinstance(got, float) else got
            print(f"{corpus:8} {metric:14} {shown:>8}  floor {floor}")
    if problems:
        print(*problems, sep="\n", file=sys.stderr)
        return 1
    return 0


def _raise(
    path: Path, pins: dict[str, Any], measured: Floors, current: dict[str, str], repin: bool
) -> int:
    # A regression blocks the write: raising other floors must not bless a tree that fails.
    regressions = [
        f"{corpus} {line}"
        for corpus, floors in pins["floors"].items()
        for line in shortfalls(floors, measured[corpus], pins["margin"])
    ]
    if regressions:
        print(*regressions, sep="\n", file=sys.stderr)
        print("not raising: lowering a floor is a hand edit, its reason in the commit message")
        return 1
    new = {
        corpus: merge_floors(floors, measured[corpus]) for corpus, floors in pins["floors"].items()
    }
    moved = [
        f"raised {corpus} {metric}: {pins['floors'][corpus][metric]} -> {floor}"
        for corpus, floors in new.items()
        for metric, floor in floors.items()
        if floor != pins["floors"][corpus][metric]
    ]
    moved += [
        f"re-pinned {key}: {pins['digests'].get(key)} -> {sha}"
        for key, sha in current.items()
        if pins["digests"].get(key) != sha
    ]
    print(*(moved or ["nothing moved"]), sep="\n")
    path.write_text(
        json.dumps({**pins, "digests": current, "floors": new}, indent=2) + "\n", encoding="utf-8"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.quality_gate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["check", "raise"])
    parser.add_argument("--repin", action="store_true", help="raise: accept changed digests")
    parser.add_argument("--floors", type=Path, default=FLOORS_FILE, help="the floors file")
    args = parser.parse_args(argv)
    missing = missing_shared(SHARED)
    if missing:
        print(f"quality gate: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    pins = load(args.floors)
    current = {key: digest(path) for key, path in pin_paths(SHARED).items()}
    changed = digest_changes(pins["digests"], current)
    if args.command == "raise" and changed and not args.repin:
        print(*changed, sep="\n", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="quality-gate-") as tmp:
        # A throwaway Prefect home, as tests/conftest.py gives the tests.
        env = {
            "PREFECT_HOME": str(Path(tmp) / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        measured = measure(Path(tmp), SHARED, env)
    if args.command == "check":
        return _check(pins, measured, current)
    return _raise(args.floors, pins, measured, current, args.repin)


if __name__ == "__main__":
    sys.exit(main())
