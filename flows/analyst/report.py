"""`newsdesk report`: one self-contained HTML page of charts and their numbers over a warehouse.

The page needs no network and no JavaScript: charts are inline SVG drawn by `charts`, the CSS is
inline, and under each chart a table gives the same numbers. Every value from the data is
escaped (titles, names and quotes are input).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from flows import __version__
from flows.analyst.charts import bar_chart, column_chart
from flows.analyst.session import connect
from flows.analyst.words import QUOTE_MAX_CHARS, RUNS_SHOWN, TOP_N


@dataclass(frozen=True, slots=True)
class Chart:
    """One section of the report: a chart and the table of its numbers."""

    key: str  # the figure's data-chart attribute: stable for tests and for styling
    title: str
    note: str
    svg: str
    numbers: pa.Table


def render_report(warehouse: str | Path, *, generated_at: dt.datetime) -> str:
    """The report's HTML for a warehouse, read from one pinned snapshot."""
    con = connect(warehouse)
    try:
        totals = _totals(con)
        charts = _charts(con)
    finally:
        con.close()
    return _page(warehouse, totals, charts, generated_at)


def _charts(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    per_day = _q(
        con,
        "select ingest_date as day, count(*) as documents, count(distinct source_uri) as sources "
        "from documents group by 1 order by 1",
    )
    charts = [
        Chart(
            "documents-per-day",
            "Documents per day",
            "Documents (article versions) ingested per day (ingest_date, UTC).",
            column_chart("Documents per day", _points(per_day, "day", "documents")),
            per_day,
        )
    ]
    for view, title in (
        ("people", "people"),
        ("organizations", "organizations"),
        ("places", "places"),
    ):
        top = _q(
            con,
            f"select min(name) as name, cast(sum(mentions) as bigint) as mentions, "
            f"count(distinct doc_id) as documents from {view} group by entity_id "
            f"order by mentions desc, documents desc, name limit {TOP_N}",
        )
        charts.append(
            Chart(
                f"top-{view}",
                f"Top {title}",
                f"The {TOP_N} most mentioned {title} (canonical names, from the {view} view).",
                bar_chart(f"Top {title}", _points(top, "name", "mentions")),
                top,
            )
        )
    speakers = _q(
        con,
        f"select speaker_name as speaker, count(*) as quotes, "
        f"count(distinct doc_id) as documents, "
        f"first(quote order by doc_id, char_start) as sample_quote "
        f"from quotes_with_speakers where speaker_name is not null "
        f"group by speaker_name order by quotes desc, speaker limit {TOP_N}",
    )
    charts.append(
        Chart(
            "top-speakers",
            "Top quoted speakers",
            "Speakers with the most quotes, each with the first of their quotes.",
            bar_chart("Top quoted speakers", _points(speakers, "speaker", "quotes")),
            speakers,
        )
    )
    per_document = _q(
        con,
        f"select coalesce(d.title, d.source_uri) as document, count(q.doc_id) as quotes, "
        f"count(distinct q.speaker_name) as speakers from latest_documents d "
        f"left join quotes_with_speakers q on q.doc_id = d.doc_id "
        f"group by d.doc_id, d.title, d.source_uri order by quotes desc, document limit {TOP_N}",
    )
    charts.append(
        Chart(
            "quotes-per-document",
            "Quotes per document",
            f"Quotes in the latest version of each article (the {TOP_N} with most).",
            bar_chart("Quotes per document", _points(per_document, "document", "quotes")),
            per_document,
        )
    )
    rejects = _q(
        con,
        "select reason, count(*) as rejects, count(distinct source_uri) as inputs "
        "from rejects group by reason order by rejects desc, reason",
    )
    charts.append(
        Chart(
            "rejects-by-reason",
            "Rejects by reason",
            "Inputs that could not be ingested, by reason (the rejects table).",
            bar_chart("Rejects by reason", _points(rejects, "reason", "rejects")),
            rejects,
        )
    )
    runs = _q(
        con,
        f"select * from (select strftime(started_at, '%Y-%m-%d %H:%M') as started, run_id, "
        f"inputs_seen as seen, inputs_skipped as skipped, added_documents as documents, "
        f"added_rejects as rejects, status from runs "
        f"order by started_at desc, run_id desc limit {RUNS_SHOWN}) order by started, run_id",
    )
    charts.append(
        Chart(
            "runs-over-time",
            "Runs over time",
            f"Documents added by each of the last {RUNS_SHOWN} runs (UTC start time).",
            column_chart("Runs over time", _points(runs, "started", "documents")),
            runs,
        )
    )
    return charts


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for name in (
        "documents",
        "latest_documents",
        "sections",
        "entities",
        "quotes",
        "rejects",
        "runs",
    ):
        out[name] = int(con.execute(f"select count(*) from {name}").fetchall()[0][0])
    return out


def _q(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return con.sql(sql).to_arrow_table()


def _points(table: pa.Table, label: str, value: str) -> list[tuple[str, float]]:
    return [
        (_text(row[label]), float(row[value] or 0))
        for row in table.select([label, value]).to_pylist()
    ]


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _page(
    warehouse: str | Path, totals: dict[str, int], charts: list[Chart], generated_at: dt.datetime
) -> str:
    tiles = "".join(
        f'<div class="tile"><span class="n">{n:,}</span><span class="k">{escape(k)}</span></div>'
        for k, n in (
            ("articles", totals["latest_documents"]),
            ("versions", totals["documents"]),
            ("sections", totals["sections"]),
            ("entity mentions", totals["entities"]),
            ("quotes", totals["quotes"]),
            ("rejects", totals["rejects"]),
            ("runs", totals["runs"]),
        )
    )
    contents = "".join(f'<li><a href="#{c.key}">{escape(c.title)}</a></li>' for c in charts)
    figures = "".join(_figure(c) for c in charts)
    stamp = generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>newsdesk report: {escape(str(warehouse))}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>newsdesk report</h1>
<p class="meta">Warehouse <code>{escape(str(warehouse))}</code> · generated {escape(stamp)} by
newsdesk {escape(__version__)} · one consistent snapshot</p>
<div class="tiles">{tiles}</div>
<nav><ol>{contents}</ol></nav>
</header>
<main>{figures}</main>
<footer>Every number on this page is also in the table under its chart; the page needs no network
and no JavaScript.</footer>
</body>
</html>
"""


def _figure(chart: Chart) -> str:
    return (
        f'<section class="card" id="{chart.key}">'
        f'<figure data-chart="{chart.key}"><h2>{escape(chart.title)}</h2>'
        f"<figcaption>{escape(chart.note)}</figcaption>{chart.svg}</figure>"
        f"{_table(chart.numbers)}</section>"
    )


def _table(table: pa.Table) -> str:
    if table.num_rows == 0:
        return ""
    numeric = [
        pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type)
        for f in table.schema
    ]
    head = "".join(
        f"<th{_num(n)}>{escape(name.replace('_', ' '))}</th>"
        for name, n in zip(table.column_names, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{_num(n)}>{escape(_cell(v))}</td>"
            for v, n in zip(row.values(), numeric, strict=True)
        )
        + "</tr>"
        for row in table.to_pylist()
    )
    return f'<table class="numbers"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _num(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _cell(value: Any) -> str:
    text = _text(value) if value is not None else "—"
    if isinstance(value, int | float):
        return f"{value:,}"
    return text if len(text) <= QUOTE_MAX_CHARS else text[: QUOTE_MAX_CHARS - 1] + "…"


_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --bg: #f5f6f8; --card: #fff; --line: #e3e6eb;
  --bar: #3b6fd8; --bar-hover: #1f4fb0; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e9ef; --muted: #a0a8b8; --bg: #14171d;
  --card: #1d2129; --line: #2c313b; --bar: #6d98ef; --bar-hover: #9bb9f5; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
header, main, footer { max-width: 880px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { margin: 0 0 4px; font-size: 28px; letter-spacing: -0.01em; }
h2 { margin: 0 0 2px; font-size: 18px; }
.meta, figcaption, footer, .empty { color: var(--muted); }
code { font-size: 13px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: 10px;
  margin: 18px 0; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 10px 12px; display: flex; flex-direction: column; }
.tile .n { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .k { color: var(--muted); font-size: 13px; }
nav ol { display: flex; flex-wrap: wrap; gap: 6px 16px; padding: 0; list-style: none; }
nav a { color: var(--bar); text-decoration: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 18px 20px; margin: 18px 0; overflow-x: auto; }
figure { margin: 0 0 12px; }
figcaption { font-size: 13px; margin-bottom: 10px; }
svg.chart { max-width: 100%; height: auto; display: block; font-size: 12px; }
svg .mark { fill: var(--bar); }
svg .mark:hover { fill: var(--bar-hover); }
svg .label { fill: var(--ink); }
svg .value { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .axis { stroke: var(--line); stroke-width: 1; }
table.numbers { border-collapse: collapse; width: 100%; font-size: 13px; }
table.numbers th, table.numbers td { text-align: left; padding: 5px 8px;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.numbers th { color: var(--muted); font-weight: 600; text-transform: capitalize; }
table.numbers .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
footer { font-size: 13px; padding-bottom: 32px; }
"""
