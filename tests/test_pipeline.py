"""flows.pipeline: every input ends as rows or a reject; language gating; failure isolation."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest

import flows.entities as entities_module
from flows.pipeline import parse_document, process_batch
from flows.records import BatchResult, Entity, ParsedDocument, RawDocument, Section
from flows.settings import Settings

ENGLISH = (
    b"Officials in the capital said on Tuesday that the new bridge would open next month, "
    b"after two years of repairs that closed the busiest crossing in the city."
)
FRENCH = (
    "Les responsables de la capitale ont déclaré mardi que le nouveau pont ouvrirait le mois "
    "prochain, après deux ans de travaux qui ont fermé le passage le plus fréquenté de la ville."
).encode()


def _doc_id(data: bytes) -> str:
    """The id the pipeline must give these bytes: the first 128 bits of their SHA-256."""
    return hashlib.sha256(data).hexdigest()[:32]


class FakeNlp:
    lang = "en"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def fake_entities(
        docs: list[ParsedDocument], sections: list[tuple[Section, ...]], nlp: Any
    ) -> list[tuple[Entity, ...]]:
        for doc in docs:
            if "BOOM" in doc.text:
                raise RuntimeError("model crashed")
        seen.extend(doc.source_uri for doc in docs)
        return [(Entity(0, doc.text[:3], "ORG", 0, 3, doc.text[:3], "id"),) for doc in docs]

    monkeypatch.setattr(entities_module, "extract_entities", fake_entities)
    return seen


def _run(raws: list[RawDocument], *, held: frozenset[str] = frozenset()) -> BatchResult:
    settings = Settings(extract_quotes=False)
    return process_batch(raws, settings, lambda name: FakeNlp(), known=held.intersection)


def test_documents_in_other_languages_get_no_nlp_rows(calls: list[str]) -> None:
    result = _run(
        [RawDocument("en.txt", ENGLISH, "text/plain"), RawDocument("fr.txt", FRENCH, "text/plain")]
    )
    by_uri = {r.document.source_uri: r for r in result.documents}
    assert by_uri["fr.txt"].document.meta.language == "fr"
    assert by_uri["fr.txt"].entities == ()
    assert by_uri["en.txt"].document.meta.language == "en"
    assert len(by_uri["en.txt"].entities) == 1
    assert calls == ["en.txt"]


def test_a_stage_crash_rejects_only_its_document(calls: list[str]) -> None:
    result = _run(
        [
            RawDocument("ok.txt", ENGLISH, "text/plain"),
            RawDocument("boom.txt", ENGLISH + b" BOOM", "text/plain"),
        ]
    )
    assert [r.document.source_uri for r in result.documents] == ["ok.txt"]
    assert [(r.source_uri, r.reason, r.stage) for r in result.rejects] == [
        ("boom.txt", "internal_error", "nlp")
    ]
    assert "RuntimeError: model crashed" in result.rejects[0].detail


def test_known_documents_are_skipped_before_any_work(calls: list[str]) -> None:
    result = _run(
        [RawDocument("en.txt", ENGLISH, "text/plain"), RawDocument("fr.txt", FRENCH, "text/plain")],
        held=frozenset({_doc_id(ENGLISH)}),
    )
    assert [r.document.source_uri for r in result.documents] == ["fr.txt"]
    assert result.rejects == ()
    assert result.skipped == 1
    assert calls == []


def test_ids_depend_only_on_bytes() -> None:
    first = parse_document(RawDocument("a.txt", ENGLISH, "text/plain"))
    moved = parse_document(RawDocument("elsewhere/b.txt", ENGLISH, "text/plain"))
    edited = parse_document(RawDocument("a.txt", ENGLISH + b" ", "text/plain"))
    assert first.doc_id == _doc_id(ENGLISH)
    assert moved.doc_id == first.doc_id
    assert edited.doc_id == _doc_id(ENGLISH + b" ")
    assert edited.doc_id != first.doc_id
    assert first.content_hash == hashlib.sha256(ENGLISH).hexdigest()


def test_stage_seconds_are_reported_for_the_stages_that_ran(calls: list[str]) -> None:
    result = _run([RawDocument("en.txt", ENGLISH, "text/plain")])
    assert set(result.seconds) == {"hash", "parse", "stories", "load_model", "entities", "quotes"}
    assert all(seconds >= 0 for seconds in result.seconds.values())
    assert calls == ["en.txt"]
    skipped = _run(
        [RawDocument("en.txt", ENGLISH, "text/plain")], held=frozenset({_doc_id(ENGLISH)})
    )
    assert set(skipped.seconds) == {"hash"}  # nothing parsed, no model loaded


@pytest.mark.parametrize(
    ("work", "settings", "detail"),
    [
        (
            "spin",
            Settings(extract_quotes=False, doc_time_budget_seconds=1),
            "over its budget of 1 s",
        ),
        (
            "grow",
            Settings(extract_quotes=False, doc_memory_budget_mb=64),
            "over its budget of 64 MiB of memory",
        ),
    ],
)
def test_a_document_over_its_budget_is_rejected_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch, work: str, settings: Settings, detail: str
) -> None:
    held: list[bytearray] = []

    def costly_entities(
        docs: list[ParsedDocument], sections: list[tuple[Section, ...]], nlp: Any
    ) -> list[tuple[Entity, ...]]:
        if "Budget" in docs[0].text:
            for _ in range(100_000):  # a runaway stage, in Python steps the watchdog can stop
                if work == "spin":
                    time.sleep(0.001)
                else:
                    held.append(bytearray(4 * 1024 * 1024))
        return [()]

    monkeypatch.setattr(entities_module, "extract_entities", costly_entities)
    raws = [
        RawDocument("a.txt", ENGLISH, "text/plain"),
        RawDocument("costly.txt", ENGLISH + b" Budget breaker.", "text/plain"),
        RawDocument("b.txt", ENGLISH + b" Another day.", "text/plain"),
    ]
    result = process_batch(raws, settings, lambda name: FakeNlp())
    held.clear()
    assert [r.document.source_uri for r in result.documents] == ["a.txt", "b.txt"]
    assert [(r.source_uri, r.reason, r.stage) for r in result.rejects] == [
        ("costly.txt", "too_complex", "nlp")
    ]
    assert detail in result.rejects[0].detail


def _seed_raws() -> list[RawDocument]:
    from tests.conftest import ROOT

    return [
        RawDocument(str(path), path.read_bytes(), "text/plain")
        for path in sorted((ROOT / "seeds").glob("*.txt"))
    ]


def test_one_entity_stream_and_one_parse_stream_over_a_batch_give_what_each_gets_alone() -> None:
    """The model finds the entity spans of a whole batch in one stream, and the parser parses
    its paragraphs with quotes in another (both faster); every document's rows must be exactly
    those it gets in a batch of its own, where both stream through its own stage."""
    from flows.nlp import get_nlp

    raws = _seed_raws()
    assert len(raws) > 1
    together = process_batch(raws, Settings(), get_nlp)
    alone = [process_batch([raw], Settings(), get_nlp).documents[0] for raw in raws]
    assert list(together.documents) == alone
    assert sum(len(found.entities) for found in alone) > 100
    assert sum(len(found.quotes) for found in alone) > 10


def test_a_failed_parse_stream_leaves_each_document_to_parse_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flows.quotes as quotes_module
    from flows.nlp import get_nlp

    raws = _seed_raws()
    expected = process_batch(raws, Settings(), get_nlp)
    streams: list[int] = []

    def broken(docs: list[ParsedDocument], nlp: Any, *, max_chars: int) -> list[Any]:
        streams.append(len(docs))
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(quotes_module, "parse_quotes", broken)
    result = process_batch(raws, Settings(), get_nlp)
    assert streams == [len(raws)]
    assert result.documents == expected.documents
    assert result.rejects == ()


def test_a_batch_of_known_documents_never_loads_the_model() -> None:
    loads: list[str] = []

    def provider(name: str) -> FakeNlp:
        loads.append(name)
        return FakeNlp()

    raw = RawDocument("en.txt", ENGLISH, "text/plain")
    result = process_batch([raw], Settings(), provider, known=frozenset)
    assert (result.skipped, result.documents, loads) == (1, (), [])
