"""Frozen records that cross stage boundaries; spans are character offsets into documents.text."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

BlockKind = Literal["title", "credit", "byline", "heading", "paragraph"]
# Front-matter kinds: lines the source writes before its body (plain-text headline, wire credit,
# byline). They stay in documents.text so their words can be traced, but they are no section's body.
FRONT_MATTER_KINDS: frozenset[str] = frozenset({"title", "credit", "byline"})


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Bytes as read from a source, before any decoding."""

    uri: str  # the path or URI as the user gave it
    data: bytes
    media_type: str  # "text/plain" or "text/html"
    stat: InputStat | None = None  # the file's size and mtime when it was read, if known


@dataclass(frozen=True, slots=True)
class InputStat:
    """What a directory listing says of an input, before it is read."""

    uri: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class InputSeen:
    """An input whose bytes were read: its stat at that moment and the hash of the bytes."""

    stat: InputStat
    content_hash: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Document-level facts found by a parser; every field may be unknown."""

    title: str | None = None
    byline: str | None = None
    source_name: str | None = None
    published_at: datetime | None = None  # timezone-aware, UTC
    language: str | None = None  # as declared by the source (BCP 47 primary tag), else None
    canonical_url: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class DraftBlock:
    """One unit of reading order as a parser found it, before normalization and offsets."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level 1-6; 0 for anything else


@dataclass(frozen=True, slots=True)
class Draft:
    """A parser's output: blocks in reading order plus metadata."""

    blocks: tuple[DraftBlock, ...]
    meta: Metadata
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A block placed in the normalized document text: text[start:end] is its words."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """Normalized text with its blocks and metadata; what every later stage reads."""

    doc_id: str
    source_uri: str
    media_type: str
    content_hash: str
    text: str
    blocks: tuple[Block, ...]
    meta: Metadata
    encoding: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the blocks under it. [char_start, char_end) includes the heading line;
    body_start is where the body begins (after the heading, or after front matter in section 0)."""

    index: int
    heading: str | None
    char_start: int
    char_end: int
    body_start: int


@dataclass(frozen=True, slots=True)
class Entity:
    """One named-entity mention."""

    section_index: int
    text: str
    label: str
    char_start: int
    char_end: int
    canonical: str
    entity_id: str


@dataclass(frozen=True, slots=True)
class Quote:
    """One contiguous quotation span (without its marks) and who said it."""

    section_index: int
    text: str
    char_start: int
    char_end: int
    kind: str  # "direct", "partial", "title", "headline", "scare", "nested"
    speaker: str | None = None
    speaker_canonical: str | None = None
    speaker_entity_id: str | None = None
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not be ingested, and why."""

    source_uri: str
    reason: str  # a short code, see flows.errors.REJECT_REASONS
    detail: str
    stage: str
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StorySignature:
    """What story grouping knows of a document's body (flows.stories): the MinHash of its word
    shingles, how many distinct shingles it has, and a hash of all its folded words."""

    minhash: tuple[int, ...]
    shingles: int
    exact: str


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything the pipeline derives from one document."""

    document: ParsedDocument
    sections: tuple[Section, ...]
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    signature: StorySignature | None = None  # None when story grouping did not run


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one batch gave: documents, rejects, and how many inputs were already ingested."""

    documents: tuple[DocumentResult, ...]
    rejects: tuple[Reject, ...]
    skipped: int = 0  # inputs whose doc_id the warehouse already holds
    seen: tuple[InputSeen, ...] = ()  # every input whose bytes were read and hashed
    # Wall seconds per stage (hash, parse, load_model, entities, quotes): for the run's report.
    seconds: Mapping[str, float] = dataclasses.field(default_factory=dict)

    def with_rejects(self, rejects: Sequence[Reject]) -> BatchResult:
        return dataclasses.replace(self, rejects=(*rejects, *self.rejects))


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a run says of itself; the commit adds when it ended and what it added."""

    run_id: str
    started_at: datetime  # timezone-aware UTC
    parameters: str  # the run's settings as JSON
    inputs_seen: int
    inputs_skipped: int
    pipeline_version: str
    flow_run_id: str | None = None
