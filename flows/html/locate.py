"""Line trafilatura's extracted pieces up with the page's own blocks, and merge pieces in order.

Every extracted piece gets the index of the page block it came from (its origin), so that later
repairs can reason about where in the page the article lies: which container holds it, which
headings sit between its paragraphs, which blocks are navigation.
"""

from __future__ import annotations

import bisect

from flows.html.blocks import PageBlock, Piece, block_key
from flows.html.words import (
    FLATTENED_COVER_SHARE,
    FRAGMENT_MIN_CHARS,
    FRAGMENT_WINDOW_BLOCKS,
    FURNITURE_MAX_SHARE,
    LOCATE_PREFIX_CHARS,
)

_ITEM_TAGS = frozenset({"li", "dt", "dd", "td", "th"})


def locate_pieces(pieces: list[Piece], blocks: list[PageBlock]) -> list[Piece]:
    """Give each piece the index of the page block it came from, keeping document order.

    Pieces are found by their whole text, their first line, the opening of their text, or
    (for text trafilatura cut out of a longer block) as a part of a block just after the last
    one found. Consecutive pieces found in the same block become that block, in the page's words.
    A piece that runs over several page blocks covers them all (its span).
    """
    keys = [block_key(block.text) for block in blocks]
    squeezed: dict[int, str] = {}  # keys without spaces, made on demand
    exact: dict[str, list[int]] = {}
    prefix: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        exact.setdefault(key, []).append(index)
        prefix.setdefault(key[:LOCATE_PREFIX_CHARS], []).append(index)
    located: list[Piece] = []
    last = -1
    for piece in pieces:
        whole = block_key(piece.text)
        head = block_key(piece.text.split("\n", 1)[0])
        candidates = (
            exact.get(whole) or exact.get(head) or prefix.get(head[:LOCATE_PREFIX_CHARS]) or []
        )
        after = bisect.bisect_right(candidates, last)  # candidates are in page order
        origin = (
            candidates[after] if after < len(candidates) else (candidates[0] if candidates else -1)
        )
        if origin < 0:
            origin = _contained_in(head, keys, last, squeezed)
        if origin >= 0:
            last = max(last, origin)
        if located and origin >= 0 and located[-1].origin == origin and piece.kind == "paragraph":
            located[-1] = from_block(blocks[origin], origin)
            continue
        span = 1
        if origin >= 0 and "\n" in piece.text:
            flat = whole.replace(" ", "")
            while origin + span < len(keys) and keys[origin + span].replace(" ", "") in flat:
                span += 1
            last = max(last, origin + span - 1)
        covered = blocks[origin : origin + span] if span > 1 else []
        if (
            covered
            and sum(len(keys[origin + i]) for i in range(span))
            >= FLATTENED_COVER_SHARE * len(whole)
            and not all(block.element.tag in _ITEM_TAGS for block in covered)
        ):
            # trafilatura flattened a stretch of the page into one run of lines (its fallbacks
            # do, and so does unwrapped deep nesting): take the page's own blocks, headings
            # included. A list or a table stays one block with a line per item.
            located.extend(from_block(b, origin + i) for i, b in enumerate(covered))
            continue
        if span == 1 and origin >= 0 and blocks[origin].kind == "heading" and keys[origin] == whole:
            # the page marks it as a heading (a CMS subheadline) where trafilatura saw a line
            located.append(from_block(blocks[origin], origin))
            continue
        located.append(Piece(piece.kind, piece.text, piece.level, piece.link_chars, origin, span))
    return located


def _contained_in(key: str, keys: list[str], last: int, squeezed: dict[int, str]) -> int:
    """The first block at or after the last located one whose text holds this text.

    Spaces are ignored: trafilatura glues a link's text to the word after it ("Prowas").
    """
    key = key.replace(" ", "")
    if len(key) < FRAGMENT_MIN_CHARS:
        return -1
    start = max(last, 0)
    for index in range(start, min(len(keys), start + FRAGMENT_WINDOW_BLOCKS)):
        if index not in squeezed:
            squeezed[index] = keys[index].replace(" ", "")
        if key in squeezed[index]:
            return index
    return -1


def outside_furniture(pieces: list[Piece], blocks: list[PageBlock]) -> list[Piece]:
    """Drop what trafilatura kept from navigation, page header/footer and named furniture.

    When that would drop most of the text, the "furniture" is the article's own container
    (a short story inside <div class="post share-enabled">): keep everything.
    """
    kept = [p for p in pieces if p.origin < 0 or not blocks[p.origin].furniture]
    if body_chars(kept) < FURNITURE_MAX_SHARE * body_chars(pieces):
        return pieces
    return kept


def from_block(block: PageBlock, index: int) -> Piece:
    """A piece made of a page block, in the page's own words."""
    return Piece(block.kind, block.text, block.level, block.link_chars, index)


def merge_pieces(pieces: list[Piece], additions: list[Piece]) -> list[Piece]:
    """Insert located additions among located pieces by document order."""
    if not additions:
        return pieces
    merged: list[Piece] = []
    queue = sorted(additions, key=lambda p: p.origin)
    taken = 0  # additions merged so far: a cursor, not pops from the front of a list
    for piece in pieces:
        while taken < len(queue) and piece.origin >= 0 and queue[taken].origin < piece.origin:
            merged.append(queue[taken])
            taken += 1
        merged.append(piece)
    return merged + queue[taken:]


def used_blocks(pieces: list[Piece]) -> set[int]:
    """Indices of the page blocks that the pieces cover."""
    return {i for p in pieces if p.origin >= 0 for i in range(p.origin, p.origin + p.span)}


def body_chars(pieces: list[Piece]) -> int:
    """Characters of body text (headings do not count)."""
    return sum(len(p.text) for p in pieces if p.kind == "paragraph")
