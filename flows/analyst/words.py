"""Names, label groups and layout sizes of the analyst tools (query, views, report, stats)."""

from __future__ import annotations

# Each tables' Parquet files, inside a snapshot: <table>/ingest_date=YYYY-MM-DD/<file>.parquet.
PARTITION_GLOB = "*=*/*.parquet"

# --format table: the widest a cell may be before it is cut (with an ellipsis); the narrowest a
# column may be squeezed to before the columns after it are left out (10 keeps a date, an id's
# prefix or a short name readable); the rows shown unless --max-rows says.
CELL_MAX_WIDTH = 48
CELL_MIN_WIDTH = 10
TABLE_MAX_ROWS = 40
COLUMN_GAP = 2
ELLIPSIS = "…"

# The report: how many bars a ranking shows, and the SVG geometry (pixels).
TOP_N = 10
RUNS_SHOWN = 30
CHART_WIDTH = 720
BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 220
VALUE_WIDTH = 56
COLUMN_CHART_HEIGHT = 220
# A column fills 70% of its slot, up to 56 px (one day or one run would otherwise be a wall);
# about 8 labels under a series' axis stay readable at CHART_WIDTH.
COLUMN_FILL = 0.7
COLUMN_MAX_WIDTH = 56
AXIS_LABELS = 8
AXIS_MARGIN = 28
LABEL_MAX_CHARS = 32
QUOTE_MAX_CHARS = 160

# stats: the last runs listed.
STATS_LAST_RUNS = 5

# The table reference: longest example value shown, before it is cut with an ellipsis.
EXAMPLE_MAX_CHARS = 60

# Columns whose values are set by the run, not by the input (ids and clocks of the run, the
# run's settings with its absolute paths): the table reference shows no example for them, so
# that the reference is the same on every machine and every day.
RUN_COLUMNS = frozenset(
    {
        "run_id",
        "flow_run_id",
        "ingest_date",
        "ingested_at",
        "rejected_at",
        "started_at",
        "ended_at",
        "parameters",
    }
)
