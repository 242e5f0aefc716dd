"""The encoding an HTML page declares for itself: <meta charset>, http-equiv or XML declaration."""

from __future__ import annotations

from bs4.dammit import EncodingDetector

from flows.decode import codec_name
from flows.html.words import DECLARATION_SNIFF_BYTES


def declared_encoding(data: bytes) -> str | None:
    """The codec a page declares in its first bytes, as a browser would read the label."""
    # BeautifulSoup's detector reads <meta charset>, http-equiv Content-Type and the XML
    # declaration the way its own parser does; codec_name maps the label as a browser would.
    label = EncodingDetector.find_declared_encoding(data[:DECLARATION_SNIFF_BYTES], is_html=True)
    return codec_name(label) if label else None
