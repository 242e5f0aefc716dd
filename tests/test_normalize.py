"""normalize: table-driven cases and the idempotence property."""

from __future__ import annotations

import unicodedata

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import normalize as normalize_module
from flows.normalize import normalize_quotation_marks, normalize_text, normalize_whitespace


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the seed's mixed pair: ASCII opener, curly closer
        ('called the talks "technical” and', "called the talks “technical” and"),
        ('"Hi," she said.', "“Hi,” she said."),
        ("He said ''yes'' twice.", "He said “yes” twice."),  # NYT doubled apostrophes
        ("``TeX style''", "“TeX style”"),
        ("it's Russia's", "it’s Russia’s"),
        ("'single' quotes", "‘single’ quotes"),
        ("«guillemets»", "«guillemets»"),  # kept: a real pair already
        ('("bracketed")', "(“bracketed”)"),
    ],
)
def test_quotation_marks(raw: str, expected: str) -> None:
    assert normalize_quotation_marks(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\tc", "a b c"),
        ("a\u00a0b\u2009c", "a b c"),  # NBSP, thin space
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("keep\u200dzwj", "keep\u200dzwj"),  # ZWJ changes meaning in scripts and emoji
        ("line  \r\nnext\rlast", "line\nnext\nlast"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("  padded  \n", "padded"),
        ("para\u2029next\u2028line", "para\n\nnext\nline"),
    ],
)
def test_whitespace(raw: str, expected: str) -> None:
    assert normalize_whitespace(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ã©tÃ© Ã\xa0 Paris", "été à Paris"),  # UTF-8 read as cp1252 (mojibake)
        ("Russiaâ€™s war", "Russia’s war"),
        ("e\u0301", "é"),  # NFC
        ("\ufeffBOM at start", "BOM at start"),
    ],
)
def test_unicode_repair(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\"'`“”‘’«».,")), max_size=80))
def test_normalize_leaves_no_ascii_quote_marks(text: str) -> None:
    out = normalize_text(text)
    assert '"' not in out
    assert "'" not in out
    assert "``" not in out


SKIPS_FTFY = (
    "\t\n" + "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x2010, 0x2028)))
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=SKIPS_FTFY, max_size=200))
def test_text_that_skips_ftfy_is_text_ftfy_leaves_alone(text: str) -> None:
    """normalize skips ftfy for text of these characters only; ftfy must agree it has nothing
    to fix there, or the skip would change rows."""
    assert normalize_module._FTFY_UNCHANGED.fullmatch(text)
    fixed = unicodedata.normalize("NFC", ftfy.fix_text(text, config=normalize_module._FTFY))
    assert fixed == text


def test_mojibake_is_never_skipped() -> None:
    assert not normalize_module._FTFY_UNCHANGED.fullmatch("donâ€™t")
    assert normalize_module.normalize_text("donâ€™t stop") == "don’t stop"
