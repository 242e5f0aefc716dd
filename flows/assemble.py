"""Assemble a parser's draft into one normalized text with block offsets and clean metadata."""

from __future__ import annotations

import dataclasses

from flows.normalize import normalize_text
from flows.records import Block, Draft, Metadata, ParsedDocument

BLOCK_SEPARATOR = "\n\n"  # blocks (headings, paragraphs) stand on their own lines, a blank between


def assemble_document(
    draft: Draft, *, doc_id: str, source_uri: str, media_type: str, content_hash: str
) -> ParsedDocument:
    """Normalize every block, join them in reading order and record where each one lies."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for draft_block in draft.blocks:
        text = normalize_text(draft_block.text)
        if draft_block.kind != "paragraph":
            text = " ".join(text.split())  # a heading or front-matter line is one line
        if not text:
            continue
        if parts:
            pos += len(BLOCK_SEPARATOR)
        parts.append(text)
        blocks.append(Block(draft_block.kind, pos, pos + len(text), draft_block.level))
        pos += len(text)
    return ParsedDocument(
        doc_id=doc_id,
        source_uri=source_uri,
        media_type=media_type,
        content_hash=content_hash,
        text=BLOCK_SEPARATOR.join(parts),
        blocks=tuple(blocks),
        meta=_clean_metadata(draft.meta),
        encoding=draft.encoding,
    )


def _clean_line(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(normalize_text(value).split())
    return cleaned or None


def _clean_metadata(meta: Metadata) -> Metadata:
    return dataclasses.replace(
        meta,
        title=_clean_line(meta.title),
        byline=_clean_line(meta.byline),
        source_name=_clean_line(meta.source_name),
        description=_clean_line(meta.description),
        canonical_url=(meta.canonical_url or "").strip() or None,
        language=(meta.language or "").strip().lower() or None,
    )
