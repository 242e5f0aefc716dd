"""flows.analyst.charts: one mark per point, proportional lengths, every label escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from flows.analyst.charts import bar_chart, column_chart

HOSTILE = '<script>alert("x")</script> & co'
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_one_mark_per_point_and_valid_svg(draw: object) -> None:
    assert callable(draw)
    svg = draw("Title", [("a", 4.0), ("b", 2.0), (HOSTILE, 1.0)])
    root = ET.fromstring(svg)  # well-formed: every value escaped
    marks = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "mark"]
    assert len(marks) == 3
    size = "width" if draw is bar_chart else "height"
    lengths = [float(m.get(size, "0")) for m in marks]
    assert lengths[0] == pytest.approx(2 * lengths[1])
    assert lengths[1] == pytest.approx(2 * lengths[2])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{HOSTILE}: 1" in titles


def test_no_points_is_a_sentence_not_an_empty_chart() -> None:
    assert bar_chart("Rejects by reason", []) == (
        '<p class="empty">No rows yet for rejects by reason.</p>'
    )
    assert "<svg" not in column_chart("Runs", [])


def test_long_labels_are_cut_but_kept_whole_in_the_tooltip() -> None:
    label = "An extremely long organization name that goes on and on"
    svg = bar_chart("T", [(label, 1.0)])
    shown = re.search(r'<text class="label"[^>]*>([^<]*)</text>', svg)
    assert shown is not None
    assert shown.group(1).endswith("…")
    assert len(shown.group(1)) < len(label)
    assert f"<title>{label}: 1</title>" in svg
