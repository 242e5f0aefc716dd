"""flows.quotes.entity_index: every lookup equals a scan of the document's entities."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.quotes.entity_index import LINKED_LABELS, EntityIndex
from flows.records import Entity

_LABELS = ["PERSON", "ORG", "GPE", "DATE", "NORP"]
_NAMES = ["Anna Berg", "Otto Berg", "Berg", "Kremlin", "Monday", "Zorin"]


@st.composite
def _entities(draw: st.DrawFn) -> list[Entity]:
    out = []
    for _ in range(draw(st.integers(0, 25))):
        start = draw(st.integers(0, 200))
        end = start + draw(st.integers(1, 30))
        name = draw(st.sampled_from(_NAMES))
        out.append(Entity(0, name, draw(st.sampled_from(_LABELS)), start, end, name, name))
    return sorted(out, key=lambda e: (e.char_start, e.char_end))


_SPAN = st.tuples(st.integers(0, 240), st.integers(0, 40)).map(lambda p: (p[0], p[0] + p[1]))
_PEOPLE = frozenset({"PERSON"})
_ORGS = frozenset({"ORG", "GPE", "NORP"})


@settings(max_examples=200, deadline=None)
@given(_entities(), _SPAN, _SPAN, st.sampled_from(["Berg", "Zorin", "Kremlin", "Putin"]))
def test_property_lookups_equal_scans(
    entities: list[Entity], first: tuple[int, int], second: tuple[int, int], word: str
) -> None:
    index = EntityIndex(entities)
    linked = next(
        (
            e
            for lo, hi in (first, second)
            for e in entities
            if e.label in LINKED_LABELS and e.char_start < hi and lo < e.char_end
        ),
        None,
    )
    assert index.linked([first, second]) == linked
    lo, hi = first
    assert index.encloses(lo, hi) == any(e.char_start < lo and hi < e.char_end for e in entities)
    named = [e for e in entities if e.label == "PERSON" and e.canonical.split()[-1:] == [word]]
    earlier = [e for e in named if e.char_start < hi]
    assert index.with_surname(word, hi) == ((earlier or named)[-1] if named else None)
    assert index.label_ending_at(hi) == next((e.label for e in entities if e.char_end == hi), None)
    for labels in (_PEOPLE, _ORGS):
        inside = [e for e in entities if e.label in labels and lo <= e.char_start < hi]
        assert index.latest(labels, hi, lo) == (inside[-1] if inside else None)
        assert list(index.backwards(labels, lo, hi)) == inside[::-1]
