"""Normalize text: mojibake repair, NFC, whitespace and invisible characters, quotation marks."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from flows.words import FTFY_MAX_ROUNDS, NORMALIZE_MAX_ROUNDS

# ftfy repairs mojibake and odd code points; we turn off the fixes that other steps own:
# quote marks are made consistent below (ftfy would make them all straight), and HTML entities are
# the HTML parser's business (unescaping plain text would change words like "AT&amp;T" in code).
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    normalization="NFC",
    explain=False,
)

# Text made only of these characters comes out of ftfy (with the settings above) and NFC as it
# went in: ASCII letters, digits, punctuation, tab and newline, and General Punctuation's dashes,
# quote marks and ellipsis (U+2010-U+2027). Mojibake, control characters, fullwidth forms,
# ligatures and every other code point ftfy rewrites lie outside, so such text skips ftfy, which
# costs about 40% of parsing on news.
_FTFY_UNCHANGED = re.compile("[\t\n\x20-\x7e\u2010-\u2027]*")

# Removed outright: zero-width space, word joiner, BOM, soft hyphen, Mongolian vowel separator.
# ZWJ and ZWNJ (U+200D, U+200C) are kept: they change meaning in Persian, Indic scripts and emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"))
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but a newline, incl. NBSP and thin spaces
_BLANK_RUNS = re.compile(r"\n{3,}")

# Double quote marks written with ASCII: '"', two apostrophes (NYT archives), two backticks (TeX).
_DOUBLE = re.compile(r"``|''|\"")
_OPENING_CONTEXT = frozenset("([{<\u2014\u2013-/\u2018\u201c")  # a quote after these opens


def normalize_text(text: str) -> str:
    """Return the canonical form of text that every offset points into. Idempotent."""
    # The steps feed each other (a tab turned into a space can complete a mojibake pattern such
    # as "Â " for a no-break space), so they run until nothing changes (NORMALIZE_MAX_ROUNDS).
    for _ in range(NORMALIZE_MAX_ROUNDS):
        fixed = normalize_quotation_marks(normalize_whitespace(_fix_unicode(text)))
        if fixed == text:
            break
        text = fixed
    return text


def _fix_unicode(text: str) -> str:
    if _FTFY_UNCHANGED.fullmatch(text):
        return text
    for _ in range(FTFY_MAX_ROUNDS):
        fixed = ftfy.fix_text(text, config=_FTFY)
        if fixed == text:
            break
        text = fixed
    return unicodedata.normalize("NFC", text)


def normalize_whitespace(text: str) -> str:
    """Single spaces inside lines, no trailing spaces, at most one blank line, no invisibles."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").translate(_INVISIBLE)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _opens(text: str, start: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    return before.isspace() or before in _OPENING_CONTEXT


def normalize_quotation_marks(text: str) -> str:
    """Make ASCII quote marks typographic by context, so every pair is “...” and ‘...’."""

    def _double(match: re.Match[str]) -> str:
        return "\u201c" if _opens(text, match.start()) else "\u201d"

    text = _DOUBLE.sub(_double, text)
    if "'" not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch != "'":
            out.append(ch)
            continue
        after = text[i + 1] if i + 1 < len(text) else " "
        out.append("\u2018" if _opens(text, i) and not after.isspace() else "\u2019")
    return "".join(out)
