"""flows.entities.resolution: ids, canonical names, labels and sections from placed model spans.

No model here: the spans are placed by hand, as the NER would label them, so each rule of the
resolution is seen on its own.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.entities.clusters import Mention
from flows.entities.extract import run_units
from flows.entities.resolution import (
    RawMention,
    _share_list_cues,
    make_entity_id,
    resolve_entities,
)
from flows.sections import split_sections
from tests.entities.helpers import (
    DOCUMENTS,
    LABELS,
    build,
    by_text,
    check_spans,
    document,
    paragraphs,
    resolve,
)

# ----------------------------------------------------------------------------- entity ids ---


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("PERSON", "Anna Berg"), ("PERSON", "ANNA  BERG"), True),  # case and spaces fold
        (("PERSON", "O’Neill"), ("PERSON", "O'Neill"), True),  # so do apostrophes
        (("GPE", "Black Sea"), ("LOC", "Black Sea"), True),  # one place class
        (("ORG", "Kestrel"), ("ORG", "Kestrel Institute"), False),
        (("PERSON", "Jordan"), ("GPE", "Jordan"), False),  # the class is part of the key
        (("PERSON", "Anna Berg"), ("PERSON", "Otto Berg"), False),
    ],
)
def test_entity_ids_are_keyed_on_label_class_and_folded_name(
    first: tuple[str, str], second: tuple[str, str], same: bool
) -> None:
    assert (make_entity_id(*first) == make_entity_id(*second)) is same


def test_entity_ids_are_stable_across_runs_and_versions() -> None:
    """Pinned values: a changed id scheme would split every entity already in a warehouse."""
    assert make_entity_id("PERSON", "Anna Berg") == "50336d6eded4243b"
    assert make_entity_id("ORG", "Kestrel") == "a0816076c17657ca"
    assert re.fullmatch(r"[0-9a-f]{16}", make_entity_id("NORP", "Norlanders"))


# -------------------------------------------------------------------------- resolution ---


def test_short_forms_take_the_fullest_name_and_titles_are_stripped() -> None:
    doc = paragraphs(
        "President Anna Berg met Tomasz K. Wrona on Monday.",
        "Berg said the talks went well. Wrona disagreed, and Berg left.",
    )
    entities = resolve(
        doc,
        ("President Anna Berg", "PERSON", 0),
        ("Tomasz K. Wrona", "PERSON", 0),
        ("Monday", "DATE", 0),
        ("Berg", "GPE", 1),  # the small model's inconsistent label for a short form
        ("Wrona", "ORG", 1),
        ("Berg", "PERSON", 2),
    )
    found = by_text(entities)
    assert [e.canonical for e in found["Anna Berg"]] == ["Anna Berg"]
    assert {e.canonical for e in found["Berg"]} == {"Anna Berg"}
    assert {e.canonical for e in found["Wrona"]} == {"Tomasz K. Wrona"}
    people = [e for e in entities if e.label == "PERSON"]
    assert len(people) == 5
    assert len({e.entity_id for e in people}) == 2
    assert found["Monday"][0].label == "DATE"  # non-name types keep their label


def test_context_cues_fix_the_cluster_label() -> None:
    doc = paragraphs(
        "“It will not hold,” said Lena Marsh, a military analyst with the Kestrel Institute.",
        "Ships docked in Norhaven, Eastport and Saltby after the storm.",
    )
    entities = resolve(
        doc,
        ("Lena Marsh", "ORG", 0),
        ("Kestrel Institute", "ORG", 0),
        ("Norhaven", "GPE", 0),
        ("Eastport", "PERSON", 0),
        ("Saltby", "PERSON", 0),
    )
    labels = {e.text: e.label for e in entities}
    assert labels["Lena Marsh"] == "PERSON"
    assert labels["Kestrel Institute"] == "ORG"
    assert labels["Eastport"] == labels["Saltby"] == "GPE"


def test_cues_add_names_the_model_missed() -> None:
    doc = paragraphs(
        "Kestrelnet, the state news agency, said the port reopened.",
        "Officials in Norhaven's and Saltby's councils agreed.",
    )
    entities = resolve(doc, ("Norhaven", "GPE", 0))
    labels = {e.text: e.label for e in entities}
    assert labels == {"Kestrelnet": "ORG", "Norhaven": "GPE", "Saltby": "GPE"}


def test_unlabelled_repeats_of_a_name_are_labelled() -> None:
    doc = paragraphs(
        "Ivan Zorin won the final in Eastport.",
        "Zorin, the second seed, beat the champion. Fans cheered for Zorin.",
    )
    entities = resolve(doc, ("Ivan Zorin", "PERSON", 0), ("Eastport", "GPE", 0))
    zorin = [e for e in entities if e.canonical == "Ivan Zorin"]
    assert [e.text for e in zorin] == ["Ivan Zorin", "Zorin", "Zorin"]
    assert {e.label for e in zorin} == {"PERSON"}


def test_acronym_spelled_out_in_the_document_joins_the_name() -> None:
    doc = paragraphs("The Harbor Safety Board, or HSB, met. The HSB said little.")
    entities = resolve(
        doc,
        ("Harbor Safety Board", "ORG", 0),
        ("HSB", "ORG", 0),
        ("HSB", "ORG", 1),
    )
    assert [e.text for e in entities] == ["Harbor Safety Board", "HSB", "HSB"]
    assert {e.canonical for e in entities} == {"Harbor Safety Board"}
    assert len({e.entity_id for e in entities}) == 1


def test_shared_surname_goes_to_the_nearest_full_name_before_it() -> None:
    doc = paragraphs(
        "Anna Berg spoke first. Berg was brief.",
        "Then Otto Berg spoke. Berg was long.",
    )
    entities = resolve(
        doc,
        ("Anna Berg", "PERSON", 0),
        ("Berg", "PERSON", 1),
        ("Otto Berg", "PERSON", 0),
        ("Berg", "PERSON", 3),
    )
    assert [e.canonical for e in entities] == ["Anna Berg", "Anna Berg", "Otto Berg", "Otto Berg"]


def test_entities_in_headings_and_credit_lines_belong_to_their_section() -> None:
    doc = document(
        ("credit", "The Portville Courier"),
        ("paragraph", "Anna Berg arrived."),
        ("heading", "Berg in Eastport"),
        ("paragraph", "She stayed."),
    )
    entities = resolve(
        doc,
        ("Portville Courier", "ORG", 0),
        ("Anna Berg", "PERSON", 0),
        ("Berg", "PERSON", 1),
        ("Eastport", "GPE", 0),
    )
    sections = {e.text: e.section_index for e in entities}
    assert sections == {"Portville Courier": 0, "Anna Berg": 0, "Berg": 1, "Eastport": 1}
    assert next(e for e in entities if e.text == "Berg").canonical == "Anna Berg"


# ------------------------------------------------------------------------------ properties ---


@settings(max_examples=200, deadline=None)
@given(blocks=DOCUMENTS, data=st.data())
def test_property_resolution_of_any_spans(
    blocks: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Any non-overlapping model spans, however odd, resolve to well-formed rows, the same twice."""
    doc = build(blocks)
    units = run_units(doc)
    mentions = []
    for index, (start, end) in enumerate(units):
        cuts = sorted(data.draw(st.sets(st.integers(start, end), max_size=6)))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False):
            if a < b:
                mentions.append(RawMention(index, a, b, data.draw(LABELS)))
    sections = split_sections(doc)
    first = resolve_entities(doc.text, units, sections, mentions)
    check_spans(doc, first)
    assert resolve_entities(doc.text, units, sections, mentions) == first


# --------------------------------------------------------------- indexes and caps ---


def test_a_list_shares_counts_of_its_members_classes() -> None:
    doc = paragraphs("Ports in Odesa, Mykolaiv, Kherson, Lviv and Anna Berg were hit.")
    surfaces = ["Odesa", "Mykolaiv", "Kherson", "Lviv", "Anna Berg"]
    units = run_units(doc)
    found = [
        Mention(
            0,
            doc.text.index(s),
            doc.text.index(s) + len(s),
            "PERSON" if s == "Anna Berg" else "GPE",
            1.0,
            (),
            s.lower(),
        )
        for s in surfaces
    ]
    shared = _share_list_cues(doc.text, found)
    assert len(units) == 1
    assert [m.coordinated for m in shared] == [
        (("person", 1), ("place", 3)),
        (("person", 1), ("place", 3)),
        (("person", 1), ("place", 3)),
        (("person", 1), ("place", 3)),
        (("place", 4),),
    ]
    assert all(("coordinated", "place") not in m.cues for m in shared)
