"""Parse decoded HTML into a bounded lxml tree and strip everything that must never reach the text.

Depth: libxml2 gives up at a fixed nesting depth (2,048 in the huge-tree mode used here) and
silently drops the rest of the page, and deep trees make recursive code downstream fail. A page
nested deeper than MAX_DEPTH is therefore parsed again through lxml's event interface, which has
no depth limit, while elements deeper than MAX_DEPTH are unwrapped on the fly (their text stays,
their tags go). The tree is also bounded in elements and in visible text; beyond that the page
is refused as too large.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from flows.errors import ParseError
from flows.html.words import (
    DROP_TAGS,
    HIDDEN_STYLES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_PAGE_TEXT_CHARS,
    SEMANTIC_FURNITURE_MAX_SHARE,
)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# libxml2 keeps C0 control characters in text nodes but refuses them when a text is assigned
# (ValueError: "All strings must be XML compatible"), as the blocks stage does for <br> tails.
# Form feed and vertical tab are whitespace to HTML; the others carry nothing readable.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# libxml2's message when it gives up on deep nesting (error type ERR_RESOURCE_LIMIT).
_DEPTH_ERROR = "Excessive depth"
_HIDDEN_XPATH = etree.XPath(
    "//*[@hidden or @aria-hidden='true'"
    " or contains(translate(@style, 'NOE', 'noe'), 'none')"
    " or contains(translate(@style, 'HIDEN', 'hiden'), 'hidden')]"
)
_SPACES = re.compile(r"\s+")
_COUNT = etree.XPath("count(//*)")
_VISIBLE_LENGTH = etree.XPath("string-length(string(/html/body))")
_BODY_TEXT_LENGTH = etree.XPath("string-length(normalize-space(/html/body))")
_OWN_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
_SEMANTIC_FURNITURE = etree.XPath(
    "//body//*[self::nav or self::aside or self::footer]"
    "[not(ancestor::nav or ancestor::aside or ancestor::footer)]"
)
_DEEPER_THAN_MAX = etree.XPath("boolean(/" + "*/" * MAX_DEPTH + "*)")
# Tags whose start or end breaks a line; when unwrapped beyond MAX_DEPTH a newline stands in for
# them so that the words of neighbouring paragraphs do not run together.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5"
    " h6 header hr li main nav ol p pre section table td th tr ul br".split()
)


def xml_compatible(text: str) -> str:
    """`text` without the C0 controls libxml2 refuses on assignment (form feed and vertical tab
    become spaces). Character references (&#1;) bring them back into a parsed tree's text, so
    any text assigned to a node goes through this too."""
    if _ANY_CONTROL.search(text) is None:
        return text  # nearly every page: one scan in C, no copy
    return _CONTROLS.sub("", text.replace("\f", " ").replace("\v", " "))


def parse_tree(text: str) -> Any:
    """Parse HTML text into an lxml.html document whose nesting is at most MAX_DEPTH."""
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares bytes
    text = xml_compatible(text)
    # huge_tree lifts libxml2's 10 MB cap on one text node (inline data blobs in <script> reach
    # it); the input is bounded by MAX_HTML_BYTES before this point.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except etree.ParserError as exc:  # lxml's only parser error here: "Document is empty"
        raise ParseError(f"the page holds no elements: {exc}", reason="empty") from exc
    except ValueError as exc:
        raise ParseError(f"the markup could not be parsed: {exc}", reason="malformed") from exc
    too_deep = any(_DEPTH_ERROR in entry.message for entry in parser.error_log)
    if too_deep or _DEEPER_THAN_MAX(root):
        root = _parse_flattened(text)
    return root


def _parse_flattened(text: str) -> Any:
    """Parse through the event interface, unwrapping elements nested deeper than MAX_DEPTH."""
    target = _CappedTreeTarget(MAX_DEPTH)
    event_parser = etree.HTMLParser(
        target=target, remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        shallow = etree.fromstring(text, event_parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"the markup could not be parsed: {exc}", reason="malformed") from exc
    # The capped tree serializes without recursion trouble and re-parses under libxml2's limit.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    return lxml.html.document_fromstring(etree.tostring(shallow, encoding="unicode"), parser=parser)


class _CappedTreeTarget:
    """lxml parser target that builds a tree, dropping start/end tags beyond a depth."""

    def __init__(self, max_depth: int) -> None:
        self._builder = etree.TreeBuilder()
        self._max_depth = max_depth
        self._depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._depth += 1
        if self._depth <= self._max_depth:
            self._builder.start(tag, dict(attrib))
        elif tag in _BLOCK_TAGS:
            self._builder.data("\n")

    def end(self, tag: str) -> None:
        if self._depth <= self._max_depth:
            self._builder.end(tag)
        elif tag in _BLOCK_TAGS:
            self._builder.data("\n")
        self._depth -= 1

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Any:
        return self._builder.close()


def clean_tree(root: Any) -> None:
    """Remove scripts, styles, embeds, forms and hidden elements in place; enforce the bounds."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    for element in _HIDDEN_XPATH(root):
        if _is_hidden(element) and element.getparent() is not None:
            element.drop_tree()  # keeps the tail, which belongs to the parent
    count = int(_COUNT(root))
    if count > MAX_ELEMENTS:
        raise ParseError(
            f"the page has {count} elements, more than {MAX_ELEMENTS}",
            reason="too_large",
        )
    visible = int(_VISIBLE_LENGTH(root))
    if visible > MAX_PAGE_TEXT_CHARS:
        raise ParseError(
            f"the page holds {visible} characters of text, more than {MAX_PAGE_TEXT_CHARS}",
            reason="too_large",
        )


def drop_semantic_furniture(root: Any) -> None:
    """Remove <nav>, <aside> and <footer> (navigation, tangential content, footers) in place.

    Each is kept when it holds half the page's text or more: then the page misuses the element
    for its main column, and the article is inside it.
    """
    page = float(_BODY_TEXT_LENGTH(root))
    for element in _SEMANTIC_FURNITURE(root):
        if float(_OWN_TEXT_LENGTH(element)) < SEMANTIC_FURNITURE_MAX_SHARE * page:
            element.drop_tree()


def _is_hidden(element: Any) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return element.tag not in ("html", "body")
    style = _SPACES.sub("", element.get("style") or "").lower()
    return any(hidden in style for hidden in HIDDEN_STYLES)
