"""Repair trafilatura's extraction with the page's structure: its known gaps, one rule each.

too little text        -> its recall mode, or the page's densest container of prose
JSON-LD articleBody    -> page blocks that hold it; its own text when the markup has none
split containers       -> text from twins of the article container (same tag and class)
dropped headings       -> page headings between located paragraphs that introduce one
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import lxml.html
from lxml import etree

from flows.html.blocks import PageBlock, Piece, extracted_pieces, is_boilerplate
from flows.html.locate import (
    body_chars,
    from_block,
    locate_pieces,
    merge_pieces,
    outside_furniture,
    used_blocks,
)
from flows.html.words import (
    DENSEST_GRANDPARENT_SHARE,
    HEADING_ELEMENT_MAX_CHARS,
    JSONLD_BLOCK_MATCH,
    JSONLD_BODY_MIN_CHARS,
    JSONLD_COVERAGE_MIN,
    JSONLD_NGRAM_WORDS,
    MIN_ARTICLE_CHARS,
    PROSE_LINK_SHARE,
    PROSE_MIN_CHARS,
    SECTION_HEADING_MIN_LEVEL,
    SPLIT_CONTAINER_MIN_CHARS,
    SPLIT_CONTAINER_SCOPE_LEVELS,
)

_WORDS = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")


def with_fallback(root: Any, blocks: list[PageBlock], pieces: list[Piece]) -> list[Piece]:
    """When trafilatura found too little: its recall mode or the page's densest container."""
    if body_chars(pieces) >= MIN_ARTICLE_CHARS:
        return pieces
    recalled = outside_furniture(locate_pieces(extracted_pieces(root, recall=True), blocks), blocks)
    return max((pieces, recalled, _densest_container(blocks)), key=body_chars)


def _densest_container(blocks: list[PageBlock]) -> list[Piece]:
    """The blocks of the element whose paragraphs (and its children's) hold the most prose."""
    credit: dict[Any, float] = {}
    for block in blocks:
        if block.kind != "paragraph" or block.furniture or not _is_prose(block):
            continue
        parent = block.element.getparent()
        grandparent = parent.getparent() if parent is not None else None
        for ancestor, share in ((parent, 1.0), (grandparent, DENSEST_GRANDPARENT_SHARE)):
            if ancestor is not None:
                credit[ancestor] = credit.get(ancestor, 0.0) + share * len(block.text)
    if not credit:
        return []
    best = max(credit, key=credit.__getitem__)
    inside = _blocks_inside(best, _by_element(blocks))
    return [from_block(blocks[i], i) for i in inside if not blocks[i].furniture]


def _is_prose(block: PageBlock) -> bool:
    text = len(block.text)
    return text >= PROSE_MIN_CHARS and block.link_chars <= PROSE_LINK_SHARE * text


def _by_element(blocks: list[PageBlock]) -> dict[Any, list[int]]:
    index: dict[Any, list[int]] = {}
    for i, block in enumerate(blocks):
        index.setdefault(block.element, []).append(i)
    return index


def _blocks_inside(element: Any, by_element: dict[Any, list[int]]) -> list[int]:
    """Indices of the page blocks inside an element, in document order."""
    return sorted(i for e in element.iter() for i in by_element.get(e, ()))


# --- JSON-LD articleBody -------------------------------------------------------------------------


def with_jsonld_body(pieces: list[Piece], blocks: list[PageBlock], body: str | None) -> list[Piece]:
    """Add the page blocks a full JSON-LD articleBody holds and the extraction missed.

    When even then there is too little (the markup holds no body: a script renders it), the
    JSON-LD text itself becomes the paragraphs, one per line.
    """
    text = _plain_body(body)
    if text is None:
        return pieces
    wanted = _ngrams(text)
    have = _ngrams("\n".join(p.text for p in pieces))
    if len(wanted & have) / len(wanted) >= JSONLD_COVERAGE_MIN:
        return pieces
    used = used_blocks(pieces)
    additions = [
        from_block(b, i)
        for i, b in enumerate(blocks)
        if i not in used and not b.furniture and _containment(b.text, wanted) >= JSONLD_BLOCK_MATCH
    ]
    pieces = merge_pieces(pieces, additions)
    if body_chars(pieces) >= MIN_ARTICLE_CHARS:
        return pieces
    return [Piece("paragraph", line.strip()) for line in text.split("\n") if line.strip()]


def _plain_body(body: str | None) -> str | None:
    """JSON-LD articleBody as plain text: some publishers put escaped HTML in it."""
    if body is None:
        return None
    body = html.unescape(body)
    if "<" in body and ">" in body:
        try:
            fragment = lxml.html.fragment_fromstring(body, create_parent="div")
            body = "\n".join(t.strip() for t in fragment.itertext() if t.strip())
        except (etree.ParserError, ValueError):
            body = _TAG.sub(" ", body)
    return body if len(body) >= JSONLD_BODY_MIN_CHARS else None


def _ngrams(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.casefold())
    n = JSONLD_NGRAM_WORDS
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _containment(text: str, wanted: set[tuple[str, ...]]) -> float:
    grams = _ngrams(text)
    return len(grams & wanted) / len(grams) if grams else 0.0


# --- split containers ----------------------------------------------------------------------------


def with_split_containers(pieces: list[Piece], blocks: list[PageBlock]) -> list[Piece]:
    """Add article text from containers that repeat the article container's tag and class."""
    weight: Counter[Any] = Counter()
    for piece in pieces:
        if piece.origin >= 0 and piece.kind == "paragraph":
            parent = blocks[piece.origin].element.getparent()
            if parent is not None:
                weight[parent] += len(piece.text)
    if not weight:
        return pieces
    container = weight.most_common(1)[0][0]
    if not container.get("class") or container.getparent() is None:
        return pieces  # a bare <div> says nothing about which others belong with it
    scope = container
    for _ in range(SPLIT_CONTAINER_SCOPE_LEVELS):
        scope = scope.getparent() if scope.getparent() is not None else scope
    # A twin looks like the container and sits in a wrapper that looks like the container's:
    # a generic class ("row", "group") alone would also match author boxes and key points.
    signature = _signature(container) + _signature(container.getparent())
    used = used_blocks(pieces)
    by_element = _by_element(blocks)
    additions = []
    for twin in scope.iter(container.tag):
        parent = twin.getparent()
        if (
            twin is container
            or parent is None
            or _signature(twin) + _signature(parent) != signature
        ):
            continue
        found = [
            from_block(blocks[i], i)
            for i in _blocks_inside(twin, by_element)
            if i not in used and not blocks[i].furniture
        ]
        found = [p for p in found if not is_boilerplate(p)]
        prose = sum(len(p.text) for p in found if _is_paragraph_prose(blocks[p.origin]))
        if prose >= SPLIT_CONTAINER_MIN_CHARS:
            additions.extend(found)
    return merge_pieces(pieces, additions)


def _is_paragraph_prose(block: PageBlock) -> bool:
    """Article text in a <p>, as opposed to link lists and captions."""
    return block.element.tag == "p" and _is_prose(block)


def _signature(element: Any) -> tuple[str, str]:
    return (str(element.tag), element.get("class") or "")


# --- headings ------------------------------------------------------------------------------------


def with_headings(pieces: list[Piece], blocks: list[PageBlock]) -> list[Piece]:
    """Put back in-article headings that lie between located blocks and introduce one of them."""
    used = used_blocks(pieces)
    if not used:
        return pieces
    additions = []
    text_after = _next_text_blocks(blocks)
    for index in range(min(used) + 1, max(used)):
        block = blocks[index]
        if (
            index in used
            or block.kind != "heading"
            or block.furniture
            or block.level < SECTION_HEADING_MIN_LEVEL
        ):
            continue
        if len(block.text) <= HEADING_ELEMENT_MAX_CHARS and text_after[index] in used:
            additions.append(from_block(block, index))  # it introduces article text
    return merge_pieces(pieces, additions)


def _next_text_blocks(blocks: list[PageBlock]) -> list[int]:
    """For each block, the first block after it that is not a heading (-1: none), found in one
    backward pass rather than by a scan over a run of headings from each of them."""
    found = [-1] * len(blocks)
    following = -1
    for index in range(len(blocks) - 1, -1, -1):
        found[index] = following
        if blocks[index].kind != "heading":
            following = index
    return found
