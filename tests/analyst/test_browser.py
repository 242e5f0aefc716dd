"""The report rendered by headless Chromium: no console error, every chart drawn, a screenshot."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from flows.analyst import render_report
from tests.analyst.browser import CHROMIUM, Page, open_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None and os.environ.get("CI") != "true",
        reason="no chromium on PATH (make chromium installs it; with CI=true this fails)",
    ),
]

NOW = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)

# For each chart: how many of its marks have a rendered box with area, and how many rows its
# table of numbers has. Read from the rendered page (layout done), not from the HTML text.
DRAWN_MARKS = """JSON.stringify([...document.querySelectorAll('figure[data-chart]')].map(f => ({
    chart: f.dataset.chart,
    drawn: [...f.querySelectorAll('svg .mark')].filter(m => {
        const box = m.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(m).fill !== 'none';
    }).length,
    rows: f.parentElement.querySelectorAll('table.numbers tbody tr').length,
})))"""


def drawn_marks(page: Page) -> dict[str, tuple[int, int]]:
    return {c["chart"]: (c["drawn"], c["rows"]) for c in json.loads(page.evaluate(DRAWN_MARKS))}


def test_the_seed_report_renders_every_chart(seed_warehouse: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_report(seed_warehouse, generated_at=NOW), encoding="utf-8")
    screenshot = tmp_path / "report.png"
    with open_page(report.as_uri(), tmp_path / "profile") as page:
        charts = drawn_marks(page)
        page.screenshot(screenshot)
        assert page.errors == []
    assert list(charts) == [
        "documents-per-day",
        "top-people",
        "top-organizations",
        "top-places",
        "top-speakers",
        "quotes-per-document",
        "rejects-by-reason",
        "runs-over-time",
    ]
    for chart, (drawn, rows) in charts.items():
        assert drawn > 0, chart
        assert drawn == rows, chart
    assert charts["rejects-by-reason"] == (2, 2)
    assert charts["quotes-per-document"] == (4, 4)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 10_000


def test_a_hostile_report_runs_nothing(edited_warehouse: Path, tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    report.write_text(render_report(edited_warehouse, generated_at=NOW), encoding="utf-8")
    with open_page(report.as_uri(), tmp_path / "profile") as page:
        assert page.evaluate("document.querySelectorAll('script, img').length") == 0
        title = page.evaluate("document.querySelector('#quotes-per-document td').textContent")
        page.screenshot(tmp_path / "hostile.png")
        assert page.errors == []
    assert title.startswith("<img src=x onerror=alert(1)> Council &")


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """A console error and a chart without marks are seen: the two checks above can fail."""
    page_file = tmp_path / "broken.html"
    page_file.write_text(
        "<!DOCTYPE html><html><body><section><figure data-chart='empty'><svg width='10' "
        "height='10'><rect class='mark' width='0' height='5'/></svg></figure></section>"
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    with open_page(page_file.as_uri(), tmp_path / "profile") as page:
        charts = drawn_marks(page)
        errors = list(page.errors)
    assert charts == {"empty": (0, 0)}
    assert len(errors) == 1
    assert "boom" in errors[0]
