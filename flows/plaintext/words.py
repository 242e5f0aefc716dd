"""Word lists and thresholds for reading plain text: front matter, headings, paragraphs.

Calibrated on the seed article (NYT News Service: credit line, title-case headings of 2-4 words,
one paragraph per line), the CoNLL-2003 dev texts (ALL-CAPS headline, blank line, one sentence per
line) and the PolNeAR dev texts (headline, blank line, paragraphs separated by blank lines), plus
our own fixtures for bylines and Markdown. Change a number only with the measurement that moved it.
"""

from __future__ import annotations

import re

# A line is short enough to be a heading: the seed's longest has 4 words, wire-style subheads
# rarely pass 10. Plain text has no markup, so the length of a line is the main evidence; in HTML
# the markup says "heading" and only a much longer text overrules it
# (flows.html.words.HEADING_ELEMENT_MAX_CHARS), hence the different numbers.
HEADING_LINE_MAX_WORDS = 12
HEADING_LINE_MAX_CHARS = 90
# A heading must open something: the next line does not read as a heading itself, or it is more
# than this many times as long as the heading line. Set by judgment.
HEADING_NEXT_LINE_RATIO = 2
# A headline (the first line, set apart by a blank line) may be longer than a subhead.
HEADLINE_MAX_WORDS = 25
HEADLINE_MAX_CHARS = 200
# A headline that ends with a period still reads as one when it is in Title Case (PolNeAR's
# "Poll: Wealthy Voters Abandon Republican Party for Hillary Clinton."): this share of its
# words, minor words (flows.words.MINOR_WORDS) aside, start with a capital, and it has at least
# this many such words.
TITLE_CASE_SHARE = 0.8
TITLE_CASE_MIN_WORDS = 3
# A line whose letters are at least this share upper case reads as ALL CAPS ("WHAT'S NEXT").
ALL_CAPS_SHARE = 0.8
ALL_CAPS_MIN_LETTERS = 3
# Front matter is searched only in the first few non-empty lines.
FRONT_MATTER_MAX_LINES = 4
# A block of at least WRAP_MIN_LINES lines is hard-wrapped prose (join its lines) when this share
# of its non-final lines is at least WRAP_MIN_CHARS long and does not end a sentence. A heading
# line right above such a block stays a line of its own.
WRAP_MIN_LINES = 2
WRAP_LINE_SHARE = 0.6
WRAP_MIN_CHARS = 50

# Sentence-final punctuation: a line ending with one of these is prose, not a heading.
# The question mark is deliberately absent ("What's Next?" is a heading); closing quote marks and
# brackets are looked through first.
TERMINAL_PUNCTUATION = frozenset(".!,;:…")
FULL_STOPS = frozenset(".!?…")  # what ends a sentence, for telling hard wraps from paragraphs
TRAILING_CLOSERS = "\"'”’»)]"
QUOTE_OPENERS = frozenset("\"'“‘«„”’")

# Wire services and syndicates that appear as a credit line of their own.
WIRE_SERVICES = frozenset(
    {
        "associated press",
        "the associated press",
        "ap",
        "reuters",
        "thomson reuters",
        "agence france-presse",
        "agence france presse",
        "afp",
        "bloomberg",
        "bloomberg news",
        "united press international",
        "upi",
        "dow jones newswires",
        "press association",
        "pa media",
        "efe",
        "xinhua",
        "kyodo news",
        "dpa",
        "ansa",
        "tass",
        "interfax",
        "canadian press",
        "the canadian press",
    }
)
# Credit lines of the form "The New York Times News Service", "McClatchy Washington Bureau".
CREDIT_SUFFIXES = re.compile(
    r"\b(news service|news services|wire service|newswires?|syndicate|news agency|bureau)$",
    re.IGNORECASE,
)
# "By Jane Doe", "BY JANE DOE AND JOHN ROE", "By Jane Doe, Associated Press", "Written by ..."
BYLINE = re.compile(r"^(?:written\s+)?by\s+(?P<names>\S.*)$", re.IGNORECASE)
# Markdown ATX headings: "## Heading ##".
MARKDOWN_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)(?:\s+#+)?\s*$")
# Lines with no letter or digit ("***", "---") are typographic separators, not text.
HAS_WORD = re.compile(r"\w")
