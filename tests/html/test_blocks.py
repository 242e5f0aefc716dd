"""flows.html.blocks: the page's block elements, their kinds, lines, links and furniture."""

from __future__ import annotations

import pytest

from flows.html import parse_html
from flows.html.blocks import Piece, block_key, is_boilerplate
from flows.html.words import LOOSE_LINK_CHECKS_MAX
from tests.html.helpers import PARAGRAPH, blocks_of, headings, paragraphs

# Each case: a body, then (kind, level, text, furniture) of every page block, in order.
PAGE_BLOCKS: list[tuple[str, list[tuple[str, int, str, bool]]]] = [
    (
        "<h1>Title</h1><p>One <b>bold</b> line</p><h3>Sub</h3>",
        [
            ("heading", 1, "Title", False),
            ("paragraph", 0, "One bold line", False),
            ("heading", 3, "Sub", False),
        ],
    ),
    (
        "<div>Loose text<br>on two lines<p>A paragraph</p>tail text</div>",
        [
            ("paragraph", 0, "Loose text", False),
            ("paragraph", 0, "on two lines", False),
            ("paragraph", 0, "A paragraph", False),
            ("paragraph", 0, "tail text", False),
        ],
    ),
    (
        "<nav><p>Home</p></nav><div class='related-links'><p>More</p></div><p>Body</p>",
        [
            ("paragraph", 0, "Home", True),
            ("paragraph", 0, "More", True),
            ("paragraph", 0, "Body", False),
        ],
    ),
    (
        "<ul><li>first item</li><li>second item</li></ul>",
        [("paragraph", 0, "first item", False), ("paragraph", 0, "second item", False)],
    ),
    (
        '<div class="pf_subheadline">Who pays?</div><p>Body</p>',
        [("heading", 2, "Who pays?", False), ("paragraph", 0, "Body", False)],
    ),
]


@pytest.mark.parametrize(("body", "expected"), PAGE_BLOCKS)
def test_page_blocks(body: str, expected: list[tuple[str, int, str, bool]]) -> None:
    _, blocks = blocks_of(f"<html><body>{body}</body></html>")
    assert [(b.kind, b.level, b.text, b.furniture) for b in blocks] == expected


@pytest.mark.parametrize(
    ("body", "link_chars"),
    [
        ("<p>No links here</p>", 0),
        ("<p>Read <a href='/x'>the report</a> now</p>", len("the report")),
        ("<p>Jump <a href='#notes'>to notes</a></p>", 0),  # a place on the same page
    ],
)
def test_link_characters_of_a_block(body: str, link_chars: int) -> None:
    _, (block,) = blocks_of(f"<html><body>{body}</body></html>")
    assert block.link_chars == link_chars


@pytest.mark.parametrize(
    ("piece", "boilerplate"),
    [
        (Piece("paragraph", "The ferry returned to service on Monday."), False),
        (Piece("paragraph", "Advertisement"), True),
        (Piece("heading", "Another story", 2, link_chars=13), True),  # a teaser's headline
        (Piece("paragraph", "one link\nanother link", link_chars=20), True),  # a link list
        (Piece("paragraph", "A sentence with a link in it.", link_chars=20), False),
    ],
)
def test_is_boilerplate(piece: Piece, boilerplate: bool) -> None:
    assert is_boilerplate(piece) is boilerplate


def test_block_key_folds_case_and_spaces() -> None:
    assert block_key("  The  Ferry\nReturns ") == "the ferry returns"


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
    assert headings(draft) == ["Who pays for the festival?"]


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
    found = paragraphs(parse_html(page.encode()))
    assert "First line of an address\nSecond line of it\nThird line" in found
    assert any("Boats from the north quay\nBands on the green" in p for p in found)
    assert any("best weekend of the year" in p for p in found)


def test_loose_lines_count_every_use_of_each_link_they_hold() -> None:
    body = (
        "<div>See <a href='/a'>the report</a> and <a href='/b'>the report</a>"
        "<br>the report again<br>nothing here<br><a href='/c'>elsewhere</a></div>"
    )
    _, blocks = blocks_of(f"<html><body>{body}</body></html>")
    assert [(b.text, b.link_chars) for b in blocks] == [
        ("See the report and the report", 2 * len("the report")),
        ("the report again", 2 * len("the report")),  # a link's words, wherever they stand
        ("nothing here", 0),
        ("elsewhere", len("elsewhere")),
    ]


def test_past_the_comparison_cap_loose_lines_count_no_link_text() -> None:
    lines = int(LOOSE_LINK_CHECKS_MAX**0.5) + 1
    body = "".join(f"<a href='/{i}'>link {i}</a><br>" for i in range(lines))
    _, blocks = blocks_of(f"<html><body><div>{body}</div></body></html>")
    assert len(blocks) == lines
    assert {b.link_chars for b in blocks} == {0}
    few = "".join(f"<a href='/{i}'>item {chr(97 + i)}</a><br>" for i in range(10))
    _, blocks = blocks_of(f"<html><body><div>{few}</div></body></html>")
    assert [b.link_chars for b in blocks] == [len("item a")] * 10
