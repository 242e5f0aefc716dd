"""decode_bytes: encodings found, bad bytes refused with a reason."""

from __future__ import annotations

import codecs

import pytest

from flows.decode import decode_bytes
from flows.errors import DecodeError

PARAGRAPH = (
    "Le café de la gare a rouvert ses portes mardi. Les habitués étaient déjà là à sept heures, "
    "et le patron a offert le premier crème à tout le monde. « C’est une fête », a-t-il déclaré."
)
ENGLISH = "The café’s naïve “résumé” cost €5 — a bargain, said the owner of the café."


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"plain ascii", "plain ascii", "utf-8"),
        ("héllo".encode(), "héllo", "utf-8"),
        (codecs.BOM_UTF8 + "héllo".encode(), "héllo", "utf-8-sig"),
        ("héllo wörld".encode("utf-16"), "héllo wörld", "utf-16"),
        (codecs.BOM_UTF16_BE + "héllo".encode("utf-16-be"), "héllo", "utf-16"),
        ("héllo".encode("utf-32"), "héllo", "utf-32"),
    ],
)
def test_decodes_unicode_forms(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data) == (text, encoding)


@pytest.mark.parametrize(
    ("sample", "codec"), [(PARAGRAPH, "cp1252"), (ENGLISH, "cp1252"), (PARAGRAPH, "latin-1")]
)
def test_detects_legacy_single_byte_encodings(sample: str, codec: str) -> None:
    if codec == "latin-1":  # latin-1 has no euro sign and no curly apostrophe
        sample = sample.replace("€", "EUR").replace("’", "'")
    data = sample.encode(codec)
    text, encoding = decode_bytes(data)
    assert text == data.decode(codec)
    assert encoding != "utf-8"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
        (b"%PDF-1.7\n...", "binary"),
        (b"text\x00with\x00nuls", "binary"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8\x00\xd8", "undecodable"),  # lone surrogates
        (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20, "binary"),
    ],
)
def test_refuses_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason
    assert str(caught.value)
