"""parse_plaintext: front matter, heading styles, paragraph styles."""

from __future__ import annotations

import pytest

from flows.plaintext import parse_plaintext


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in parse_plaintext(text).blocks]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # single newlines between paragraphs, title-case heading, question-mark heading
        (
            "Intro sentence one is here.\nWhat’s on the Agenda\nBody text follows here.\n"
            "What’s Next?\nMore body text here.",
            [
                ("paragraph", "Intro sentence one is here."),
                ("heading", "What’s on the Agenda"),
                ("paragraph", "Body text follows here."),
                ("heading", "What’s Next?"),
                ("paragraph", "More body text here."),
            ],
        ),
        # blank-line paragraphs and an ALL-CAPS heading
        (
            "First paragraph here.\n\nTHE REPAIRS\n\nSecond paragraph here.",
            [
                ("paragraph", "First paragraph here."),
                ("heading", "THE REPAIRS"),
                ("paragraph", "Second paragraph here."),
            ],
        ),
        # Markdown headings keep their level
        (
            "Lead paragraph.\n\n## Music and Boats\n\nBody.\n\n### Detail\n\nMore.",
            [
                ("paragraph", "Lead paragraph."),
                ("heading", "Music and Boats"),
                ("paragraph", "Body."),
                ("heading", "Detail"),
                ("paragraph", "More."),
            ],
        ),
        # a short line ending in a full stop is prose, not a heading
        (
            "He left early.\nShe stayed.\nThey argued.",
            [
                ("paragraph", "He left early."),
                ("paragraph", "She stayed."),
                ("paragraph", "They argued."),
            ],
        ),
        # hard-wrapped prose is joined into one paragraph
        (
            "Lead.\n\nGrain exports from the port of Kestrel rose 18 percent in the\n"
            "third quarter, the statistics office said on Thursday, helped by\n"
            "a new terminal.",
            [
                ("paragraph", "Lead."),
                (
                    "paragraph",
                    "Grain exports from the port of Kestrel rose 18 percent in the third "
                    "quarter, the statistics office said on Thursday, helped by a new terminal.",
                ),
            ],
        ),
        # a heading-like last line opens nothing: it stays a paragraph
        (
            "Body sentence here.\nCopyright Example Media",
            [
                ("paragraph", "Body sentence here."),
                ("paragraph", "Copyright Example Media"),
            ],
        ),
        # separator lines carry no words and are dropped
        ("One.\n\n* * *\n\nTwo.", [("paragraph", "One."), ("paragraph", "Two.")]),
        # a quoted line is speech, never a heading
        (
            "Lead.\n“Stop Right There”\nHe said nothing more.",
            [
                ("paragraph", "Lead."),
                ("paragraph", "“Stop Right There”"),
                ("paragraph", "He said nothing more."),
            ],
        ),
    ],
)
def test_blocks(text: str, expected: list[tuple[str, str]]) -> None:
    assert _kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "title", "byline", "source_name"),
    [
        (
            "The New York Times News Service\nBody text of the story.",
            None,
            None,
            "The New York Times News Service",
        ),
        ("Associated Press\nBody text of the story.", None, None, "Associated Press"),
        ("(Reuters)\nBody text of the story.", None, None, "(Reuters)"),
        ("By Jane Doe\nBody text of the story.", None, "Jane Doe", None),
        (
            "Harbor Bridge Reopens\n\nBy Maria Alvarez and Tom Becker, Associated Press\n\nBody.",
            "Harbor Bridge Reopens",
            "Maria Alvarez and Tom Becker",
            "Associated Press",
        ),
        (
            "# River Festival Draws Crowds\n\nBy Sam Lee\n\nBody.",
            "River Festival Draws Crowds",
            "Sam Lee",
            None,
        ),
        (
            "Reuters\nGrain exports climb as terminal opens\n\nBody text.",
            "Grain exports climb as terminal opens",
            None,
            "Reuters",
        ),
        (
            "SOCCER - JAPAN GET LUCKY WIN .\n\nLONDON 1996-08-30\nBody text .",
            "SOCCER - JAPAN GET LUCKY WIN .",
            None,
            None,
        ),
        (
            "Poll: Wealthy Voters Abandon Party for Clinton.\n\nA poll shows it.",
            "Poll: Wealthy Voters Abandon Party for Clinton.",
            None,
            None,
        ),
        # a long first sentence followed by a blank line is the lead, not a headline
        (
            "Ukrainian and US officials on Tuesday held a second session of negotiations in Saudi "
            "Arabia to discuss a possible limited ceasefire, a day after talks.\n\nMore.",
            None,
            None,
            None,
        ),
    ],
)
def test_front_matter(
    text: str, title: str | None, byline: str | None, source_name: str | None
) -> None:
    meta = parse_plaintext(text).meta
    assert (meta.title, meta.byline, meta.source_name) == (title, byline, source_name)


def test_front_matter_is_not_body() -> None:
    blocks = parse_plaintext("The New York Times News Service\nBody.\nHeading Here\nMore.").blocks
    assert [b.kind for b in blocks] == ["credit", "paragraph", "heading", "paragraph"]
