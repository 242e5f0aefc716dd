"""flows.html.metadata: title, byline, source, dates, language and URL from each kind of markup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.html import parse_html
from flows.html.metadata import parse_timestamp
from flows.html.words import DATE_CANDIDATES_MAX, MARKED_AUTHORS_MAX
from tests.html.helpers import PARAGRAPH, fixture

METADATA_FIXTURES: dict[str, dict[str, object]] = {
    # one fixture per source: JSON-LD (over OpenGraph), OpenGraph + article:*, <time> + <html lang>
    "jsonld.html": {
        "title": "Tidal barrage wins planning approval after ten-year fight",
        "byline": "Dana Whitlock, Sam Ortega",
        "source_name": "The Estuary Post",
        "published_at": datetime(2024, 3, 5, 12, 30, tzinfo=UTC),
        "language": "en",
        "canonical_url": "https://post.example.com/news/tidal-barrage-approved",
        "description": "The scheme will generate power for 60,000 homes.",
    },
    "opengraph.html": {
        "title": "Orchard grant scheme reopens for applications",
        "byline": "Priya Raman",
        "source_name": "Hill Country News",
        "published_at": datetime(2023, 11, 2, 13, 15, tzinfo=UTC),
        "language": "en",
        "canonical_url": "https://hill.example.net/farming/orchard-grants",
        "description": "Grants of up to 5,000 for planting traditional fruit trees.",
    },
    "time_lang.html": {
        "title": "Le marché couvert rouvre ses portes",
        "byline": "Claire Dubois",
        "source_name": None,
        "published_at": datetime(2024, 2, 10, 7, 45, tzinfo=UTC),
        "language": "fr",
        "canonical_url": None,
        "description": None,
    },
}


@pytest.mark.parametrize("name", sorted(METADATA_FIXTURES))
def test_metadata_from_each_source(name: str) -> None:
    meta = parse_html(fixture(name)).meta
    for field, expected in METADATA_FIXTURES[name].items():
        assert getattr(meta, field) == expected, field
    if meta.published_at is not None:
        assert meta.published_at.utcoffset() is not None


def test_microdata_publication_date_in_page_text() -> None:
    page = (
        "<html><body><article><h1>Swim results</h1>"
        '<p class="date">Posted: <span itemprop="datePublished">'
        "Fri 6:45 PM, Feb 16, 2018</span></p>"
        + PARAGRAPH.format(i=1)
        + PARAGRAPH.format(i=2)
        + "</article></body></html>"
    )
    assert parse_html(page.encode()).meta.published_at == datetime(2018, 2, 16, 18, 45, tzinfo=UTC)


def test_page_title_falls_back_to_title_element_without_site_suffix() -> None:
    page = (
        "<html><head><title>Council freezes parking fees | The Daily Example</title></head>"
        "<body><div>" + PARAGRAPH.format(i=1) + PARAGRAPH.format(i=2) + "</div></body></html>"
    )
    assert parse_html(page.encode()).meta.title == "Council freezes parking fees"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T07:30:00-05:00", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("2024-03-05T12:30:00Z", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("2024-03-05T12:30:00.000+0000", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("2024-03-05 12:30:00", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),  # naive: UTC
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("20240305", datetime(2024, 3, 5, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 07:30:00 -0500", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("1709641800", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("1709641800000", datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", None),  # a placeholder, not a publication date
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_timestamp(value: str, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=40), st.datetimes().map(str), st.integers().map(str)))
def test_parse_timestamp_is_utc_or_none_for_any_text(value: str) -> None:
    parsed = parse_timestamp(value)
    assert parsed is None or parsed.utcoffset() == UTC.utcoffset(None)


def test_hostile_jsonld_neither_crashes_nor_fills_metadata() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    page = (
        f'<html><head><script type="application/ld+json">{nested}</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": 42,'
        ' "author": [null, {"name": ["A", "B"]}], "datePublished": "0001-01-01T00:00:00+14:00"}'
        "</script></head><body><article>"
        + PARAGRAPH.format(i=1)
        + PARAGRAPH.format(i=2)
        + "</article></body></html>"
    )
    meta = parse_html(page.encode()).meta
    assert meta.title == "42"
    assert meta.byline == "A, B"
    assert meta.published_at is None


@pytest.mark.parametrize(("bad", "found"), [(3, True), (DATE_CANDIDATES_MAX, False)])
def test_publication_dates_are_tried_up_to_a_cap_per_source(bad: int, found: bool) -> None:
    metas = "".join(f"<meta name='date' content='not a date {i}'>" for i in range(bad))
    page = (
        f"<html><head>{metas}<meta name='date' content='2018-02-16'></head><body><article>"
        + PARAGRAPH.format(i=1)
        + PARAGRAPH.format(i=2)
        + "</article></body></html>"
    )
    published = parse_html(page.encode()).meta.published_at
    assert (published == datetime(2018, 2, 16, tzinfo=UTC)) is found
    assert found or published is None


def test_marked_authors_stop_at_the_names_kept() -> None:
    names = [f"Reporter {chr(65 + i)}" for i in range(MARKED_AUTHORS_MAX + 3)]
    marked = "".join(f"<span itemprop='author'>{name}</span> " for name in names)
    page = f"<html><body><article><p>{marked}</p>{PARAGRAPH.format(i=1)}</article></body></html>"
    assert parse_html(page.encode()).meta.byline == ", ".join(names[:MARKED_AUTHORS_MAX])
