"""Blocks of an HTML page: trafilatura's main-content body and the page's own block elements.

Two views of the same page, both in reading order: `extracted_pieces` is what trafilatura keeps
(its boilerplate removal), `page_blocks` is every block element of the cleaned page with where it
sits (inside navigation or page furniture or not). The HTML stage lines them up to repair
trafilatura's known gaps with the page's structure.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree

from flows.html.tree import xml_compatible
from flows.html.words import (
    BOILERPLATE_BLOCK_PATTERNS,
    BOILERPLATE_CLASS_WORDS,
    FURNITURE_MAX_CHARS,
    HEADING_ELEMENT_MAX_CHARS,
    LINK_DENSITY_MAX,
    LOOSE_LINK_CHECKS_MAX,
    NAV_TAGS,
    SUBHEAD_CLASS_WORDS,
)
from flows.records import BlockKind

HEADING_TAGS: dict[str, int] = {f"h{n}": n for n in range(1, 7)}
# Block elements read as one unit (their inner blocks are not split out).
_LEAF_TAGS = frozenset(
    {"p", "li", "blockquote", "pre", "dt", "dd", "figcaption", "caption", "address", "td", "th"}
)
# Elements whose text flows inside a line; anything else starts a new block.
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo big br cite code data del dfn em font i img ins kbd label mark q s samp"
    " small span strike strong sub sup time tt u var wbr".split()
)
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_SKIP_TAGS = frozenset({"figure", "head", "title", "meta", "link", "img", "picture", "hr"})
# Line structure when rendering an element's text: HTML and trafilatura's XML vocabulary.
_LINE_BREAKS = frozenset({"br", "lb"})
_LINE_STARTS = frozenset({"li", "item", "tr", "row", "p", "div", "blockquote", "quote", "pre"})
_CELLS = frozenset({"td", "th", "cell"})
_LINKS = frozenset({"a", "ref"})
_BOILERPLATE = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE_BLOCK_PATTERNS), re.I)
_BREAKS = etree.XPath("//br")
_STRING = etree.XPath("string()", smart_strings=False)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space())")
_LINK_TEXTS = etree.XPath(".//a[not(starts-with(@href, '#'))]//text()", smart_strings=False)
_HAS_BLOCK = etree.XPath(
    "boolean(descendant::*[self::p or self::div or self::li or self::ul or self::ol"
    " or self::table or self::blockquote or self::section or self::article"
    " or self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6])"
)


# A unit of the page walk: an element to visit, or loose text of a container with its link texts.
_Part = tuple[Any, bool, str | None, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Piece:
    """A candidate block: what it says, how much of it is link text, and which page block it is."""

    kind: BlockKind
    text: str
    level: int = 0
    link_chars: int = 0
    origin: int = -1  # index into page_blocks, or -1 when not located in the page
    span: int = 1  # page blocks covered from origin on (a list covers its items)


@dataclass(frozen=True, slots=True)
class PageBlock:
    """A block element of the cleaned page, in document order."""

    element: Any
    kind: BlockKind
    text: str
    level: int
    link_chars: int
    furniture: bool  # inside navigation, header/footer, a form or a boilerplate-classed container


def block_key(text: str) -> str:
    """The form under which extracted and page text are compared."""
    return " ".join(text.split()).casefold()


def element_text(element: Any) -> str:
    """Text of an element with its line structure: breaks, list items and rows on new lines."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _LINE_BREAKS or (tag in _LINE_STARTS and node is not element):
                parts.append("\n")
            elif tag in _CELLS and node.getprevious() is not None:
                parts.append(" | ")
            if node.text and isinstance(node.tag, str):
                parts.append(node.text)
        elif node is not element and node.tail:
            parts.append(node.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def link_chars(element: Any) -> int:
    """Characters of link text, not counting links to a place on the same page (#anchors)."""
    return sum(
        len(" ".join("".join(a.itertext()).split()))
        for a in element.iter(*_LINKS)
        if not (a.get("href") or a.get("target") or "").startswith("#")
    )


def extracted_pieces(root: Any, *, recall: bool = False) -> list[Piece]:
    """trafilatura's main content as pieces; empty when it finds none."""
    document = trafilatura.bare_extraction(
        root,
        include_comments=False,
        output_format="xml",  # the body tree only: no text rendering (nor its link warnings)
        include_links=True,  # only to measure link density: link targets never reach the text
        include_tables=True,
        favor_recall=recall,
        with_metadata=False,
        deduplicate=False,
    )
    body = getattr(document, "body", None)  # a Document, or None when it found nothing
    if body is None:
        return []
    pieces = []
    for element in body:
        text = element_text(element)
        if not text:
            continue
        if element.tag == "head":
            level = int((element.get("rend") or "h2")[1:2] or 2)
            pieces.append(Piece("heading", " ".join(text.split()), level, link_chars(element)))
        else:
            pieces.append(Piece("paragraph", text, 0, link_chars(element)))
    return pieces


def page_blocks(root: Any) -> list[PageBlock]:
    """Every block element under <body> in document order, without recursion.

    Text directly inside a container (between its child blocks) becomes blocks of its own, one
    per line, so a page written as text with <br> breaks lines up with extracted paragraphs.
    Marks each <br> in the tree with a newline: call it after trafilatura has read the tree.
    """
    for br in _BREAKS(root):
        br.tail = "\n" + xml_compatible(br.tail or "")
    body = root.find("body")
    blocks: list[PageBlock] = []
    stack: list[_Part] = [(body if body is not None else root, False, None, ())]
    while stack:
        element, furniture, loose, links = stack.pop()
        if loose is not None:
            lines = loose.split("\n")
            if len(lines) == 1 and _is_subhead(element, loose):
                blocks.append(PageBlock(element, "heading", loose, 2, 0, furniture))
                continue
            weights = _link_weights(links, len(lines))
            for line in lines:
                linked = sum(weight for link, weight in weights.items() if link in line)
                blocks.append(PageBlock(element, "paragraph", line, 0, linked, furniture))
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            continue
        furniture = furniture or tag in NAV_TAGS or _furniture_class(element)
        if tag in HEADING_TAGS or tag in _LEAF_TAGS:
            text = _block_text(element)
            if text:
                kind: BlockKind = "heading" if tag in HEADING_TAGS else "paragraph"
                if kind == "heading":
                    text = " ".join(text.split())
                level = HEADING_TAGS.get(tag, 0)
                linked = _link_text_chars(element) if len(element) else 0
                blocks.append(PageBlock(element, kind, text, level, linked, furniture))
            continue
        stack.extend(reversed(_container_parts(element, furniture)))
    return blocks


def _link_weights(links: tuple[str, ...], lines: int) -> dict[str, int]:
    """Characters each distinct link text stands for (its length times its uses), for the
    lines of loose text that hold it. Each line is compared with each distinct text; past
    LOOSE_LINK_CHECKS_MAX comparisons the container's lines count no link text at all."""
    weights = Counter(links)
    if lines * len(weights) > LOOSE_LINK_CHECKS_MAX:
        return {}
    return {link: len(link) * uses for link, uses in weights.items()}


def _block_text(element: Any) -> str:
    """element_text, the fast way when no block sits inside (lines come from marked <br>s)."""
    if len(element) == 0:
        return _lines(element.text or "")
    if _HAS_BLOCK(element):
        return element_text(element)
    return _lines(_STRING(element))


def _link_text_chars(element: Any) -> int:
    return len(" ".join("".join(_LINK_TEXTS(element)).split()))


def _container_parts(element: Any, furniture: bool) -> list[_Part]:
    """A container's children in order, runs of inline content merged into loose text."""
    parts: list[_Part] = []
    run = [element.text or ""]
    links: list[str] = []
    for child in element:
        if _is_inline(child):
            if len(child):
                run.append(_STRING(child))
                links.extend(" ".join(t.split()) for t in _LINK_TEXTS(child))
            else:
                run.append(child.text or "")
                if child.tag == "a" and not (child.get("href") or "").startswith("#"):
                    links.append(" ".join((child.text or "").split()))
        else:
            loose = _lines("".join(run)) if any(not t.isspace() for t in run if t) else ""
            if loose:
                parts.append((element, furniture, loose, tuple(links)))
            parts.append((child, furniture, None, ()))
            run, links = [], []
        run.append(child.tail or "")
    loose = _lines("".join(run)) if any(not t.isspace() for t in run if t) else ""
    if loose:
        parts.append((element, furniture, loose, tuple(links)))
    return parts


def _is_inline(element: Any) -> bool:
    if element.tag not in _INLINE_TAGS or not isinstance(element.tag, str):
        return False
    return len(element) == 0 or not _HAS_BLOCK(element)


def _lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _is_subhead(element: Any, text: str) -> bool:
    """A <div> or <span> a CMS marks as a subheading (class="pf_subheadline") instead of <hN>."""
    if len(text) > HEADING_ELEMENT_MAX_CHARS:
        return False
    return _class_words(element.get("class") or "") & SUBHEAD_CLASS_WORDS != frozenset()


def _furniture_class(element: Any) -> bool:
    """A small container whose class, id or role names page furniture ("related-links")."""
    if element.tag in _NEVER_FURNITURE:
        return False
    words = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('role') or ''}"
    if not _names_furniture(words):
        return False
    # Layout wrappers carry such words too ("l-sidebar-fixed" around a whole article body).
    return int(_TEXT_LENGTH(element)) <= FURNITURE_MAX_CHARS


def _names_furniture(words: str) -> bool:
    return bool(_class_words(words) & BOILERPLATE_CLASS_WORDS)


@functools.lru_cache(maxsize=4096)
def _class_words(words: str) -> frozenset[str]:
    """The words of class/id values, split on anything but letters: "related-links" -> 2."""
    return frozenset("".join(c if c.isalpha() else " " for c in words.lower()).split())


def is_boilerplate(piece: Piece) -> bool:
    """A block that is the page talking (teasers, prompts, footers), not the article."""
    text = " ".join(piece.text.split())
    if _BOILERPLATE.search(text):
        return True
    if piece.kind == "heading" and len(text) > HEADING_ELEMENT_MAX_CHARS:
        return False  # a long "heading" is a bold paragraph of the article, not a teaser
    # A list whose items are mostly links is a list of links (related stories, more from...),
    # and a heading that is a link to another page is a teaser's headline, not a section's.
    multiline = "\n" in piece.text
    linked = piece.link_chars > LINK_DENSITY_MAX * len(text)
    return linked and (multiline or piece.kind == "heading")
