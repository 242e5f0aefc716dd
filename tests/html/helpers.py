"""Pages, fixtures and small views of drafts shared by the HTML tests."""

from __future__ import annotations

from typing import Any

from flows.assemble import assemble_document
from flows.html import parse_html
from flows.html.blocks import PageBlock, page_blocks
from flows.html.tree import clean_tree, parse_tree
from flows.records import Draft, ParsedDocument
from tests.conftest import FIXTURES

HTML_FIXTURES = FIXTURES / "html"

# A paragraph long enough to count as article prose; {i} tells the copies apart.
PARAGRAPH = (
    "<p>Paragraph {i} of the story tells readers about the river festival, its boats, its "
    "bands and the volunteers who have run it every summer since the bridge reopened.</p>"
)


def prose(i: int) -> str:
    """The text of PARAGRAPH number i, without its tags."""
    return PARAGRAPH.format(i=i).removeprefix("<p>").removesuffix("</p>")


def fixture(name: str) -> bytes:
    return (HTML_FIXTURES / name).read_bytes()


def document(data: bytes) -> ParsedDocument:
    return assemble_document(
        parse_html(data),
        doc_id="d",
        source_uri="page.html",
        media_type="text/html",
        content_hash="h",
    )


def paragraphs(draft: Draft) -> list[str]:
    return [b.text for b in draft.blocks if b.kind == "paragraph"]


def headings(draft: Draft) -> list[str]:
    return [b.text for b in draft.blocks if b.kind == "heading"]


def cleaned(html: str) -> Any:
    """The lxml tree parse_html works on: parsed and cleaned, furniture not yet dropped."""
    root = parse_tree(html)
    clean_tree(root)
    return root


def blocks_of(html: str) -> tuple[Any, list[PageBlock]]:
    """A page's cleaned tree and its block elements in document order."""
    root = cleaned(html)
    return root, page_blocks(root)
