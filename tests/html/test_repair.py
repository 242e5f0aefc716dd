"""flows.html.repair: each repair of trafilatura's known gaps, on small hand-written pages."""

from __future__ import annotations

import html

import pytest

from flows.html import parse_html
from flows.html.blocks import PageBlock, Piece
from flows.html.locate import from_block
from flows.html.repair import with_fallback, with_headings, with_jsonld_body, with_split_containers
from tests.html.helpers import blocks_of, fixture, paragraphs, prose


def _located(blocks: list[PageBlock], *indices: int) -> list[Piece]:
    return [from_block(blocks[i], i) for i in indices]


# --- headings ------------------------------------------------------------------------------------

HEADINGS_PAGE = (
    "<html><body><article>"
    f"<p>{prose(0)}</p><h2>What next</h2><p>{prose(1)}</p>"
    f"<h1>Top of page</h1><p>{prose(2)}</p>"
    f"<h2>Two headings</h2><h3>in a row</h3><p>{prose(3)}</p>"
    f"<h2>{'Far too long for a heading ' * 10}</h2><p>{prose(4)}</p>"
    f"<div class='related-links'><h2>Related</h2></div><p>{prose(5)}</p>"
    f"</article><h2>After the article</h2><p>{prose(6)}</p></body></html>"
)


@pytest.mark.parametrize(
    ("used", "added"),
    [
        # level-1, over-long and furniture headings never come back; nor one after the article
        ([0, 2, 4, 7, 9, 11], ["What next", "Two headings", "in a row"]),
        # a heading comes back only if the text it introduces is in the article
        ([0, 4], []),
        ([], []),
    ],
)
def test_with_headings(used: list[int], added: list[str]) -> None:
    _, blocks = blocks_of(HEADINGS_PAGE)
    assert [b.text for b in blocks if b.kind == "heading"][:4] == [
        "What next",
        "Top of page",
        "Two headings",
        "in a row",
    ]
    pieces = _located(blocks, *used)
    result = with_headings(pieces, blocks)
    assert [p.text for p in result if p.kind == "heading"] == added
    assert [p.origin for p in result] == sorted(p.origin for p in result)
    assert [p for p in result if p.kind == "paragraph"] == pieces


# --- JSON-LD articleBody -------------------------------------------------------------------------

ARTICLE = "\n".join(prose(i) for i in range(4))
ARTICLE_PAGE = "<html><body><article>" + "".join(f"<p>{prose(i)}</p>" for i in range(4))
ARTICLE_PAGE += "</article></body></html>"
EMPTY_PAGE = "<html><body><div id='app'><p>Loading the story</p></div></body></html>"


@pytest.mark.parametrize(
    ("page", "used", "body", "expected"),
    [
        (ARTICLE_PAGE, [0], None, [prose(0)]),  # no articleBody
        (ARTICLE_PAGE, [0], prose(1), [prose(0)]),  # a teaser, not a body
        (ARTICLE_PAGE, [0, 1, 2, 3], ARTICLE, [prose(i) for i in range(4)]),  # covered
        # the extraction missed blocks the body holds: they come back, in page order
        (ARTICLE_PAGE, [2], ARTICLE, [prose(i) for i in range(4)]),
        # the markup holds no body (a script renders it): the body's own lines
        (EMPTY_PAGE, [], ARTICLE, [prose(i) for i in range(4)]),
        # escaped HTML in the articleBody reads as its text
        (
            EMPTY_PAGE,
            [],
            html.escape("".join(f"<p>{prose(i)}</p>" for i in range(4))),
            [prose(i) for i in range(4)],
        ),
    ],
    ids=["none", "teaser", "covered", "missed-blocks", "no-markup", "escaped-html"],
)
def test_with_jsonld_body(
    page: str, used: list[int], body: str | None, expected: list[str]
) -> None:
    _, blocks = blocks_of(page)
    result = with_jsonld_body(_located(blocks, *used), blocks, body)
    assert [p.text for p in result] == expected
    assert {p.kind for p in result} == {"paragraph"}


def test_jsonld_article_body_stands_in_when_the_markup_has_none() -> None:
    draft = parse_html(fixture("jsonld_body.html"))
    found = paragraphs(draft)
    assert len(found) == 4
    assert found[0].startswith("The central library opened on a Sunday")
    assert "Loading" not in "\n".join(found)
    assert draft.meta.byline == "Lee Marchetti"


# --- split containers ----------------------------------------------------------------------------


def _split_page(second_class: str, second_text: str, first_class: str = "story") -> str:
    return (
        "<html><body>"
        f"<div class='wrap'><div class='{first_class}'><p>{prose(0)}</p><p>{prose(1)}</p></div>"
        "</div><div class='ad'>Advertisement</div>"
        f"<div class='wrap'><div class='{second_class}'><p>{second_text}</p></div></div>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    ("page", "added"),
    [
        (_split_page("story", prose(2)), [prose(2)]),  # a twin: same tag, class and wrapper
        (_split_page("teaser", prose(2)), []),  # another class
        (_split_page("story", "Too short to be prose."), []),
        (_split_page("", prose(2), first_class=""), []),  # a bare <div> says nothing
    ],
    ids=["twin", "other-class", "too-little-prose", "no-class"],
)
def test_with_split_containers(page: str, added: list[str]) -> None:
    _, blocks = blocks_of(page)
    first = [i for i, b in enumerate(blocks) if b.text in (prose(0), prose(1))]
    result = with_split_containers(_located(blocks, *first), blocks)
    assert [p.text for p in result] == [prose(0), prose(1), *added]


def test_article_split_across_containers_is_read_whole_and_in_order() -> None:
    found = paragraphs(parse_html(fixture("split_containers.html")))
    openings = [p.split(" ")[0] for p in found]
    assert openings == ["When", "Wraxley", '"People', "The", "The", "Still,", "In"]
    text = "\n".join(found)
    assert "Advertisement" not in text
    assert "mobile library" not in text


# --- too little text -----------------------------------------------------------------------------


def test_with_fallback_keeps_an_extraction_with_enough_text() -> None:
    root, blocks = blocks_of(ARTICLE_PAGE)
    pieces = _located(blocks, 0, 1, 2)
    assert with_fallback(root, blocks, pieces) == pieces


def test_with_fallback_finds_the_prose_when_the_extraction_found_none() -> None:
    page = (
        "<html><body><div class='menu'><p><a href='/a'>Home</a> <a href='/b'>World</a></p></div>"
        "<div class='x'><div class='y'>"
        + "".join(f"<p>{prose(i)}</p>" for i in range(3))
        + "</div></div></body></html>"
    )
    root, blocks = blocks_of(page)
    assert [p.text for p in with_fallback(root, blocks, [])] == [prose(i) for i in range(3)]


def test_a_long_run_of_headings_is_read_once() -> None:
    run = "".join(f"<h2>Heading {i}</h2>" for i in range(3_000))
    page = f"<html><body><article><p>{prose(0)}</p>{run}<p>{prose(1)}</p></article></body></html>"
    _, blocks = blocks_of(page)
    pieces = [from_block(blocks[0], 0), from_block(blocks[-1], len(blocks) - 1)]
    added = [p.text for p in with_headings(pieces, blocks)[1:-1]]
    assert added == [f"Heading {i}" for i in range(3_000)]  # each introduces the text after
