"""The analyst's side: DuckDB sessions with views over a warehouse, frames, report and stats."""

from flows.analyst.output import FORMATS, render
from flows.analyst.report import render_report
from flows.analyst.script import views_script
from flows.analyst.session import connect, frame, run_query
from flows.analyst.stats import warehouse_stats
from flows.analyst.tables import register_datasets, register_tables
from flows.analyst.views import VIEWS, create_views
from flows.analyst.words import TABLE_MAX_ROWS

__all__ = [
    "FORMATS",
    "TABLE_MAX_ROWS",
    "VIEWS",
    "connect",
    "create_views",
    "frame",
    "register_datasets",
    "register_tables",
    "render",
    "render_report",
    "run_query",
    "views_script",
    "warehouse_stats",
]
