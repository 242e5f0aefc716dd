"""Tests for the HTML stage: main content, headings, metadata, encodings and hostile pages."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.assemble import assemble_document
from flows.decode import decode_bytes
from flows.errors import DecodeError, ParseError, RejectError
from flows.html import parse_html
from flows.html.charset import declared_encoding
from flows.html.metadata import parse_timestamp
from flows.html.words import BROWSER_DEFAULT_ENCODING, MAX_HTML_BYTES
from flows.records import Draft, ParsedDocument
from flows.sections import split_sections

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"

PARAGRAPH = (
    "<p>Paragraph {i} of the story tells readers about the river festival, its boats, its "
    "bands and the volunteers who have run it every summer since the bridge reopened.</p>"
)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _document(data: bytes) -> ParsedDocument:
    return assemble_document(
        parse_html(data),
        doc_id="d",
        source_uri="page.html",
        media_type="text/html",
        content_hash="h",
    )


def _paragraphs(draft: Draft) -> list[str]:
    return [b.text for b in draft.blocks if b.kind == "paragraph"]


def _headings(draft: Draft) -> list[str]:
    return [b.text for b in draft.blocks if b.kind == "heading"]


# --- boilerplate ---------------------------------------------------------------------------------


def test_nav_footer_ads_and_related_links_never_reach_the_text() -> None:
    draft = parse_html(_fixture("boilerplate.html"))
    paragraphs = _paragraphs(draft)
    assert [p.split(",")[0].split(" ")[:3] for p in paragraphs] == [
        ["The", "Saint", "Brendan"],
        ["Engineers", "replaced", "the"],
        ["About", "two", "hundred"],
        ["The", "refit", "was"],
        ["The", "ferry", "will"],
    ]
    assert _headings(draft) == []
    text = "\n".join(b.text for b in draft.blocks)
    for furniture in (
        "Sections",  # nav heading
        "Accept all",  # cookie banner
        "Advertisement",  # ad slot
        "READ MORE",  # teaser link
        "Port budget overrun",
        "Related stories",  # related links aside
        "forgotten ferries",
        "Get the Courier",  # newsletter box
        "morning briefing",
        "Share this article",
        "Most read",  # sidebar
        "cycle lanes",
        "About us",  # footer
        "since 1887",
        "All rights reserved",
        "Mira Okafor",  # the byline is metadata, not body
        "Harbour ferry returns",  # so is the title
    ):
        assert furniture not in text


def test_hidden_script_style_comment_and_embedded_content_never_reach_the_text() -> None:
    draft = parse_html(_fixture("hostile.html"))
    text = "\n".join(b.text for b in draft.blocks)
    assert len(_paragraphs(draft)) == 4
    for token in (
        "HIDDENTOKEN",
        "STYLETOKEN",
        "COMMENTTOKEN",
        "IFRAMETOKEN",
        "SCRIPTTOKEN",
        "NOSCRIPTTOKEN",
        "OBJECTTOKEN",
        "SVGTOKEN",
        "FORMTOKEN",
    ):
        assert token not in text


def test_an_article_in_a_misused_aside_is_kept() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<aside class='main-column'>"
        + "".join(PARAGRAPH.format(i=i) for i in range(4))
        + "</aside><aside class='sidebar'><h2>Most read</h2><p>Short teaser.</p></aside>"
        "</body></html>"
    )
    paragraphs = _paragraphs(parse_html(page.encode()))
    assert len(paragraphs) == 4
    assert "Short teaser." not in paragraphs


def test_a_short_article_in_a_container_named_like_furniture_is_kept() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        "<div class='post-body share-enabled'>"
        + PARAGRAPH.format(i=1)
        + PARAGRAPH.format(i=2)
        + "</div></body></html>"
    )
    assert len(_paragraphs(parse_html(page.encode()))) == 2


# --- structure -----------------------------------------------------------------------------------

# Fixture -> (headings that belong to the article, headings of navigation and page furniture).
HEADING_FIXTURES: dict[str, tuple[list[str], list[str]]] = {
    "headings_article.html": (
        [
            "Who has to install a meter?",
            "How the summer limits will work",
            "Exemptions for livestock",
            "What happens to crops already planted",
            "Trading water between farms",
        ],
        ["Menu", "More on this story", "Latest news", "Newsletter", "Contact the newsroom"],
    ),
    # no <article>, <main> or telling class: trafilatura's fallback flattens it, headings and all
    "headings_loose.html": (
        ["Which routes come back", "What it will cost", "Drivers and safety"],
        ["Navigation", "Also in Transport"],
    ),
    "headings_sections.html": (
        [
            "Why now?",
            "How the old paint comes off",
            "Is the dust dangerous?",
            "What colour will they be?",
            "What it means for traffic",
        ],
        ["Riverside Daily", "Topics", "Share this story", "Read more", "Comments"],
    ),
    "headings_anchors.html": (
        [
            "1. The warnings came, but late",
            "2. One flood gate was left open",
            "3. The pumps worked",
            "4. Insurance gaps are wide",
            "What the insurers said",
            "5. Nobody owns the sea wall",
        ],
        ["You are here", "Tags", "About the author", "Recent Posts", "Archives"],
    ),
}


def test_article_headings_become_sections_and_navigation_headings_do_not() -> None:
    """Acceptance: >= 95% of the article's h2/h3 become section headings, no nav heading does."""
    found = expected = 0
    for name, (article, navigation) in HEADING_FIXTURES.items():
        doc = _document(_fixture(name))
        section_headings = [s.heading for s in split_sections(doc) if s.heading]
        found += sum(1 for h in article if h in section_headings)
        expected += len(article)
        assert not set(navigation) & set(section_headings), name
        assert section_headings == [h for h in article if h in section_headings], name
    assert found / expected >= 0.95, f"{found}/{expected} article headings became sections"


@pytest.mark.parametrize("name", sorted(HEADING_FIXTURES))
def test_heading_pages_keep_every_article_heading_in_order(name: str) -> None:
    article, _ = HEADING_FIXTURES[name]
    assert _headings(parse_html(_fixture(name))) == article


def test_cms_subheadline_divs_become_headings() -> None:
    page = (
        "<html><body><article>"
        + PARAGRAPH.format(i=1)
        + '<div class="pf_subheadline">Who pays for the festival?</div>'
        + PARAGRAPH.format(i=2)
        + PARAGRAPH.format(i=3)
        + "</article></body></html>"
    )
    draft = parse_html(page.encode())
    assert [(b.kind, b.level) for b in draft.blocks] == [
        ("paragraph", 0),
        ("heading", 2),
        ("paragraph", 0),
        ("paragraph", 0),
    ]
    assert _headings(draft) == ["Who pays for the festival?"]


def test_a_stack_of_linked_teaser_lines_is_dropped() -> None:
    teasers = "".join(
        f'<h3><a href="/story/{i}">Another story number {i} from the festival desk</a></h3>'
        for i in range(4)
    )
    page = (
        "<html><body><article>"
        + "".join(PARAGRAPH.format(i=i) for i in range(3))
        + teasers
        + "</article></body></html>"
    )
    draft = parse_html(page.encode())
    assert len(_paragraphs(draft)) == 3
    assert "Another story" not in "\n".join(b.text for b in draft.blocks)


def test_headline_and_standfirst_are_metadata_not_body() -> None:
    draft = parse_html(_fixture("headings_sections.html"))
    assert draft.meta.title == "Explainer: why the city is repainting its bridges"
    body = "\n".join(b.text for b in draft.blocks)
    assert "Explainer:" not in body
    assert "fifty-year maintenance gap" not in body


def test_article_split_across_containers_is_read_whole_and_in_order() -> None:
    paragraphs = _paragraphs(parse_html(_fixture("split_containers.html")))
    openings = [p.split(" ")[0] for p in paragraphs]
    assert openings == ["When", "Wraxley", '"People', "The", "The", "Still,", "In"]
    text = "\n".join(paragraphs)
    assert "Advertisement" not in text
    assert "mobile library" not in text


def test_paragraph_breaks_and_list_items_keep_their_lines() -> None:
    page = (
        "<html><body><article>"
        + PARAGRAPH.format(i=1)
        + "<p>First line of an address<br>Second line of it<br>Third line</p>"
        + "<ul><li>Boats from the north quay</li><li>Bands on the green</li></ul>"
        + "<blockquote><p>It is the best weekend of the year,</p><p>said one trader.</p>"
        + "</blockquote>"
        + PARAGRAPH.format(i=2)
        + "</article></body></html>"
    )
    paragraphs = _paragraphs(parse_html(page.encode()))
    assert "First line of an address\nSecond line of it\nThird line" in paragraphs
    assert any("Boats from the north quay\nBands on the green" in p for p in paragraphs)
    assert any("best weekend of the year" in p for p in paragraphs)


# --- JSON-LD and metadata ------------------------------------------------------------------------

METADATA_FIXTURES = {
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
    meta = parse_html(_fixture(name)).meta
    for field, expected in METADATA_FIXTURES[name].items():
        assert getattr(meta, field) == expected, field
    if meta.published_at is not None:
        assert meta.published_at.utcoffset() is not None


def test_jsonld_article_body_stands_in_when_the_markup_has_none() -> None:
    draft = parse_html(_fixture("jsonld_body.html"))
    paragraphs = _paragraphs(draft)
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The central library opened on a Sunday")
    assert "Loading" not in "\n".join(paragraphs)
    assert draft.meta.byline == "Lee Marchetti"


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


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cp1252_meta.html", "latin1_http_equiv.html"])
def test_cp1252_page_declared_in_the_markup(name: str) -> None:
    draft = parse_html(_fixture(name))
    assert draft.encoding == "cp1252"  # iso-8859-1 is read as windows-1252, as browsers do
    assert draft.meta.title == "Café owners “delighted” by pavement licence"
    text = "\n".join(_paragraphs(draft))
    assert "Café Bellevue" in text
    assert "“delighted”" in text
    assert "€450 a season – less" in text
    assert "o’clock" in text


def decode_html(data: bytes) -> tuple[str, str]:
    """What parse_html does with a page's bytes: its declared charset as a hint, cp1252 last."""
    return decode_bytes(data, declared=declared_encoding(data), fallback=BROWSER_DEFAULT_ENCODING)


SAMPLE = "<html><body><p>Crème brûlée “for all” at the café</p></body></html>"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM: NUL pattern of UTF-16
        (SAMPLE.encode("utf-8"), "utf-8"),  # undeclared, valid UTF-8
        (b'<meta charset="windows-1252">' + SAMPLE.encode("cp1252"), "cp1252"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            + SAMPLE.encode("cp1252"),
            "cp1252",
        ),
        (b'<?xml version="1.0" encoding="windows-1252"?>' + SAMPLE.encode("cp1252"), "cp1252"),
        # the declaration lies: the bytes are UTF-8, which wins over a failing declared codec
        (b'<meta charset="shift_jis">' + SAMPLE.encode("utf-8"), "utf-8"),
    ],
)
def test_decode_html(data: bytes, codec: str) -> None:
    text, found = decode_html(data)
    assert found == codec
    assert "Crème brûlée “for all” at the café" in text


def test_undeclared_legacy_bytes_are_detected() -> None:
    page = (
        "<html><body><p>Les élèves ont visité le musée de la Marine à Brest, où ils ont "
        "découvert l’histoire des phares et des sémaphores de la côte bretonne.</p>"
        "</body></html>"
    ) * 4
    text, codec = decode_html(page.encode("cp1252"))
    assert "élèves" in text
    assert "l’histoire" in text
    assert codec in {"cp1252", "iso8859-15", "iso8859-1"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary"),
        (b"\x1f\x8b\x08\x00" + bytes(64), "binary"),
        (bytes(range(256)) * 8, "binary"),
    ],
)
def test_undecodable_bytes_are_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        parse_html(data)
    assert caught.value.reason == reason


def test_mojibake_is_repaired_by_the_time_the_text_is_assembled() -> None:
    broken = "Crème brûlée at the café’s counter".encode().decode("cp1252")
    assert broken == "CrÃ¨me brÃ»lÃ©e at the cafÃ©â€™s counter"
    page = "<html><body><article>" + f"<p>{broken}, said the owner of the bakery.</p>"
    page += PARAGRAPH.format(i=1) + PARAGRAPH.format(i=2) + "</article></body></html>"
    assert "Crème brûlée at the café’s counter" in _document(page.encode()).text


# --- hostile and empty pages ---------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["closed", "unclosed"])
def test_ten_thousand_deep_nesting_neither_crashes_nor_recurses(shape: str) -> None:
    article = "".join(PARAGRAPH.format(i=i) for i in range(5))
    if shape == "closed":
        page = "<html><body>" + "<div>" * 10_000 + article + "</div>" * 10_000 + "</body></html>"
    else:
        page = "<html><body>" + "<div><span><b>" * 3_400 + article
    paragraphs = _paragraphs(parse_html(page.encode()))
    assert [p.split(" ")[1] for p in paragraphs] == ["0", "1", "2", "3", "4"]


def test_deep_nesting_keeps_text_that_follows_it() -> None:
    page = (
        "<html><body><main>"
        + PARAGRAPH.format(i=0)
        + "<div>" * 10_000
        + "<span>deep</span>"
        + "</div>" * 10_000
        + "".join(PARAGRAPH.format(i=i) for i in range(1, 4))
        + "</main></body></html>"
    )
    paragraphs = _paragraphs(parse_html(page.encode()))
    assert any(p.startswith("Paragraph 3 ") for p in paragraphs)


def test_twenty_megabyte_page_of_inline_data_still_yields_its_article() -> None:
    blob = "<script>var state = '" + "QUJD" * 5_000_000 + "';</script>"
    article = "".join(PARAGRAPH.format(i=i) for i in range(4))
    page = f"<html><head>{blob}</head><body><article>{article}</article></body></html>"
    assert len(page) >= 20_000_000
    assert len(_paragraphs(parse_html(page.encode()))) == 4


def test_twenty_megabyte_page_of_text_is_refused_as_too_large() -> None:
    page = "<html><body><article>" + PARAGRAPH.format(i=7) * 125_000 + "</article></body></html>"
    assert len(page) >= 20_000_000
    with pytest.raises(ParseError) as caught:
        parse_html(page.encode())
    assert caught.value.reason == "too_large"


def test_bytes_over_the_limit_are_refused_before_parsing() -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(b" " * (MAX_HTML_BYTES + 1))
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize(
    "name",
    ["script_only.html", "empty_body.html"],
)
def test_page_without_article_is_rejected_with_a_reason(name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(_fixture(name))
    assert caught.value.reason == "no_article"
    assert caught.value.stage == "parse"


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body></body></html>",
        b"<html><head><title>Only a title</title></head></html>",
        b"<!-- nothing but a comment -->",
        b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        b"<html><body><h1>Page not found</h1>"
        b"<p>Sorry, the page you were looking for could not be found.</p></body></html>",
    ],
)
def test_pages_with_nothing_to_read_are_rejected(page: bytes) -> None:
    with pytest.raises(RejectError) as caught:
        parse_html(page)
    assert caught.value.reason in {"no_article", "empty"}


# --- properties ----------------------------------------------------------------------------------

_HTML_PIECES = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<h2>",
        "</h2>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<a href='#'>",
        "</a>",
        "<br>",
        "&amp;",
        "&#x0;",
        "<",
        ">",
        "\x00",
        "é",
        "“",
    ]
)
_WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_MARKUP = st.lists(st.one_of(_HTML_PIECES, _WORDS), max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MARKUP)
def test_any_markup_gives_a_draft_or_a_reject_and_the_same_one_twice(markup: str) -> None:
    data = markup.encode("utf-8", errors="surrogatepass")
    outcomes = []
    for _ in range(2):
        try:
            draft = parse_html(data)
        except RejectError as exc:
            outcomes.append(("reject", exc.reason))
        else:
            assert all(block.text.strip() for block in draft.blocks)
            assert any(block.kind == "paragraph" for block in draft.blocks)
            outcomes.append(("draft", draft))
    assert outcomes[0] == outcomes[1]
