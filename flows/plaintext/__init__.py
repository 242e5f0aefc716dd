"""Plain-text articles: front matter, headings and paragraphs read from decoded text."""

from flows.plaintext.parse import parse_plaintext

__all__ = ["parse_plaintext"]
