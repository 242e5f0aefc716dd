"""flows.html.locate: extracted pieces placed among the page's blocks, then merged in order."""

from __future__ import annotations

import pytest
from lxml import etree

from flows.html import parse_html
from flows.html.blocks import PageBlock, Piece
from flows.html.locate import (
    body_chars,
    from_block,
    locate_pieces,
    merge_pieces,
    outside_furniture,
    used_blocks,
)
from flows.records import BlockKind
from tests.html.helpers import PARAGRAPH, paragraphs, prose


def _page(*specs: tuple[str, str] | tuple[str, str, bool]) -> list[PageBlock]:
    """Page blocks from (tag, text) or (tag, text, furniture); <hN> tags make headings."""
    blocks = []
    for spec in specs:
        tag, text = spec[0], spec[1]
        furniture = len(spec) == 3 and bool(spec[2])
        level = int(tag[1]) if tag[:1] == "h" and tag[1:].isdigit() else 0
        kind: BlockKind = "heading" if level else "paragraph"
        blocks.append(PageBlock(etree.Element(tag), kind, text, level, 0, furniture))
    return blocks


def _para(text: str, origin: int = -1, span: int = 1) -> Piece:
    return Piece("paragraph", text, origin=origin, span=span)


# Each case: page blocks, extracted pieces, then (kind, text, origin, span) of each located piece.
LOCATE_CASES: list[tuple[str, list[PageBlock], list[Piece], list[tuple[str, str, int, int]]]] = [
    (
        "whole text, case and spaces folded",
        _page(("p", "Menu"), ("p", "The ferry  returned on Monday.")),
        [_para("the ferry returned\non monday.")],
        [("paragraph", "the ferry returned\non monday.", 1, 1)],
    ),
    (
        "a repeated text goes to its next occurrence",
        _page(
            ("p", "Intro paragraph."), ("p", "Same words."), ("p", "Middle."), ("p", "Same words.")
        ),
        [_para("Same words."), _para("Middle."), _para("Same words.")],
        [
            ("paragraph", "Same words.", 1, 1),
            ("paragraph", "Middle.", 2, 1),
            ("paragraph", "Same words.", 3, 1),
        ],
    ),
    (
        "the first line of a piece",
        _page(("p", "Opening line of it"), ("p", "Something else")),
        [_para("Opening line of it\nthen words trafilatura re-flowed")],
        [("paragraph", "Opening line of it\nthen words trafilatura re-flowed", 0, 1)],
    ),
    (
        "the opening of a re-flowed text",
        _page(("p", prose(1) + " Then the page goes on."), ("p", "Other.")),
        [_para(prose(1) + " And trafilatura ends it differently.")],
        [("paragraph", prose(1) + " And trafilatura ends it differently.", 0, 1)],
    ),
    (
        "a fragment cut out of a longer block after the last one found",
        _page(("p", "Lead paragraph."), ("p", "Long block: the cut-out fragment sits here.")),
        [_para("Lead paragraph."), _para("the cut-out fragment")],
        [("paragraph", "Lead paragraph.", 0, 1), ("paragraph", "the cut-out fragment", 1, 1)],
    ),
    (
        "a short fragment would be found anywhere, so it is not looked for",
        _page(("p", "Lead paragraph."), ("p", "Read more about it.")),
        [_para("Read more")],
        [("paragraph", "Read more", -1, 1)],
    ),
    (
        "consecutive pieces of one block become that block",
        _page(("p", "The first half of it. The second half of the same paragraph.")),
        [_para("The first half of it."), _para("the second half of the same paragraph.")],
        [("paragraph", "The first half of it. The second half of the same paragraph.", 0, 1)],
    ),
    (
        "a flattened stretch becomes the page's own blocks, headings included",
        _page(("h2", "Heading A"), ("p", "Para one text."), ("p", "Para two text.")),
        [_para("Heading A\nPara one text.\nPara two text.")],
        [
            ("heading", "Heading A", 0, 1),
            ("paragraph", "Para one text.", 1, 1),
            ("paragraph", "Para two text.", 2, 1),
        ],
    ),
    (
        "a list stays one piece with a line per item, covering its items",
        _page(("li", "first item"), ("li", "second item")),
        [_para("first item\nsecond item")],
        [("paragraph", "first item\nsecond item", 0, 2)],
    ),
    (
        "a line the page marks as a heading is a heading",
        _page(("p", "Lead paragraph."), ("h2", "Who pays?")),
        [_para("Lead paragraph."), _para("Who pays?")],
        [("paragraph", "Lead paragraph.", 0, 1), ("heading", "Who pays?", 1, 1)],
    ),
]


@pytest.mark.parametrize(
    ("blocks", "pieces", "expected"),
    [case[1:] for case in LOCATE_CASES],
    ids=[case[0] for case in LOCATE_CASES],
)
def test_locate_pieces(
    blocks: list[PageBlock], pieces: list[Piece], expected: list[tuple[str, str, int, int]]
) -> None:
    located = locate_pieces(pieces, blocks)
    assert [(p.kind, p.text, p.origin, p.span) for p in located] == expected


@pytest.mark.parametrize(
    ("blocks", "kept"),
    [
        # navigation text is dropped when the article text dominates
        (_page(("p", "Home News Sport", True), ("p", prose(1))), [prose(1)]),
        # when "furniture" would take most of the text, it is the article's own container
        (_page(("p", prose(1), True), ("p", "Short.")), [prose(1), "Short."]),
    ],
)
def test_outside_furniture(blocks: list[PageBlock], kept: list[str]) -> None:
    pieces = [from_block(block, index) for index, block in enumerate(blocks)]
    pieces.append(_para("Unlocated text is kept."))
    assert [p.text for p in outside_furniture(pieces, blocks)] == [*kept, "Unlocated text is kept."]


def test_from_block_keeps_the_page_words_and_the_index() -> None:
    (block,) = _page(("h3", "A heading"))
    assert from_block(block, 7) == Piece("heading", "A heading", 3, 0, 7, 1)


@pytest.mark.parametrize(
    ("origins", "additions", "merged"),
    [
        ([1, 5], [7, 0, 3], [0, 1, 3, 5, 7]),
        ([1, -1, 5], [3], [1, -1, 3, 5]),  # an unlocated piece keeps its place
        ([2, 4], [], [2, 4]),
    ],
)
def test_merge_pieces_by_document_order(
    origins: list[int], additions: list[int], merged: list[int]
) -> None:
    pieces = [_para(f"piece {i}", origin=i) for i in origins]
    added = [_para(f"added {i}", origin=i) for i in additions]
    assert [p.origin for p in merge_pieces(pieces, added)] == merged


def test_used_blocks_counts_every_block_a_piece_covers() -> None:
    pieces = [_para("list", origin=2, span=3), _para("nowhere"), _para("one", origin=7)]
    assert used_blocks(pieces) == {2, 3, 4, 7}


def test_body_chars_counts_paragraphs_only() -> None:
    pieces = [Piece("heading", "Heading", 2), _para("12345"), _para("678")]
    assert body_chars(pieces) == 8


def test_a_short_article_in_a_container_named_like_furniture_is_kept() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        "<div class='post-body share-enabled'>"
        + PARAGRAPH.format(i=1)
        + PARAGRAPH.format(i=2)
        + "</div></body></html>"
    )
    assert len(paragraphs(parse_html(page.encode()))) == 2


def test_identical_blocks_are_located_in_page_order() -> None:
    blocks = _page(*[("p", "The same words.")] * 2_000)
    located = locate_pieces([_para("The same words.")] * 2_000, blocks)
    assert [p.origin for p in located] == list(range(2_000))


def test_merging_many_additions_keeps_document_order() -> None:
    pieces = [_para("kept", origin=i) for i in range(0, 4_000, 2)]
    additions = [_para("added", origin=i) for i in range(3_999, 0, -2)]
    merged = merge_pieces(pieces, additions)
    assert [p.origin for p in merged] == list(range(4_000))
