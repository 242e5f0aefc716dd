"""flows.quotes.speakers: attributions linked to the entities table, pronouns resolved, dashes.

Documents, entities and attributions are built by hand, so each rule is seen on its own; only the
pronoun rule that reads the parse runs the session's spaCy pipeline.
"""

from __future__ import annotations

from typing import Any

import pytest

from flows.quotes.attribution import Attribution
from flows.quotes.entity_index import EntityIndex
from flows.quotes.marks import find_marked_spans
from flows.quotes.speakers import Speaker, dash_speaker, resolve_speaker
from flows.records import Entity, ParsedDocument
from tests.quotes.helpers import document

# (surface, canonical, entity id, cue) of a speaker
Who = tuple[str, str | None, str | None, str | None]
# (surface, label, occurrence) of a hand-placed entity
Mark = tuple[str, str, int]


def _entities(doc: ParsedDocument, marks: list[Mark]) -> EntityIndex:
    """Entities at the n-th occurrence of each surface; canonical is the surface, id names it."""
    out = []
    for surface, label, occurrence in marks:
        start = -1
        for _ in range(occurrence + 1):
            start = doc.text.index(surface, start + 1)
        out.append(Entity(0, surface, label, start, start + len(surface), surface, f"id:{surface}"))
    return EntityIndex(sorted(out, key=lambda e: e.char_start))


def _attribution(
    doc: ParsedDocument, block: int, speaker: str, head: str, *, alias: str | None, cue: str | None
) -> Attribution:
    """An attribution as the parse gives it: offsets relative to the paragraph."""
    text = doc.text[doc.blocks[block].start : doc.blocks[block].end]
    start = text.index(speaker)
    at = text.index(head, start)
    aka = None if alias is None else (text.index(alias), text.index(alias) + len(alias))
    return Attribution((start, start + len(speaker)), (at, at + len(head)), aka, cue)


def _who(speaker: Speaker) -> Who:
    return (speaker.surface, speaker.canonical, speaker.entity_id, speaker.cue)


def _resolve(
    doc: ParsedDocument,
    marks: list[Mark],
    mention: tuple[str, str, str | None],
    *,
    parsed: Any = None,
    history: dict[int, list[Speaker]] | None = None,
) -> Speaker:
    """Resolve the mention (speaker, head, alias) found with the cue "said" in the last block."""
    block = len(doc.blocks) - 1
    found = resolve_speaker(
        doc,
        _entities(doc, marks),
        block_index=block,
        parsed=parsed,
        attr=_attribution(doc, block, mention[0], mention[1], alias=mention[2], cue="said"),
        history=history or {},
    )
    head = mention[1]
    assert doc.text[found.offset : found.offset + len(head)] == head  # offsets into the document
    return found


# Each case: paragraphs, entities, the mention (speaker, head, alias) in the last paragraph, and
# the speaker it resolves to.
CASES: list[tuple[str, list[str], list[Mark], tuple[str, str, str | None], Who]] = [
    (
        "linked by the head word",
        ["“Yes,” said Angela Merkel."],
        [("Angela Merkel", "PERSON", 0)],
        ("Angela Merkel", "Merkel", None),
        ("Angela Merkel", "Angela Merkel", "id:Angela Merkel", "said"),
    ),
    (
        "linked by the apposition",
        ["“It is over,” the spokesman, John Doe, said."],
        [("John Doe", "PERSON", 0)],
        ("the spokesman", "spokesman", "John Doe"),
        ("the spokesman", "John Doe", "id:John Doe", "said"),
    ),
    (
        "organisations are linked too",
        ["“We are ready,” the Kremlin said."],
        [("Kremlin", "ORG", 0)],
        ("the Kremlin", "Kremlin", None),
        ("the Kremlin", "Kremlin", "id:Kremlin", "said"),
    ),
    (
        "a date is no speaker to link",
        ["“It is done,” Friday said."],
        [("Friday", "DATE", 0)],
        ("Friday", "Friday", None),
        ("Friday", None, None, "said"),
    ),
    (
        "a common noun is not linked to a person named elsewhere",
        ["Anna Berg arrived.", "“No,” the minister said."],
        [("Anna Berg", "PERSON", 0)],
        ("the minister", "minister", None),
        ("the minister", None, None, "said"),
    ),
    (
        "a surname the NER missed, named in full earlier",
        ["Grigory B. Karasin led the delegation.", "“It was creative,” Karasin said."],
        [("Grigory B. Karasin", "PERSON", 0)],
        ("Karasin", "Karasin", None),
        ("Karasin", "Grigory B. Karasin", "id:Grigory B. Karasin", "said"),
    ),
    (
        "a shared surname goes to the latest full name before it",
        ["Anna Berg spoke first.", "Then Otto Berg spoke.", "“No,” Berg said."],
        [("Anna Berg", "PERSON", 0), ("Otto Berg", "PERSON", 0)],
        ("Berg", "Berg", None),
        ("Berg", "Otto Berg", "id:Otto Berg", "said"),
    ),
    (
        "a surname named in full only later",
        ["Officials met.", "“No,” Berg said. Anna Berg then left."],
        [("Anna Berg", "PERSON", 0)],
        ("Berg", "Berg", None),
        ("Berg", "Anna Berg", "id:Anna Berg", "said"),
    ),
    (
        "a pronoun: the latest person named before it in its paragraph",
        ["Angela Merkel met Barack Obama. “No,” he said."],
        [("Angela Merkel", "PERSON", 0), ("Barack Obama", "PERSON", 0)],
        ("he", "he", None),
        ("he", "Barack Obama", "id:Barack Obama", "said"),
    ),
    (
        "a pronoun: the person opening a sentence of the paragraph before",
        ["Vladimir Putin met Donald Trump on Monday.", "“No,” he said."],
        [("Vladimir Putin", "PERSON", 0), ("Donald Trump", "PERSON", 0)],
        ("he", "he", None),
        ("he", "Vladimir Putin", "id:Vladimir Putin", "said"),
    ),
    (
        "a pronoun: else the latest person anywhere before it",
        ["“The war will go on,” said Dmitry Kuznets, an aide to Anna Berg.", "He added, “No.”"],
        [("Dmitry Kuznets", "PERSON", 0), ("Anna Berg", "PERSON", 0)],
        ("He", "He", None),
        ("He", "Anna Berg", "id:Anna Berg", "said"),
    ),
    (
        "“it” is an organisation",
        ["The Kremlin rejected the plan on Monday.", "“It is unacceptable,” it said."],
        [("Kremlin", "ORG", 0)],
        ("it", "it", None),
        ("it", "Kremlin", "id:Kremlin", "said"),
    ),
    (
        "a group pronoun stays unresolved",
        ["Angela Merkel met the ministers.", "“No,” they said."],
        [("Angela Merkel", "PERSON", 0)],
        ("they", "they", None),
        ("they", None, None, "said"),
    ),
    (
        "a pronoun with nobody to refer to",
        ["“No,” he said."],
        [],
        ("he", "he", None),
        ("he", None, None, "said"),
    ),
]


@pytest.mark.parametrize(
    ("paragraphs", "marks", "mention", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_resolve_speaker(
    paragraphs: list[str], marks: list[Mark], mention: tuple[str, str, str | None], expected: Who
) -> None:
    assert _who(_resolve(document(*paragraphs), marks, mention)) == expected


def test_a_pronoun_takes_the_speaker_just_quoted_before_anyone_else() -> None:
    doc = document(
        "“The war will go on,” said Dmitry Kuznets, an aide to Anna Berg.", "He added, “No.”"
    )
    marks: list[Mark] = [("Dmitry Kuznets", "PERSON", 0), ("Anna Berg", "PERSON", 0)]
    kuznets = Speaker(
        "Dmitry Kuznets", "Dmitry Kuznets", "id:Dmitry Kuznets", "said", doc.text.index("Dmitry")
    )
    found = _resolve(doc, marks, ("He", "He", None), history={0: [kuznets]})
    assert _who(found) == ("He", "Dmitry Kuznets", "id:Dmitry Kuznets", "said")


def test_a_pronoun_prefers_the_subject_in_the_parse(nlp: Any) -> None:
    doc = document("Angela Merkel met Barack Obama. “No,” he said.")
    marks: list[Mark] = [("Angela Merkel", "PERSON", 0), ("Barack Obama", "PERSON", 0)]
    parsed = nlp(doc.text, disable=["ner"])
    found = _resolve(doc, marks, ("he", "he", None), parsed=parsed)
    assert _who(found) == ("he", "Angela Merkel", "id:Angela Merkel", "said")


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("“Nobody asked us what we want.” ― Maria Lopez", [], ("Maria Lopez", None, None, None)),
        (
            "“Nobody asked us what we want.” ― Maria Lopez",
            [("Maria Lopez", "PERSON", 0)],
            ("Maria Lopez", "Maria Lopez", "id:Maria Lopez", None),
        ),
        ("“Quote here.” — Jane Doe, a reader in Leeds", [], ("Jane Doe", None, None, None)),
        ("“Quote here.” -- Juan de la Cruz", [], ("Juan de la Cruz", None, None, None)),
        ("“Quote here.” – Jane Doe (Leeds)", [], ("Jane Doe", None, None, None)),
        ("“Quote here.” said Jane Doe", [], None),  # no dash
        ("“Quote here.” — a reader in Leeds", [], None),  # no name
        ("“Quote runs on — Jane Doe", [], None),  # an open quote has no end to follow
    ],
)
def test_dash_speaker(text: str, marks: list[Mark], expected: Who | None) -> None:
    doc = document(text)
    span = find_marked_spans(text)[0]
    found = dash_speaker(doc, _entities(doc, marks), doc.blocks[0], span)
    assert (None if found is None else _who(found)) == expected
    if found is not None:
        assert doc.text[found.offset :].startswith(found.surface)
