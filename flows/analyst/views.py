"""The ready-made views: SQL files shipped with the package, created over the base tables.

A view is one `sql/<name>.sql` file holding one `create or replace view <name>` statement over
the base tables (and views listed before it); `VIEWS` lists them in creation order, so adding a
view is one file and one line here.
"""

from __future__ import annotations

from importlib import resources

import duckdb

# Creation order: a view may use the views before it.
VIEWS = (
    "latest_documents",
    "quotes_with_speakers",
    "people",
    "organizations",
    "places",
    "entity_cooccurrence",
    # Stories (flows.stories): syndicated copies counted once.
    "stories",
    "speaker_quote_counts",
)


def view_sql(name: str) -> str:
    """The SQL file of one view, as shipped."""
    return (resources.files(__package__ or "flows.analyst") / "sql" / f"{name}.sql").read_text(
        encoding="utf-8"
    )


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create every view in `con`, whose base tables are already registered."""
    for name in VIEWS:
        con.execute(view_sql(name))
