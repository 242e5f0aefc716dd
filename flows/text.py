"""Decode bytes to text: BOMs, UTF-8, then a detector for legacy encodings; refuse binary data."""

from __future__ import annotations

import codecs
from typing import Any

import charset_normalizer

from flows.errors import DecodeError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# File signatures of formats people drop into an inbox by mistake.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
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
)
# C0 control characters other than tab/newline/CR/form feed are rare in real text; above this
# share of the decoded characters the bytes are binary data that happened to decode.
_MAX_CONTROL_SHARE = 0.01
_SNIFF_BYTES = 65536
# How much messier than the cleanest candidate an encoding may decode and still be chosen for a
# better language fit; 0.1 separates cp1252 from cp1257 on our French/English fixtures while
# keeping decodings with C1 control characters (chaos ~0.09 higher per stray byte) out.
_CHAOS_MARGIN = 0.1
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "utf_8", "ascii"})


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises DecodeError with reason empty/binary/undecodable."""
    if not data.strip():
        raise DecodeError("the input is empty (no bytes, or only whitespace)", reason="empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding), encoding
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"the input is a {what}", reason="binary")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise DecodeError("the input contains NUL bytes and no UTF-16/32 BOM", reason="binary")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = _detect(data)
        if best is None:
            raise DecodeError(
                "no text encoding fits these bytes (charset detection found no match)",
                reason="undecodable",
            ) from None
        text, encoding = str(best), str(best.encoding)
    _refuse_control_noise(text)
    return text, encoding


def _detect(data: bytes) -> Any:
    """charset-normalizer's candidates, re-ranked: among those about as clean as the best one,
    the one whose letters look most like a real language wins, and Western code pages win ties.
    Its own first choice on short French or English cp1252 text is often cp1257 or mac_latin2
    (all three are equally 'clean'; only the language model tells them apart)."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    floor = min(m.chaos for m in matches) + _CHAOS_MARGIN
    near = [m for m in matches if m.chaos <= floor]
    return max(near, key=lambda m: (m.coherence, m.encoding in _WESTERN, -m.chaos))


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"the bytes are not valid {encoding} despite its byte-order mark: {exc.reason}",
            reason="undecodable",
        ) from exc


def _refuse_control_noise(text: str) -> None:
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(
            f"{controls} control characters in {len(sample)}: binary data, not text",
            reason="binary",
        )
