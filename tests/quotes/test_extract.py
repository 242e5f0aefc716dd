"""flows.quotes.extract_quotes end to end: attribution patterns, linking, the seed article."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.entities import extract_entities
from flows.pipeline import parse_document
from flows.quotes import extract_quotes, parse_quotes
from flows.records import RawDocument
from flows.sections import split_sections
from tests.conftest import SEED
from tests.quotes.helpers import PipeSpy, check_spans, document, extract, quotes, who

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
    found = quotes(nlp, *paragraphs)
    assert [(q.text, q.kind) for q in found] == [(text, kind) for text, kind, _, _ in expected]
    for quote, (_, _, speaker, cue) in zip(found, expected, strict=True):
        assert speaker in who(quote), quote
        if cue is None:
            assert quote.cue is None, quote
        else:
            assert cue in str(quote.cue), quote


def test_speaker_is_linked_to_the_entities_table(nlp: Any) -> None:
    doc = document(
        "Angela Merkel met the press in Berlin on Monday.",
        "“Both sides still believe they can win,” said Merkel.",
    )
    sections = [split_sections(doc)]
    entities = extract_entities([doc], sections, nlp)
    (quote,) = extract_quotes([doc], sections, entities, nlp)[0]
    (merkel,) = {e.entity_id for e in entities[0] if e.canonical == "Angela Merkel"}
    assert (quote.speaker, quote.speaker_canonical) == ("Merkel", "Angela Merkel")
    assert quote.speaker_entity_id == merkel


def test_parser_runs_only_on_paragraphs_with_quote_marks_or_introducing_one(nlp: Any) -> None:
    spy = PipeSpy(nlp)
    doc = document(
        "No quotes here at all.",
        "“Yes,” she said.",
        "Nor here, nor ’90s.",
        "He said in a statement:",
        "“No.”",
    )
    sections = [split_sections(doc)]
    (found,) = extract_quotes([doc], sections, [()], spy)
    assert spy.texts == ["“Yes,” she said.", "“No.”", "He said in a statement:"]
    assert [q.text for q in found] == ["Yes,", "No."]


# ---------------------------------------------------------------- properties ---

_WORDS = ["we", "said", "Obama", "he", "will", "win", "the", "talks", "called", "told", "Merkel"]
_TOKENS = st.sampled_from([*_WORDS, "“", "”", '"', "‘", "’", "'", "''", "«", "»", ",", ".", ":"])
_PARAGRAPH = st.lists(_TOKENS, min_size=1, max_size=14).map(" ".join)
_BLOCKS = st.lists(
    st.one_of(_PARAGRAPH, _PARAGRAPH.map(lambda p: "## " + p.title())), min_size=1, max_size=5
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BLOCKS)
def test_every_quote_slices_its_text_and_stays_in_its_section(
    nlp: Any, paragraphs: list[str]
) -> None:
    doc = document(*paragraphs)
    sections = split_sections(doc)
    (found,) = extract_quotes([doc], [sections], [()], nlp)
    check_spans(doc, sections, found)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["“", "”", '"', "‘", "’", "'", "«", "»"]), max_size=6), st.data())
def test_stray_marks_never_raise_nor_lose_well_formed_quotes(
    nlp: Any, strays: list[str], data: st.DataObject
) -> None:
    words = "Angela Merkel said that the plan was good and then she left Berlin".split()
    for mark in strays:
        words.insert(data.draw(st.integers(0, len(words))), mark)
    noise = " ".join(words)
    doc = document(f"{noise} “We will win,” Obama said. {noise}", noise)
    sections = split_sections(doc)
    (found,) = extract_quotes([doc], [sections], [()], nlp)
    check_spans(doc, sections, found)
    assert "We will win," in [q.text for q in found]


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
    (found,) = extract(nlp, [doc])
    assert [(q.text, q.kind) for q in found] == [(t, k) for t, k, _ in SEED_QUOTES]
    for quote, (_, _, speaker) in zip(found, SEED_QUOTES, strict=True):
        assert speaker in who(quote), quote
        assert quote.cue is not None
    by_text = {q.text: q for q in found}
    assert by_text["technical"].speaker == "He"
    assert by_text["technical"].speaker_canonical == "Dmitry Peskov"
    assert by_text["likely"].speaker_canonical == "Steven Witkoff"


def test_parses_stream_and_are_dropped_once_a_paragraph_is_attributed(
    nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.quotes import extract as stage

    seen: list[tuple[int, int]] = []  # (windows, paragraphs still holding a parse)
    attribute = stage._attribute_paragraph

    def spy(doc: Any, entities: Any, para: Any, previous: Any, history: Any) -> None:
        holding = sum(1 for p in paragraphs if p.windows)
        seen.append((len(para.windows), holding))
        attribute(doc, entities, para, previous, history)

    from flows.quotes.chains import paragraphs as read_paragraphs

    paragraphs: list[Any] = []

    def keep(doc: Any) -> list[Any]:
        paragraphs.extend(read_paragraphs(doc))
        return paragraphs

    monkeypatch.setattr(stage, "_attribute_paragraph", spy)
    monkeypatch.setattr(stage, "paragraphs", keep)
    texts = [f"“Point {i},” Anna Berg said." for i in range(5)]
    (found,) = extract(nlp, [document(*texts)])
    assert [q.speaker for q in found] == ["Anna Berg"] * 5
    assert seen == [(1, 1)] * 5  # one window each, and only the paragraph at hand holds a parse


def test_parses_made_for_a_batch_give_the_quotes_of_the_stream(nlp: Any) -> None:
    """parse_quotes parses every document's paragraphs with quotes in one nlp.pipe stream and
    holds them (without tensors) as far as max_chars allows; extract_quotes given them finds
    exactly what its own stream finds."""

    seed = parse_document(RawDocument(str(SEED), SEED.read_bytes(), "text/plain"))
    docs = [
        seed,
        document("Angela Merkel spoke in Berlin.", "“Both sides can win,” said Merkel."),
        document("No quotes here.", "He said in a statement:", "“No.”"),
        document("Nothing quoted at all."),
    ]
    sections = [split_sections(doc) for doc in docs]
    entities = extract_entities(docs, sections, nlp)
    streamed = extract_quotes(docs, sections, entities, nlp)
    assert sum(map(len, streamed)) > 10

    spy = PipeSpy(nlp)
    held = parse_quotes(docs, spy, max_chars=1_000_000)
    assert len(spy.calls) == 1  # one stream for the batch
    assert all(found is not None for found in held)
    assert all(window.tensor.size == 0 for found in held if found for _, window in found.parsed)
    ready = [found for found in held if found is not None]
    assert extract_quotes(docs, sections, entities, nlp, parses=ready) == streamed

    # Past max_chars a document is left to stream its own parses, and so is the rest.
    small = parse_quotes(docs, nlp, max_chars=200)
    assert small[0] is None
    assert [found is None for found in small[1:]] == [False, False, False]
    for i, found in enumerate(small):
        args = ([docs[i]], [sections[i]], [entities[i]], nlp)
        again = extract_quotes(*args) if found is None else extract_quotes(*args, parses=[found])
        assert again == [streamed[i]]
