"""Decode an input's bytes to text, for plain text and HTML alike, and name the encoding.

One order of steps for every input: a byte-order mark; binary signatures and NUL bytes (UTF-16
without a BOM is told apart from binary data by its NUL pattern); the encoding the document
declares for itself, when its parser found one (HTML's <meta charset>) and the bytes decode under
it; UTF-8 if the bytes are valid UTF-8; charset-normalizer's detection; then the caller's
fallback (browsers read an undeclared page as windows-1252), or a reject. Labels are read as
browsers read them (WHATWG): "iso-8859-1" and "ascii" mean windows-1252. Mojibake left in the
text (UTF-8 read as windows-1252 upstream) is repaired later by flows.normalize.
"""

from __future__ import annotations

import codecs

import charset_normalizer
import webencodings

from flows import words
from flows.errors import DecodeError

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# File signatures of formats people drop into an inbox by mistake.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"RIFF", "RIFF media (WAV/AVI/WebP)"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
)
# A declared label is read through the WHATWG Encoding Standard's label table (webencodings), so
# only the ~40 encodings browsers know are honoured: never Python-only codecs such as hex, zlib,
# rot13, unicode-escape or undefined. Then the HTML standard's overrides, and Python's codec for
# decoders WHATWG defines as a superset (gbk is decoded as gb18030).
_DECLARED_OVERRIDES: dict[str, str | None] = {
    "utf-16be": "utf-8",  # a page read as bytes cannot be UTF-16 if its <meta> was ASCII
    "utf-16le": "utf-8",
    "x-user-defined": "cp1252",
    "replacement": None,  # ISO-2022-KR and friends: a security hole, treated as no declaration
    "gbk": "gb18030",
    "gb18030": "gb18030",
}
# Python codec names of charset-normalizer's results that a browser reads as another codec.
_DETECTED_ALIASES = {
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
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "utf_8", "ascii"})


def decode_bytes(
    data: bytes, *, declared: str | None = None, fallback: str | None = None
) -> tuple[str, str]:
    """Return (text, codec name). `declared` is the codec the document names for itself (already
    mapped with codec_name), `fallback` the codec to use when detection finds none. Raises
    DecodeError with reason empty, binary or undecodable."""
    if not data.strip():
        raise DecodeError("the input is empty (no bytes, or only whitespace)", reason="empty")
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, codec), codec)
    what = binary_format(data)
    if what is not None:
        raise DecodeError(f"the input is a {what}", reason="binary")
    head = data[: words.BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise DecodeError("the input contains NUL bytes and no UTF-16/32 BOM", reason="binary")
        return _checked(data.decode(utf16, errors="replace"), utf16)
    for candidate in (declared, "utf-8"):
        if candidate is None:
            continue
        try:
            return _checked(data.decode(candidate), candidate)
        except (UnicodeError, LookupError):
            pass  # a declaration that lies (a CMS template copied across sites): go on
    chosen = detect_encoding(data) or declared or fallback
    if chosen is None:
        raise DecodeError(
            "no text encoding fits these bytes (charset detection found no match)",
            reason="undecodable",
        )
    return _checked(data.decode(chosen, errors="replace"), chosen)


def codec_name(label: str) -> str | None:
    """The Python codec for an encoding label a document declares, as a browser reads the label
    (WHATWG labels only; None if browsers do not know it)."""
    encoding = webencodings.lookup(label)
    if encoding is None:
        return None
    if encoding.name in _DECLARED_OVERRIDES:
        return _DECLARED_OVERRIDES[encoding.name]
    return str(encoding.codec_info.name)


def binary_format(data: bytes) -> str | None:
    """The name of the binary format `data` starts with, if it is one we know."""
    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            return what
    return None


def detect_encoding(data: bytes) -> str | None:
    """The codec charset-normalizer's candidates point to, re-ranked by language fit minus mess.

    Its own first choice on short French or English cp1252 text is often cp1257, cp1250 or
    mac_latin2: they decode as 'cleanly', and only the language model tells them apart. So each
    candidate scores coherence - CHAOS_WEIGHT * chaos, and Western code pages win exact ties."""
    matches = list(charset_normalizer.from_bytes(data[: words.DETECT_BYTES]))
    if not matches:
        return None
    best = max(
        matches,
        key=lambda m: (
            round(m.coherence - words.CHAOS_WEIGHT * m.chaos, words.DETECT_SCORE_DECIMALS),
            m.encoding in _WESTERN,
        ),
    )
    name = codecs.lookup(str(best.encoding)).name
    return _DETECTED_ALIASES.get(name, name)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of Latin script has a NUL in every other byte; anything else is binary."""
    even, odd = head[0::2], head[1::2]
    high, low = words.UTF16_NUL_SHARE, words.UTF16_OTHER_NUL_SHARE
    if odd.count(0) > high * len(odd) and even.count(0) < low * len(even):
        return "utf-16-le"
    if even.count(0) > high * len(even) and odd.count(0) < low * len(odd):
        return "utf-16-be"
    return None


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"the bytes are not valid {codec} despite its byte-order mark: {exc.reason}",
            reason="undecodable",
        ) from exc


def _checked(text: str, codec: str) -> tuple[str, str]:
    """Refuse decoded text that is mostly control characters (binary data that happened to
    decode) or nothing but whitespace."""
    sample = text[: words.BINARY_SNIFF_BYTES]
    # C0 controls are the code points below the space.
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f")
    if controls > words.MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(
            f"{controls} control characters in {len(sample)}: binary data, not text",
            reason="binary",
        )
    if not text.strip():
        raise DecodeError("the input is empty once decoded (only whitespace)", reason="empty")
    return text, codec
