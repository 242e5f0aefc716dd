"""Parse an HTML news page into a draft: main-content blocks with headings, and its metadata.

    bytes -> text (decode) -> bounded lxml tree (tree) -> metadata (metadata)
          -> clean tree: no scripts, hidden elements, <nav>/<aside>/<footer> (tree)
          -> trafilatura's main content, located among the page's own blocks (blocks,
             locate)
          -> repairs: fallbacks, JSON-LD articleBody, split containers, headings (repair)
          -> tidy: no headline/standfirst, no teasers or prompts, no orphan headings -> Draft

trafilatura removes boilerplate well but loses structure and sometimes content: it drops
headings when it falls back from its main container, stops at the first of several article
containers, and can return too little. Each extracted block is located among the page's block
elements; the page structure around the located blocks then decides what to add back or drop.
The page title is metadata only: it never becomes a body block.

The page is parsed once, by lxml, and walked directly. BeautifulSoup (which would drive the same
lxml parser) is not used: building its tree costs as much CPU as trafilatura's whole extraction
(median 15 ms against 14 ms per aeb-dev page), more than this stage's budget of 1.5x allows.
"""

from __future__ import annotations

from typing import Any

from flows.decode import decode_bytes
from flows.errors import ParseError
from flows.html.blocks import Piece, block_key, extracted_pieces, is_boilerplate, page_blocks
from flows.html.charset import declared_encoding
from flows.html.locate import body_chars, locate_pieces, outside_furniture
from flows.html.metadata import extract_metadata
from flows.html.repair import with_fallback, with_headings, with_jsonld_body, with_split_containers
from flows.html.tree import clean_tree, drop_semantic_furniture, parse_tree
from flows.html.words import (
    BROWSER_DEFAULT_ENCODING,
    LINK_LINE_DENSITY,
    LINK_LINE_MAX_CHARS,
    LINK_RUN_MIN,
    MAX_HTML_BYTES,
    MIN_ANY_ARTICLE_CHARS,
    TRUNCATED_DESCRIPTION_MIN_SHARE,
)
from flows.records import Draft, DraftBlock, Metadata


def parse_html(data: bytes) -> Draft:
    """Parse the bytes of an HTML page. Raises DecodeError or ParseError (with a reason)."""
    if len(data) > MAX_HTML_BYTES:
        raise ParseError(
            f"the page is {len(data)} bytes, more than {MAX_HTML_BYTES}", reason="too_large"
        )
    text, encoding = decode_bytes(
        data, declared=declared_encoding(data), fallback=BROWSER_DEFAULT_ENCODING
    )
    root = parse_tree(text)
    facts = extract_metadata(root)  # before cleaning: JSON-LD lives in <script>
    clean_tree(root)
    drop_semantic_furniture(root)
    pieces = _tidy(_article_pieces(root, facts.article_body), facts.meta)
    if body_chars(pieces) < MIN_ANY_ARTICLE_CHARS:
        raise ParseError(
            f"no article text found ({body_chars(pieces)} characters of body text)",
            reason="no_article",
        )
    return Draft(
        blocks=tuple(DraftBlock(p.kind, p.text, p.level) for p in pieces),
        meta=facts.meta,
        encoding=encoding,
    )


def _article_pieces(root: Any, jsonld_body: str | None) -> list[Piece]:
    extracted = extracted_pieces(root)
    blocks = page_blocks(root)  # after trafilatura's run: it marks line breaks in the tree
    pieces = outside_furniture(locate_pieces(extracted, blocks), blocks)
    pieces = with_fallback(root, blocks, pieces)
    pieces = with_jsonld_body(pieces, blocks, jsonld_body)
    pieces = with_split_containers(pieces, blocks)
    return with_headings(pieces, blocks)


# --- tidying -------------------------------------------------------------------------------------


def _tidy(pieces: list[Piece], meta: Metadata) -> list[Piece]:
    pieces = _without_front(pieces, meta)
    pieces = [p for p in pieces if not is_boilerplate(p)]
    pieces = _without_link_runs(pieces)
    pieces = _without_orphan_headings(pieces)
    deduplicated: list[Piece] = []
    for piece in pieces:
        if not deduplicated or block_key(deduplicated[-1].text) != block_key(piece.text):
            deduplicated.append(piece)
    return deduplicated


def _without_link_runs(pieces: list[Piece]) -> list[Piece]:
    """Drop runs of short lines that are all links: a list of links written without a <ul>."""
    kept: list[Piece] = []
    run: list[Piece] = []
    for piece in [*pieces, None]:
        if piece is not None and _is_link_line(piece):
            run.append(piece)
            continue
        if len(run) < LINK_RUN_MIN:
            kept.extend(run)
        run = []
        if piece is not None:
            kept.append(piece)
    return kept


def _is_link_line(piece: Piece) -> bool:
    return (
        "\n" not in piece.text
        and len(piece.text) <= LINK_LINE_MAX_CHARS
        and piece.link_chars >= LINK_LINE_DENSITY * len(" ".join(piece.text.split()))
    )


def _without_front(pieces: list[Piece], meta: Metadata) -> list[Piece]:
    """Drop the headline, and the standfirst when it repeats the description, from the top."""
    title = block_key(meta.title or "")
    description = block_key(meta.description or "")
    start = 0
    while start < len(pieces):
        piece = pieces[start]
        key = block_key(piece.text)
        headline = _same(key, title) or (piece.kind == "heading" and piece.level == 1)
        standfirst = piece.kind == "heading" and _same(key, description)
        if headline or standfirst:
            start += 1
        else:
            break
    return [
        p for p in pieces[start:] if not (p.kind == "heading" and _same(block_key(p.text), title))
    ]


def _same(a: str, b: str) -> bool:
    """Equal, or one is the other cut short (og:description is often truncated with an ellipsis)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a.rstrip(".… "), b.rstrip(".… ")), key=len)
    return len(short) >= TRUNCATED_DESCRIPTION_MIN_SHARE * len(long) and long.startswith(short)


def _without_orphan_headings(pieces: list[Piece]) -> list[Piece]:
    """A heading must be followed by text before the next heading of its rank or higher.

    Each heading looks ahead only to the next heading of its rank or higher, so the headings of
    one level look at each stretch of the page once: linear in the pieces, for the few levels
    there are (and no copy of the rest of the list per heading)."""
    kept = []
    for index, piece in enumerate(pieces):
        if piece.kind != "heading":
            kept.append(piece)
            continue
        for following in range(index + 1, len(pieces)):
            if pieces[following].kind == "paragraph":
                kept.append(piece)
                break
            if pieces[following].level <= piece.level:
                break
    return kept
