"""The story views (flows/analyst/sql/stories.sql, speaker_quote_counts.sql) over a committed
warehouse, read with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.analyst.views import view_sql
from flows.records import DocumentResult, Quote
from tests.stories.articles import (
    BUDGET,
    PROFILE,
    original,
    with_credit_and_byline,
    with_note_and_straight_quotes,
)
from tests.stories.helpers import commit_run, doc_ids_by_uri, parsed

# (speaker, quoted words as the original prints them)
BUDGET_QUOTES = [
    ("Elena Vasquez", "keeps every branch open and every promise we made in the spring."),
    ("Robert Okafor", "a gamble with public safety."),
]
PROFILE_QUOTES = [("Robert Okafor", "We disagree about nearly everything except the pie,")]


def _with_quotes(name: str, text: str, said: list[tuple[str, str]]) -> DocumentResult:
    """The document with a quote row per (speaker, words), its span found in the text."""
    plain = parsed(name, text)
    quotes = []
    for speaker, words in said:
        for variant in (words, words.replace("’", "'")):
            start = plain.document.text.find(variant)
            if start >= 0:
                break
        assert start >= 0, (name, words)
        end = start + len(variant)
        quotes.append(
            Quote(0, plain.document.text[start:end], start, end, "direct", speaker, speaker)
        )
    return parsed(name, text, quotes)


def _quoted_docs() -> list[DocumentResult]:
    """The budget article and two copies of it, and the profile of the same two people."""
    return [
        _with_quotes("budget.txt", original(BUDGET), BUDGET_QUOTES),
        _with_quotes(
            "budget-wire.txt", with_credit_and_byline(BUDGET, "Dana Whitfield"), BUDGET_QUOTES
        ),
        _with_quotes("budget-noted.txt", with_note_and_straight_quotes(BUDGET), BUDGET_QUOTES),
        _with_quotes("profile.txt", original(PROFILE), PROFILE_QUOTES),
    ]


def _connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # The base views as `newsdesk query` defines them: one per table, over its Parquet files.
    for table in ("documents", "quotes"):
        glob = root / table / "**" / "*.parquet"
        con.execute(
            f"create view {table} as select * from read_parquet('{glob}', hive_partitioning=true)"
        )
    for name in ("stories", "speaker_quote_counts"):
        con.execute(view_sql(name))
    return con


def test_stories_view_has_one_row_per_story_with_copies_and_outlets(tmp_path: Path) -> None:
    root = tmp_path / "w"
    commit_run(root, [_quoted_docs()], "r1")
    ids = doc_ids_by_uri(root)
    budget_story = min(ids[n] for n in ("budget.txt", "budget-wire.txt", "budget-noted.txt"))
    rows = (
        _connect(root)
        .sql("select story_id, copies, outlets, title from stories order by copies desc")
        .fetchall()
    )
    assert rows == [
        (budget_story, 3, ["Coastline Wire Service"], BUDGET[0]),
        (ids["profile.txt"], 1, None, PROFILE[0]),
    ]


def test_speaker_counts_count_each_story_once(tmp_path: Path) -> None:
    root = tmp_path / "w"
    commit_run(root, [_quoted_docs()], "r1")
    con = _connect(root)
    # The same words in every copy, whatever their quote marks, share one quote_key.
    keys = con.sql(
        "select count(distinct quote_key), count(*) from quotes where speaker = 'Elena Vasquez'"
    ).fetchall()
    assert keys == [(1, 3)]
    rows = con.sql(
        "select speaker, quotations, quotations_by_story, stories, occurrences "
        "from speaker_quote_counts order by speaker"
    ).fetchall()
    assert rows == [("Elena Vasquez", 1, 1, 1, 3), ("Robert Okafor", 2, 2, 2, 4)]
