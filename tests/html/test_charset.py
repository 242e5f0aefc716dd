"""flows.html.charset: the encoding a page declares, and how its bytes are decoded with it."""

from __future__ import annotations

import codecs

import pytest

from flows.decode import decode_bytes
from flows.html import parse_html
from flows.html.charset import declared_encoding
from flows.html.words import BROWSER_DEFAULT_ENCODING, DECLARATION_SNIFF_BYTES
from tests.html.helpers import fixture, paragraphs


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b'<meta charset="utf-8">', "utf-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        (b'<meta charset="latin1">', "cp1252"),  # latin-1 labels read as windows-1252
        (b'<?xml version="1.0" encoding="windows-1252"?>', "cp1252"),
        (b'<meta charset="no-such-codec">', None),
        (b"<p>nothing declared</p>", None),
        (b" " * DECLARATION_SNIFF_BYTES + b'<meta charset="cp1252">', None),  # too late to count
    ],
)
def test_declared_encoding(data: bytes, codec: str | None) -> None:
    assert declared_encoding(data) == codec


@pytest.mark.parametrize("name", ["cp1252_meta.html", "latin1_http_equiv.html"])
def test_cp1252_page_declared_in_the_markup(name: str) -> None:
    draft = parse_html(fixture(name))
    assert draft.encoding == "cp1252"  # iso-8859-1 is read as windows-1252, as browsers do
    assert draft.meta.title == "Café owners “delighted” by pavement licence"
    text = "\n".join(paragraphs(draft))
    assert "Café Bellevue" in text
    assert "“delighted”" in text
    assert "€450 a season – less" in text
    assert "o’clock" in text


def decode_html(data: bytes) -> tuple[str, str]:
    """What parse_html does with a page's bytes: its declared charset as a hint, cp1252 last."""
    return decode_bytes(data, declared=declared_encoding(data), fallback=BROWSER_DEFAULT_ENCODING)


SAMPLE = "<html><body><p>Crème brûlée “for all” at the café</p></body></html>"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM: NUL pattern of UTF-16
        (SAMPLE.encode("utf-8"), "utf-8"),  # undeclared, valid UTF-8
        (b'<meta charset="windows-1252">' + SAMPLE.encode("cp1252"), "cp1252"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            + SAMPLE.encode("cp1252"),
            "cp1252",
        ),
        (b'<?xml version="1.0" encoding="windows-1252"?>' + SAMPLE.encode("cp1252"), "cp1252"),
        # the declaration lies: the bytes are UTF-8, which wins over a failing declared codec
        (b'<meta charset="shift_jis">' + SAMPLE.encode("utf-8"), "utf-8"),
    ],
)
def test_decode_html(data: bytes, codec: str) -> None:
    text, found = decode_html(data)
    assert found == codec
    assert "Crème brûlée “for all” at the café" in text


def test_undeclared_legacy_bytes_are_detected() -> None:
    page = (
        "<html><body><p>Les élèves ont visité le musée de la Marine à Brest, où ils ont "
        "découvert l’histoire des phares et des sémaphores de la côte bretonne.</p>"
        "</body></html>"
    ) * 4
    text, codec = decode_html(page.encode("cp1252"))
    assert "élèves" in text
    assert "l’histoire" in text
    assert codec in {"cp1252", "iso8859-15", "iso8859-1"}
