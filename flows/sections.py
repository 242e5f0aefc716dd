"""Split a parsed document into sections: an untitled lead, then one section per heading."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from flows.records import FRONT_MATTER_KINDS, ParsedDocument, Section


def split_sections(doc: ParsedDocument) -> tuple[Section, ...]:
    """Sections tile doc.text in reading order; each heading opens one and owns its line.

    Section 0 is the untitled lead (null heading): it starts at offset 0 and also holds any
    front matter (headline, credit, byline), so every character belongs to exactly one section.
    When the text opens with a heading there is nothing before it, and no lead section.
    """
    starts: list[tuple[int, str | None, int]] = [(0, None, _lead_body_start(doc))]
    block_starts = [block.start for block in doc.blocks]  # in reading order, ascending
    for block in doc.blocks:
        if block.kind == "heading":
            heading: str | None = doc.text[block.start : block.end]
            body_start = _next_start(doc, block_starts, block.end)
            starts.append((block.start, heading, body_start))
    if len(starts) > 1 and starts[1][0] == 0:
        starts.pop(0)  # the text opens with a heading: no lead at all
    sections = []
    for index, (start, heading, body_start) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(doc.text)
        # A section that ends before the next block begins owns the separator, so spans tile.
        sections.append(Section(index, heading, start, end, min(body_start, end)))
    return tuple(sections)


def _lead_body_start(doc: ParsedDocument) -> int:
    for block in doc.blocks:
        if block.kind not in FRONT_MATTER_KINDS:
            return block.start
    return len(doc.text)


def _next_start(doc: ParsedDocument, block_starts: list[int], offset: int) -> int:
    """Where the first block at or after `offset` starts: a binary search, not a scan from the
    top for every heading."""
    pos = bisect.bisect_left(block_starts, offset)
    return block_starts[pos] if pos < len(block_starts) else len(doc.text)


def section_index_at(
    sections: Sequence[Section], offset: int, starts: Sequence[int] | None = None
) -> int:
    """Index of the section containing character `offset` (sections must tile the text).
    `starts` is section_starts(sections), passed in by callers that look up many offsets."""
    if starts is None:
        starts = section_starts(sections)
    pos = bisect.bisect_right(starts, offset) - 1
    return sections[max(pos, 0)].index


def section_starts(sections: Sequence[Section]) -> list[int]:
    """Where each section starts, for section_index_at."""
    return [s.char_start for s in sections]
