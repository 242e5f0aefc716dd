"""Turn the bytes of an HTML page that came without HTTP headers into text, and name the encoding.

Order: a byte-order mark; then a declaration (<meta charset>, <meta http-equiv="Content-Type">,
an XML declaration) if the bytes decode under it; then UTF-8 if they are valid UTF-8; then
charset-normalizer's detection; windows-1252 as the last resort. Labels are read as browsers read
them (WHATWG): "iso-8859-1" and "ascii" mean windows-1252, a UTF-16 label without a BOM means UTF-8.
Mojibake in the decoded text (UTF-8 read as windows-1252 upstream) is repaired later, block by
block, by flows.normalize, which every parser's output goes through.
"""

from __future__ import annotations

import codecs

from bs4.dammit import EncodingDetector

from flows.decode import BOMS, binary_format, detect_encoding, refuse_control_noise
from flows.errors import DecodeError
from flows.html.words import DETECT_BYTES, SNIFF_BYTES

# Labels browsers map to another codec (WHATWG Encoding Standard, "labels").
_WHATWG_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
    "utf-32-le": "utf-8",
    "utf-32-be": "utf-8",
}
_FALLBACK = "cp1252"


def decode_html(data: bytes) -> tuple[str, str]:
    """Return (text, codec name). Raises DecodeError for empty, binary or undecodable bytes."""
    if not data.strip():
        raise DecodeError("the page is empty", reason="empty")
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _checked(data.decode(codec, errors="replace"), codec)
    what = binary_format(data)
    if what is not None:
        raise DecodeError(f"the bytes are a {what}, not HTML", reason="binary")
    if b"\x00" in data[:SNIFF_BYTES]:
        utf16 = _utf16_without_bom(data[:SNIFF_BYTES])
        if utf16 is None:
            raise DecodeError("the bytes hold NUL characters: binary data", reason="binary")
        return _checked(data.decode(utf16, errors="replace"), utf16)
    declared = declared_encoding(data)
    if declared is not None:
        try:
            return _checked(data.decode(declared), declared)
        except UnicodeDecodeError:
            pass  # the declaration lies (a CMS template copied across sites): detect instead
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    codec = _detected_encoding(data) or declared or _FALLBACK
    return _checked(data.decode(codec, errors="replace"), codec)


def declared_encoding(data: bytes) -> str | None:
    """The codec a page declares for itself in its first bytes, as a browser would read it."""
    # BeautifulSoup's detector reads <meta charset>, http-equiv Content-Type and the XML
    # declaration the way its own parser does; we only map the label as a browser would.
    label = EncodingDetector.find_declared_encoding(data[:SNIFF_BYTES], is_html=True)
    return _codec_name(label) if label else None


def _codec_name(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(name, name)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of Latin script has a NUL in every other byte; anything else is binary."""
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _detected_encoding(data: bytes) -> str | None:
    detected = detect_encoding(data[:DETECT_BYTES])
    return _codec_name(detected) if detected else None


def _checked(text: str, codec: str) -> tuple[str, str]:
    refuse_control_noise(text)
    if not text.strip():
        raise DecodeError("the page is empty", reason="empty")
    return text, codec
