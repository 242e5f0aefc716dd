"""flows.entities.clusters: the label classes entity ids are keyed on."""

from __future__ import annotations

import pytest

from flows.entities.clusters import label_class


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("PERSON", "person"),
        ("ORG", "org"),
        ("GPE", "place"),
        ("LOC", "place"),
        ("FAC", "place"),
        ("NORP", "group"),
        ("DATE", "date"),  # a label without a class of its own stands for itself
    ],
)
def test_label_class(label: str, expected: str) -> None:
    assert label_class(label) == expected
