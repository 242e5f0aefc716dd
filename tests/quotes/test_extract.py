"""Quotations with speakers: attribution patterns, kinds, spans, the seed article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.assemble import assemble_document
from flows.entities.extract import extract_entities
from flows.nlp import get_nlp
from flows.pipeline import parse_document
from flows.quotes.extract import extract_quotes
from flows.records import (
    BlockKind,
    Draft,
    DraftBlock,
    Entity,
    Metadata,
    ParsedDocument,
    Quote,
    RawDocument,
    Section,
)
from flows.sections import split_sections

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ba9ff1fc4f54d4f3.txt"


@pytest.fixture(scope="session")
def nlp() -> Any:
    return get_nlp()


def _document(*paragraphs: str, title: str | None = None) -> ParsedDocument:
    blocks: list[DraftBlock] = []
    for text in paragraphs:
        kind: BlockKind = "heading" if text.startswith("## ") else "paragraph"
        blocks.append(DraftBlock(kind, text.removeprefix("## ")))
    if title is not None:
        blocks.insert(0, DraftBlock("title", title))
    return assemble_document(
        Draft(tuple(blocks), Metadata()),
        doc_id="test",
        source_uri="test.txt",
        media_type="text/plain",
        content_hash="0",
    )


def _extract(
    nlp: Any, docs: list[ParsedDocument], *, with_entities: bool = True
) -> list[tuple[Quote, ...]]:
    sections = [split_sections(doc) for doc in docs]
    entities: list[tuple[Entity, ...]] = (
        extract_entities(docs, sections, nlp) if with_entities else [()] * len(docs)
    )
    return extract_quotes(docs, sections, entities, nlp)


def _quotes(nlp: Any, *paragraphs: str, title: str | None = None) -> tuple[Quote, ...]:
    return _extract(nlp, [_document(*paragraphs, title=title)])[0]


def _who(quote: Quote) -> str:
    return f"{quote.speaker} / {quote.speaker_canonical}"


# Each case: paragraphs, then the expected (quoted text, kind, a word of the speaker or of its
# canonical name, a word of the cue) for every quote, in text order.
ATTRIBUTION_CASES: list[tuple[str, list[str], list[tuple[str, str, str, str | None]]]] = [
    (
        "subject after the quote",
        ["“We will win this state,” Barack Obama said on Tuesday."],
        [("We will win this state,", "direct", "Obama", "said")],
    ),
    (
        "subject before the quote",
        ["Barack Obama said on Tuesday, “We will win this state.”"],
        [("We will win this state.", "direct", "Obama", "said")],
    ),
    (
        "inverted: said X, a ...",
        ["“The talks were useful,” said Angela Merkel, the German chancellor."],
        [("The talks were useful,", "direct", "Merkel", "said")],
    ),
    (
        "colon: X said:",
        ["Angela Merkel said: “The talks were useful.”"],
        [("The talks were useful.", "direct", "Merkel", "said")],
    ),
    (
        "according to X",
        ["The talks were “very productive,” according to the White House."],
        [("very productive,", "partial", "House", "according to")],
    ),
    (
        "partial quote inside the writer's sentence",
        ["Vladimir Putin called the talks “technical” and left Moscow."],
        [("technical", "partial", "Putin", "called")],
    ),
    (
        "describe X as",
        ["Angela Merkel described the plan as “reckless” in a speech."],
        [("reckless", "partial", "Merkel", "described")],
    ),
    (
        "tell",
        ["“We are ready,” Angela Merkel told reporters in Berlin."],
        [("We are ready,", "direct", "Merkel", "told")],
    ),
    (
        "write",
        ["Barack Obama wrote in an email that the deal was “a historic step.”"],
        [("a historic step.", "partial", "Obama", "wrote")],
    ),
    (
        "tweet",
        ["Donald Trump tweeted that the report was “fake news.”"],
        [("fake news.", "partial", "Trump", "tweeted")],
    ),
    (
        "argue, insist, warn",
        [
            "Angela Merkel argued that the rules were “too strict.”",
            "Barack Obama insisted the plan was “fully funded.”",
            "Vladimir Putin warned of “grave consequences” for Europe.",
        ],
        [
            ("too strict.", "partial", "Merkel", "argued"),
            ("fully funded.", "partial", "Obama", "insisted"),
            ("grave consequences", "partial", "Putin", "warned"),
        ],
    ),
    (
        "note, explain, respond, ask, claim",
        [
            "Angela Merkel noted that growth was “modest but real.”",
            "“It takes time,” Barack Obama explained.",
            "“That is false,” Vladimir Putin responded.",
            "“Who pays for it?” Angela Merkel asked.",
            "Donald Trump claimed the vote was “rigged from the start.”",
        ],
        [
            ("modest but real.", "partial", "Merkel", "noted"),
            ("It takes time,", "direct", "Obama", "explained"),
            ("That is false,", "direct", "Putin", "responded"),
            ("Who pays for it?", "direct", "Merkel", "asked"),
            ("rigged from the start.", "partial", "Trump", "claimed"),
        ],
    ),
    (
        "organisations speak",
        ["The Kremlin says it wants to “eliminate the root causes” of the war."],
        [("eliminate the root causes", "partial", "Kremlin", "says")],
    ),
    (
        "pronoun resolved to the person named before it",
        ["Dmitry Peskov spoke to reporters on Tuesday. He called the talks “technical.”"],
        [("technical.", "partial", "Peskov", "called")],
    ),
    (
        "pronoun resolved to the previous speaker, across paragraphs",
        [
            "“The war will go on,” said Dmitry Kuznets, a military analyst.",
            "He added, “Both sides are still far apart.”",
        ],
        [
            ("The war will go on,", "direct", "Kuznets", "said"),
            ("Both sides are still far apart.", "direct", "Kuznets", "added"),
        ],
    ),
    (
        "relative clause: X, who said ...",
        ["Angela Merkel, who called the deal “a good start,” left Berlin on Monday."],
        [("a good start,", "partial", "Merkel", "called")],
    ),
    (
        "one statement in two fragments shares its speaker",
        ["“We will win,” Barack Obama said. “And we will win big.”"],
        [
            ("We will win,", "direct", "Obama", "said"),
            ("And we will win big.", "direct", "Obama", "said"),
        ],
    ),
    (
        "a short sentence after the statement names the speaker",
        ["“Why are we not ahead?” Barack Obama asked. “Nobody knows.”"],
        [
            ("Why are we not ahead?", "direct", "Obama", "asked"),
            ("Nobody knows.", "direct", "Obama", "asked"),
        ],
    ),
    (
        "a statement paragraph goes on with the speaker just quoted",
        [
            "“We will not stop,” Angela Merkel said in Berlin.",
            "“Europe needs this deal more than ever.”",
        ],
        [
            ("We will not stop,", "direct", "Merkel", "said"),
            ("Europe needs this deal more than ever.", "direct", "Merkel", "said"),
        ],
    ),
    (
        "an introducing paragraph ending in a colon",
        ["Angela Merkel said in a statement:", "“Europe needs this deal more than ever.”"],
        [("Europe needs this deal more than ever.", "direct", "Merkel", "said")],
    ),
    (
        "a dash and a name after a letter",
        ["“Nobody asked us what we want.” ― Maria Lopez"],
        [("Nobody asked us what we want.", "direct", "Lopez", None)],
    ),
]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [case[1:] for case in ATTRIBUTION_CASES],
    ids=[case[0] for case in ATTRIBUTION_CASES],
)
def test_attribution_patterns(
    nlp: Any, paragraphs: list[str], expected: list[tuple[str, str, str, str | None]]
) -> None:
    quotes = _quotes(nlp, *paragraphs)
    assert [(q.text, q.kind) for q in quotes] == [(text, kind) for text, kind, _, _ in expected]
    for quote, (_, _, speaker, cue) in zip(quotes, expected, strict=True):
        assert speaker in _who(quote), quote
        assert cue == quote.cue if cue is None else cue in str(quote.cue), quote


def test_speaker_is_linked_to_the_entities_table(nlp: Any) -> None:
    doc = _document(
        "Angela Merkel met the press in Berlin on Monday.",
        "“Both sides still believe they can win,” said Merkel.",
    )
    sections = [split_sections(doc)]
    entities = extract_entities([doc], sections, nlp)
    (quote,) = extract_quotes([doc], sections, entities, nlp)[0]
    (merkel,) = {e.entity_id for e in entities[0] if e.canonical == "Angela Merkel"}
    assert (quote.speaker, quote.speaker_canonical) == ("Merkel", "Angela Merkel")
    assert quote.speaker_entity_id == merkel


@pytest.mark.parametrize(
    ("paragraphs", "title", "expected"),
    [
        (["The so-called “experts” were wrong again."], None, [("experts", "scare")]),
        (
            ["She read the book “Gone With the Wind” twice."],
            None,
            [("Gone With the Wind", "title")],
        ),
        (["He told MSNBC’s “Morning Joe” that he would run."], None, [("Morning Joe", "title")]),
        (["Rep. Robert C. “Bobby” Scott won again."], None, [("Bobby", "title")]),
        (["The vote is on Tuesday."], "Obama Says Vote Is ‘Rigged’", [("Rigged", "headline")]),
        (
            ["“He told me, ‘Go home,’ and then he left,” Angela Merkel said."],
            None,
            [("He told me, ‘Go home,’ and then he left,", "direct"), ("Go home,", "nested")],
        ),
    ],
    ids=["scare quote", "book title", "show title", "nickname", "headline", "nested"],
)
def test_kinds_that_analysts_filter(
    nlp: Any, paragraphs: list[str], title: str | None, expected: list[tuple[str, str]]
) -> None:
    quotes = _quotes(nlp, *paragraphs, title=title)
    assert [(q.text, q.kind) for q in quotes] == expected
    assert all(q.speaker is None for q in quotes if q.kind in ("scare", "title", "nested"))


def test_quote_over_several_paragraphs_gives_one_row_per_paragraph(nlp: Any) -> None:
    quotes = _quotes(
        nlp,
        "“We will keep fighting,” Angela Merkel said. “We will never give up on this union.",
        "“Not now, not ever.”",
    )
    assert [q.text for q in quotes] == [
        "We will keep fighting,",
        "We will never give up on this union.",
        "Not now, not ever.",
    ]
    assert all("Merkel" in _who(q) for q in quotes)
    assert [q.kind for q in quotes] == ["direct", "direct", "direct"]


def test_a_chain_of_open_quotes_that_never_closes_is_dropped(nlp: Any) -> None:
    quotes = _quotes(
        nlp,
        "Partial transcript as follows:",
        "“HOST: Welcome back to the show.",
        "“GUEST: Thank you for having me.",
    )
    assert quotes == ()


def test_a_lone_stray_opening_mark_is_no_quote(nlp: Any) -> None:
    assert _quotes(nlp, "“Kevin was snoring in the back row.") == ()


def test_parser_runs_only_on_paragraphs_with_quote_marks_or_introducing_one(nlp: Any) -> None:
    class Spy:
        def __init__(self) -> None:
            self.texts: list[str] = []
            self.pipe_names = nlp.pipe_names

        def pipe(self, texts: Any, **kwargs: Any) -> Any:
            self.texts = list(texts)
            assert "ner" in kwargs["disable"]
            return nlp.pipe(self.texts, **kwargs)

    spy = Spy()
    doc = _document(
        "No quotes here at all.",
        "“Yes,” she said.",
        "Nor here, nor ’90s.",
        "He said in a statement:",
        "“No.”",
    )
    sections = [split_sections(doc)]
    (quotes,) = extract_quotes([doc], sections, [()], spy)
    assert spy.texts == ["“Yes,” she said.", "“No.”", "He said in a statement:"]
    assert [q.text for q in quotes] == ["Yes,", "No."]


# ---------------------------------------------------------------- properties ---

_WORDS = ["we", "said", "Obama", "he", "will", "win", "the", "talks", "called", "told", "Merkel"]
_TOKENS = st.sampled_from([*_WORDS, "“", "”", '"', "‘", "’", "'", "''", "«", "»", ",", ".", ":"])
_PARAGRAPH = st.lists(_TOKENS, min_size=1, max_size=14).map(" ".join)
_BLOCKS = st.lists(
    st.one_of(_PARAGRAPH, _PARAGRAPH.map(lambda p: "## " + p.title())), min_size=1, max_size=5
)


def _check_spans(
    doc: ParsedDocument, sections: tuple[Section, ...], quotes: tuple[Quote, ...]
) -> None:
    bounds = [(b.start, b.end) for b in doc.blocks]
    for quote in quotes:
        assert doc.text[quote.char_start : quote.char_end] == quote.text
        section = sections[quote.section_index]
        assert section.char_start <= quote.char_start < quote.char_end <= section.char_end
        assert any(lo <= quote.char_start and quote.char_end <= hi for lo, hi in bounds)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BLOCKS)
def test_every_quote_slices_its_text_and_stays_in_its_section(
    nlp: Any, paragraphs: list[str]
) -> None:
    doc = _document(*paragraphs)
    sections = split_sections(doc)
    (quotes,) = extract_quotes([doc], [sections], [()], nlp)
    _check_spans(doc, sections, quotes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["“", "”", '"', "‘", "’", "'", "«", "»"]), max_size=6), st.data())
def test_stray_marks_never_raise_nor_lose_well_formed_quotes(
    nlp: Any, strays: list[str], data: st.DataObject
) -> None:
    words = "Angela Merkel said that the plan was good and then she left Berlin".split()
    for mark in strays:
        words.insert(data.draw(st.integers(0, len(words))), mark)
    noise = " ".join(words)
    doc = _document(f"{noise} “We will win,” Obama said. {noise}", noise)
    sections = split_sections(doc)
    (quotes,) = extract_quotes([doc], [sections], [()], nlp)
    _check_spans(doc, sections, quotes)
    assert "We will win," in [q.text for q in quotes]


# ---------------------------------------------------------------------- seed ---

SEED_QUOTES = [  # (quoted words, kind, last word of the speaker); must find all, nothing else
    ("technical", "partial", "Peskov"),
    ("creative,", "partial", "Karasin"),
    ("very problematic person", "partial", "Budanov"),
    ("has done a lot of evil.", "partial", "Budanov"),
    (
        "the key condition for preventing an escalation of the conflict and making progress "
        "toward its resolution through political and diplomatic means,",
        "partial",
        "Putin",
    ),
    (
        "There is a view within the country of Russia that these are Russian territories,",
        "direct",
        "Witkoff",
    ),
    ("eliminate the root causes of the crisis", "partial", "Kremlin"),
    ("I do not believe in a ceasefire. We’ve been through this before,", "direct", "Yeliseyev"),
    ("likely", "partial", "Witkoff"),
    (
        "Both sides still believe that they can continue the war regardless of the American "
        "position,",
        "direct",
        "Kuznets",
    ),
    (
        "Moscow’s and Kyiv’s visions of what an agreement could look like are still infinitely "
        "far from each other.",
        "direct",
        "Kuznets",
    ),
]


def test_seed_article_quotes_and_speakers(nlp: Any) -> None:
    doc = parse_document(RawDocument(str(SEED), SEED.read_bytes(), "text/plain"))
    (quotes,) = _extract(nlp, [doc])
    assert [(q.text, q.kind) for q in quotes] == [(t, k) for t, k, _ in SEED_QUOTES]
    for quote, (_, _, speaker) in zip(quotes, SEED_QUOTES, strict=True):
        assert speaker in _who(quote), quote
        assert quote.cue is not None
    by_text = {q.text: q for q in quotes}
    assert by_text["technical"].speaker == "He"
    assert by_text["technical"].speaker_canonical == "Dmitry Peskov"
    assert by_text["likely"].speaker_canonical == "Steven Witkoff"
