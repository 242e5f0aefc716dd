"""flows.html.tree: a bounded lxml tree, cleaned of everything that must never reach the text."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flows.errors import ParseError
from flows.html import parse_html
from flows.html.tree import clean_tree, drop_semantic_furniture, parse_tree
from flows.html.words import MAX_DEPTH, MAX_ELEMENTS, MAX_PAGE_TEXT_CHARS
from tests.html.helpers import PARAGRAPH, cleaned, fixture, paragraphs, prose


def _depth(root: Any) -> int:
    """Nesting depth of a tree (the root counts 1), without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _body_text(root: Any) -> str:
    """The body's text nodes joined by spaces: words glued in one node stay glued."""
    return " ".join(root.find("body").itertext())


def _body_words(root: Any) -> str:
    return " ".join(_body_text(root).split())


# --- parse_tree ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t", "<!-- nothing but a comment -->"])
def test_a_page_without_elements_is_refused_as_empty(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_tree(text)
    assert caught.value.reason == "empty"


def test_an_xml_declaration_does_not_stop_the_parse() -> None:
    # lxml refuses a str that declares an encoding; the declaration is dropped first.
    root = parse_tree('<?xml version="1.0" encoding="utf-8"?><html><body><p>kept</p></body></html>')
    assert [p.text for p in root.iter("p")] == ["kept"]


@pytest.mark.parametrize(
    ("nesting", "flattened"), [(10, False), (MAX_DEPTH + 10, True), (10_000, True)]
)
def test_nesting_is_capped_and_every_word_kept(nesting: int, flattened: bool) -> None:
    page = (
        "<html><body>"
        + "<div>" * nesting
        + "<p>first words</p><p>second words</p>"
        + "</div>" * nesting
        + "<p>words after</p></body></html>"
    )
    root = parse_tree(page)
    assert _depth(root) <= MAX_DEPTH
    assert (len(root.findall(".//div")) < nesting) is flattened
    text = _body_text(root)
    # unwrapped block elements leave a line break, so neighbouring words never run together
    assert re.search(r"first words\s+second words", text)
    assert text.rstrip().endswith("words after")


@pytest.mark.parametrize("shape", ["closed", "unclosed"])
def test_ten_thousand_deep_nesting_neither_crashes_nor_recurses(shape: str) -> None:
    article = "".join(PARAGRAPH.format(i=i) for i in range(5))
    if shape == "closed":
        page = "<html><body>" + "<div>" * 10_000 + article + "</div>" * 10_000 + "</body></html>"
    else:
        page = "<html><body>" + "<div><span><b>" * 3_400 + article
    found = paragraphs(parse_html(page.encode()))
    assert [p.split(" ")[1] for p in found] == ["0", "1", "2", "3", "4"]


def test_deep_nesting_keeps_text_that_follows_it() -> None:
    page = (
        "<html><body><main>"
        + PARAGRAPH.format(i=0)
        + "<div>" * 10_000
        + "<span>deep</span>"
        + "</div>" * 10_000
        + "".join(PARAGRAPH.format(i=i) for i in range(1, 4))
        + "</main></body></html>"
    )
    found = paragraphs(parse_html(page.encode()))
    assert any(p.startswith("Paragraph 3 ") for p in found)


# --- clean_tree ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<p>keep <span hidden>gone</span> tail</p>", "keep tail"),  # the tail stays
        ("<p>keep</p><div aria-hidden='true'>gone</div>", "keep"),
        ("<p>keep</p><div aria-hidden='false'>shown</div>", "keep shown"),
        ("<p>keep</p><p style='display:none'>gone</p>", "keep"),
        ("<p>keep</p><p style='display : none ;'>gone</p>", "keep"),
        ("<p>keep</p><p style='visibility:hidden'>gone</p>", "keep"),
        ("<p>keep</p><p style='border:none'>shown</p>", "keep shown"),  # "none", not hidden
        ("<p>keep</p><p style='DISPLAY:NONE'>gone</p>", "keep"),  # CSS values ignore case
        ("<p>keep</p><script>gone()</script><style>p {}</style>", "keep"),
        ("<p>keep</p><noscript>gone</noscript><template>gone</template>", "keep"),
        ("<p>keep</p><iframe>gone</iframe><svg><text>gone</text></svg>", "keep"),
        ("<p>keep <button>gone</button><select><option>gone</option></select></p>", "keep"),
        ("<p>keep</p><textarea>gone</textarea><object>gone</object>", "keep"),
    ],
)
def test_clean_tree_removes_what_never_reaches_the_text(body: str, words: str) -> None:
    assert _body_words(cleaned(f"<html><body>{body}</body></html>")) == words


def test_a_hidden_body_is_never_removed() -> None:
    assert _body_words(cleaned("<html><body hidden><p>keep</p></body></html>")) == "keep"


def test_hidden_script_style_comment_and_embedded_content_never_reach_the_text() -> None:
    draft = parse_html(fixture("hostile.html"))
    text = "\n".join(b.text for b in draft.blocks)
    assert len(paragraphs(draft)) == 4
    for token in (
        "HIDDENTOKEN",
        "STYLETOKEN",
        "COMMENTTOKEN",
        "IFRAMETOKEN",
        "SCRIPTTOKEN",
        "NOSCRIPTTOKEN",
        "OBJECTTOKEN",
        "SVGTOKEN",
        "FORMTOKEN",
    ):
        assert token not in text


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("<p>x</p>" * (MAX_ELEMENTS - 10), False),
        ("<p>x</p>" * MAX_ELEMENTS, True),  # with <html> and <body>, over the bound
        ("<p>" + "x" * MAX_PAGE_TEXT_CHARS + "</p>", False),
        ("<p>" + "x" * (MAX_PAGE_TEXT_CHARS + 1) + "</p>", True),
    ],
    ids=["elements-under", "elements-over", "text-at-limit", "text-over"],
)
def test_clean_tree_bounds_elements_and_text(body: str, refused: bool) -> None:
    root = parse_tree(f"<html><body>{body}</body></html>")
    if refused:
        with pytest.raises(ParseError) as caught:
            clean_tree(root)
        assert caught.value.reason == "too_large"
    else:
        clean_tree(root)
        assert root.find("body").text_content()[:1] == "x"


def test_twenty_megabyte_page_of_text_is_refused_as_too_large() -> None:
    page = "<html><body><article>" + PARAGRAPH.format(i=7) * 125_000 + "</article></body></html>"
    assert len(page) >= 20_000_000
    with pytest.raises(ParseError) as caught:
        parse_html(page.encode())
    assert caught.value.reason == "too_large"


# --- drop_semantic_furniture ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (f"<nav>Home News</nav><article><p>{prose(1)}</p></article>", ["article"]),
        (f"<article><p>{prose(1)}</p></article><footer>About us</footer>", ["article"]),
        (f"<article><p>{prose(1)}</p></article><aside>Most read</aside>", ["article"]),
        # a nav inside a footer goes with it
        (f"<p>{prose(1)}</p><footer><nav>Home</nav>Contact</footer>", ["p"]),
        # half the page's text or more: the page misuses the element for its main column
        (f"<aside class='main'><p>{prose(1)}</p></aside><p>Short.</p>", ["aside", "p"]),
        # <header> is not semantic furniture here (its headings are judged later)
        (f"<header>Daily Example</header><p>{prose(1)}</p>", ["header", "p"]),
    ],
)
def test_drop_semantic_furniture(body: str, kept: list[str]) -> None:
    root = cleaned(f"<html><body>{body}</body></html>")
    drop_semantic_furniture(root)
    assert [child.tag for child in root.find("body")] == kept


def test_an_article_in_a_misused_aside_is_kept() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<aside class='main-column'>"
        + "".join(PARAGRAPH.format(i=i) for i in range(4))
        + "</aside><aside class='sidebar'><h2>Most read</h2><p>Short teaser.</p></aside>"
        "</body></html>"
    )
    found = paragraphs(parse_html(page.encode()))
    assert len(found) == 4
    assert "Short teaser." not in found
