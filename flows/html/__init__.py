"""HTML articles: main-content blocks with headings, and the page's metadata, from hostile bytes."""

from flows.html.page import parse_html

__all__ = ["parse_html"]
