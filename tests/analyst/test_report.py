"""`newsdesk report`: the page's charts and numbers, and escaping of everything from the data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from flows.analyst import connect, render_report
from tests.analyst.conftest import HOSTILE_TITLE
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

CHARTS = (
    "documents-per-day",
    "top-people",
    "top-organizations",
    "top-places",
    "top-speakers",
    "quotes-per-document",
    "rejects-by-reason",
    "runs-over-time",
)
NOW = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)


def figures(html: str) -> dict[str, str]:
    """Each chart's section of the page, by its data-chart key."""
    found = re.findall(r'<section class="card" id="([\w-]+)">(.*?)</section>', html, re.DOTALL)
    return dict(found)


def test_report_of_the_seed_warehouse(seed_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("report", "--warehouse", str(seed_warehouse), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    html = out.read_text(encoding="utf-8")
    sections = figures(html)
    assert tuple(sections) == CHARTS
    # Self-contained: nothing fetched, nothing run.
    assert not re.search(r"<script|<link|https?://(?!www\.w3\.org/2000/svg)", html)
    for key, body in sections.items():
        rows = body.count("<tr>") - 1  # the table's rows, without its header
        assert body.count('class="mark"') == rows, key
    speakers = sections["top-speakers"]
    for name in ("Dmitry Kuznets", "Kyrylo Budanov", "Steven Witkoff"):
        assert re.search(rf"<td>{name}</td><td class=\"num\">2</td>", speakers), name
    assert "Both sides still believe that they can continue the war" in speakers
    assert '<td>binary</td><td class="num">1</td>' in sections["rejects-by-reason"]
    assert '<td>Ukraine</td><td class="num">22</td>' in sections["top-places"]
    assert '<span class="n">259</span><span class="k">entity mentions</span>' in html


def test_report_escapes_hostile_data(edited_warehouse: Path) -> None:
    html = render_report(edited_warehouse, generated_at=NOW)
    assert "<img" not in html
    assert "<script" not in html
    assert "<b>not</b>" not in html
    # (normalization made the straight quotes typographic)
    assert "&lt;img src=x onerror=alert(1)&gt; Council &amp; “Friends” &lt;/title&gt;" in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "generated 2026-01-02 03:04 UTC" in html
    # A table with no rows is said so, not drawn as an empty chart.
    assert "No rows yet for rejects by reason." in figures(html)["rejects-by-reason"]


def test_latest_documents_keeps_the_newest_version(edited_warehouse: Path) -> None:
    con = connect(edited_warehouse)
    try:
        versions = con.execute(
            "select doc_id, ingested_at from documents order by ingested_at"
        ).fetchall()
        latest = con.execute("select doc_id, title, versions from latest_documents").fetchall()
        text = con.execute("select text from latest_documents").fetchall()[0][0]
        # rejects has no file in this warehouse: an empty view with the contract's columns
        rejects = con.execute("select count(*) from rejects").fetchall()
        kinds = con.execute("select column_name, column_type from (describe rejects)").fetchall()
    finally:
        con.close()
    assert len(versions) == 2
    assert latest == [(versions[1][0], HOSTILE_TITLE.replace('"Friends"', "“Friends”"), 2)]
    assert text.endswith("The council adjourned at noon.")
    assert rejects == [(0,)]
    assert kinds[0] == ("reject_id", "VARCHAR")
    assert kinds[-2:] == [("rejected_at", "TIMESTAMP WITH TIME ZONE"), ("ingest_date", "DATE")]
