"""flows.entities.lookups: the span, neighbour and name indexes resolution looks things up in."""

from __future__ import annotations

from flows.entities import words
from flows.entities.clusters import Mention
from flows.entities.lookups import KeysByFirstWord, Neighbours, Occupancy


def test_occupancy_sees_spans_it_starts_with_and_spans_added_in_any_order() -> None:
    taken = Occupancy([(10, 20), (40, 50)])
    taken.add(60, 70)
    taken.add(25, 30)  # out of order: inserted, not appended
    for start, end, expected in [
        (0, 10, False),
        (5, 11, True),
        (20, 25, False),
        (24, 26, True),
        (29, 41, True),
        (50, 60, False),
        (69, 80, True),
        (70, 80, False),
    ]:
        assert taken.overlaps(start, end) is expected, (start, end)


def _label_mention(unit: int, start: int, end: int) -> Mention:
    return Mention(unit, start, end, "GPE", 1.0, (), "")


def test_neighbours_are_the_mentions_within_a_list_gap_on_the_same_unit_in_order() -> None:
    gap = words.LIST_GAP_MAX_CHARS
    mentions = [
        _label_mention(0, 0, 10),  # ends exactly a list gap before the span
        _label_mention(0, 5, 11),  # ends inside the gap
        _label_mention(1, 12, 20),  # another unit
        _label_mention(0, 30 + gap + 1, 50),  # starts past the gap after the span
        _label_mention(0, 30 + gap, 40),  # starts at the end of the gap after it
    ]
    near = Neighbours(mentions).near(0, 10 + gap, 30)
    assert near == [mentions[0], mentions[1], mentions[4]]


def test_propagation_keys_match_longest_first_at_word_ends() -> None:
    keys = KeysByFirstWord(["new york", "new york times", "new", "newark"])
    view = "The New York Times and New Yorkers in New York."
    assert keys["new"].longest_at(view, view.index("New York Times")) == "new york times"
    assert keys["new"].longest_at(view, view.index("New Yorkers")) == "new"  # not "new york"
    assert keys["new"].longest_at(view, view.rindex("New York")) == "new york"
    assert "newark" in keys
    assert "york" not in keys


def test_propagation_tries_only_the_longest_lengths_after_a_word() -> None:
    longest = [f"anna {'x' * n}" for n in range(1, words.PROPAGATE_MAX_LENGTHS + 1)]
    keys = KeysByFirstWord(["anna", *longest])
    assert keys["anna"].longest_at("Anna xx met", 0) == "anna xx"
    assert keys["anna"].longest_at("Anna met", 0) is None  # "anna" is past the cap
