"""flows.html.parse_html end to end: main content, headings, tidying and refused pages."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.errors import DecodeError, ParseError, RejectError
from flows.html import parse_html
from flows.html.words import MAX_HTML_BYTES
from flows.records import Draft
from flows.sections import split_sections
from tests.html.helpers import PARAGRAPH, document, fixture, headings, paragraphs, prose

# --- boilerplate ---------------------------------------------------------------------------------


def test_nav_footer_ads_and_related_links_never_reach_the_text() -> None:
    draft = parse_html(fixture("boilerplate.html"))
    assert [p.split(",")[0].split(" ")[:3] for p in paragraphs(draft)] == [
        ["The", "Saint", "Brendan"],
        ["Engineers", "replaced", "the"],
        ["About", "two", "hundred"],
        ["The", "refit", "was"],
        ["The", "ferry", "will"],
    ]
    assert headings(draft) == []
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
    assert len(paragraphs(draft)) == 3
    assert "Another story" not in "\n".join(b.text for b in draft.blocks)


def test_headline_and_standfirst_are_metadata_not_body() -> None:
    draft = parse_html(fixture("headings_sections.html"))
    assert draft.meta.title == "Explainer: why the city is repainting its bridges"
    body = "\n".join(b.text for b in draft.blocks)
    assert "Explainer:" not in body
    assert "fifty-year maintenance gap" not in body


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
        doc = document(fixture(name))
        section_headings = [s.heading for s in split_sections(doc) if s.heading]
        found += sum(1 for h in article if h in section_headings)
        expected += len(article)
        assert not set(navigation) & set(section_headings), name
        assert section_headings == [h for h in article if h in section_headings], name
    assert found / expected >= 0.95, f"{found}/{expected} article headings became sections"


@pytest.mark.parametrize("name", sorted(HEADING_FIXTURES))
def test_heading_pages_keep_every_article_heading_in_order(name: str) -> None:
    article, _ = HEADING_FIXTURES[name]
    assert headings(parse_html(fixture(name))) == article


def test_twenty_megabyte_page_of_inline_data_still_yields_its_article() -> None:
    blob = "<script>var state = '" + "QUJD" * 5_000_000 + "';</script>"
    article = "".join(PARAGRAPH.format(i=i) for i in range(4))
    page = f"<html><head>{blob}</head><body><article>{article}</article></body></html>"
    assert len(page) >= 20_000_000
    assert len(paragraphs(parse_html(page.encode()))) == 4


def test_mojibake_is_repaired_by_the_time_the_text_is_assembled() -> None:
    broken = "Crème brûlée at the café’s counter".encode().decode("cp1252")
    assert broken == "CrÃ¨me brÃ»lÃ©e at the cafÃ©â€™s counter"
    page = "<html><body><article>" + f"<p>{broken}, said the owner of the bakery.</p>"
    page += PARAGRAPH.format(i=1) + PARAGRAPH.format(i=2) + "</article></body></html>"
    assert "Crème brûlée at the café’s counter" in document(page.encode()).text


# --- refused pages -------------------------------------------------------------------------------


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


def test_bytes_over_the_limit_are_refused_before_parsing() -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(b" " * (MAX_HTML_BYTES + 1))
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize("name", ["script_only.html", "empty_body.html"])
def test_page_without_article_is_rejected_with_a_reason(name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(fixture(name))
    assert caught.value.reason == "no_article"
    assert caught.value.stage == "parse"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"<html><body></body></html>", "no_article"),
        (b"<html><head><title>Only a title</title></head></html>", "no_article"),
        (b"<!-- nothing but a comment -->", "empty"),
        (
            b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
            "no_article",
        ),
        (
            b"<html><body><h1>Page not found</h1>"
            b"<p>Sorry, the page you were looking for could not be found.</p></body></html>",
            "no_article",
        ),
    ],
)
def test_pages_with_nothing_to_read_are_rejected(page: bytes, reason: str) -> None:
    with pytest.raises(RejectError) as caught:
        parse_html(page)
    assert caught.value.reason == reason


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
_WORDS = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
_MARKUP = st.lists(st.one_of(_HTML_PIECES, _WORDS), max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MARKUP)
def test_any_markup_gives_a_draft_or_a_reject_and_the_same_one_twice(markup: str) -> None:
    data = markup.encode("utf-8")
    outcomes: list[Draft | str] = []
    for _ in range(2):
        try:
            draft = parse_html(data)
        except RejectError as exc:
            outcomes.append(exc.reason)
        else:
            assert all(block.text.strip() for block in draft.blocks)
            assert any(block.kind == "paragraph" for block in draft.blocks)
            outcomes.append(draft)
    assert outcomes[0] == outcomes[1]


def test_a_form_feed_after_a_line_break_is_read_as_space() -> None:
    page = "<html><body><article>" + PARAGRAPH.format(i=1) + PARAGRAPH.format(i=2)
    page += "<p>First line<br>\x0csecond line</p></article></body></html>"
    assert "First line\nsecond line" in paragraphs(parse_html(page.encode()))


def test_long_runs_of_headings_keep_only_those_followed_by_text() -> None:
    run = "".join(f"<h{2 + i % 3}>Heading {i}</h{2 + i % 3}>" for i in range(3_000))
    page = (
        f"<html><body><article><p>{prose(0)}</p>{run}<h2>Last</h2>"
        f"<p>{prose(1)}</p></article></body></html>"
    )
    draft = parse_html(page.encode())
    kept = [b.text for b in draft.blocks if b.kind == "heading"]
    assert kept[-1] == "Last"
    assert len(kept) < 3_000  # a heading followed by one of its rank or higher is dropped
