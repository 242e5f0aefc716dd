"""Run every benchmark in turn (`make bench`); each prints figures and saves JSON in results/."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHMARKS = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))


def main() -> None:
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        saved = sys.argv
        sys.argv = [name]
        try:
            module.main()
        finally:
            sys.argv = saved


if __name__ == "__main__":
    main()
