"""Where benchmarks read and write, and how a path is recorded in their results (repo-relative)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def repo_relative(path: Path) -> str:
    """`path` relative to the repository root, in POSIX form, for results files.

    Committed results must not carry one machine's absolute paths: a path inside the repository
    becomes `seeds`, a sibling checkout's corpus `../shared/corpus/aeb-dev`, whatever the
    current directory was when the benchmark ran.
    """
    return Path(os.path.relpath(path.resolve(), ROOT)).as_posix()
