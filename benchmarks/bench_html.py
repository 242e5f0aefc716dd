"""HTML stage speed: our page -> sections path against trafilatura's bare_extraction, same pages.

    .venv/bin/python -m benchmarks.bench_html [--corpus ../shared/corpus/aeb-dev] [--repeat 3]

For every page (inputs/*.html, *.htm, *.html.gz) it measures CPU time (time.process_time) of
(a) flows.html.parse_html + flows.assemble.assemble_document + flows.sections.split_sections and
(b) trafilatura.bare_extraction(page, include_comments=False), the call behind trafilatura's
aeb reference score, back to back in the same process so both see the same machine state. Each
page's time is its fastest of --repeat runs (the least disturbed by other load); the figures
are medians over pages. Prints a table and writes benchmarks/results/bench_html.json.
"""

from __future__ import annotations

import argparse
import gzip
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from benchmarks.paths import RESULTS, ROOT, repo_relative, save_results
from flows.assemble import assemble_document
from flows.errors import RejectError
from flows.html import parse_html
from flows.sections import split_sections

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "aeb-dev"
BUDGET = 1.5  # issue 3: ours may cost at most 1.5x trafilatura's own extraction


def _pages(corpus: Path) -> list[tuple[str, bytes]]:
    folder = corpus / "inputs" if (corpus / "inputs").is_dir() else corpus
    pages = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith((".html", ".htm")):
            pages.append((path.name, path.read_bytes()))
        elif path.name.endswith((".html.gz", ".htm.gz")):
            pages.append((path.name, gzip.decompress(path.read_bytes())))
    return pages


def ours(name: str, data: bytes) -> int:
    """Page to sections; returns the number of sections (0 for a rejected page)."""
    try:
        draft = parse_html(data)
    except RejectError:
        return 0
    doc = assemble_document(
        draft, doc_id=name, source_uri=name, media_type="text/html", content_hash=name
    )
    return len(split_sections(doc))


def theirs(name: str, data: bytes) -> int:
    document = trafilatura.bare_extraction(data, include_comments=False)
    return 0 if document is None else 1


def _cpu(fn: Callable[[str, bytes], int], name: str, data: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(name, data)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_html.json")
    args = parser.parse_args()
    pages = _pages(args.corpus)
    if not pages:
        raise SystemExit(f"no HTML pages under {args.corpus}")
    for fn in (ours, theirs):  # warm-up: imports, caches and lazily built tables stay out
        fn(*pages[0])
    rows: list[dict[str, Any]] = []
    for name, data in pages:
        rows.append(
            {
                "page": name,
                "bytes": len(data),
                "ours_ms": round(1000 * _cpu(ours, name, data, args.repeat), 3),
                "trafilatura_ms": round(1000 * _cpu(theirs, name, data, args.repeat), 3),
                "rejected": ours(name, data) == 0,
            }
        )
    ours_median = statistics.median(r["ours_ms"] for r in rows)
    theirs_median = statistics.median(r["trafilatura_ms"] for r in rows)
    ratio = ours_median / theirs_median
    summary = {
        "corpus": repo_relative(args.corpus),
        "pages": len(rows),
        "rejected": sum(1 for r in rows if r["rejected"]),
        "repeat": args.repeat,
        "ours": "parse_html + assemble_document + split_sections",
        "trafilatura": "bare_extraction(page, include_comments=False)",
        "median_cpu_ms_ours": round(ours_median, 3),
        "median_cpu_ms_trafilatura": round(theirs_median, 3),
        "ratio": round(ratio, 3),
        "budget": BUDGET,
        "within_budget": ratio <= BUDGET,
        "total_cpu_s_ours": round(sum(r["ours_ms"] for r in rows) / 1000, 3),
        "total_cpu_s_trafilatura": round(sum(r["trafilatura_ms"] for r in rows) / 1000, 3),
        "python": platform.python_version(),
        "trafilatura_version": trafilatura.__version__,
        "per_page": rows,
    }
    save_results(args.out, summary)
    print(f"{'pages':<40}{len(rows)} ({summary['rejected']} rejected)")
    print(f"{'median CPU ms/page, ours (html->sections)':<40}{ours_median:.2f}")
    print(f"{'median CPU ms/page, trafilatura bare':<40}{theirs_median:.2f}")
    print(f"{'ratio (budget ' + str(BUDGET) + ')':<40}{ratio:.2f}")
    print(f"wrote {repo_relative(args.out)}")


if __name__ == "__main__":
    main()
