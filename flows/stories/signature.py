"""A document's story signature: MinHash of the word shingles of its body, and its band keys."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
from datasketch import MinHash

from flows.records import ParsedDocument, StorySignature
from flows.stories.fold import fold_words
from flows.stories.words import (
    BAND_KEY_BYTES,
    BAND_ROWS,
    BANDS,
    MINHASH_SCHEME,
    MINHASH_SEED,
    NUM_PERM,
    SHINGLE_WORDS,
)

# The body is what a syndicated copy keeps: paragraphs and headings. The headline (restyled by
# each outlet), the credit line and the byline (each outlet's own) are left out.
BODY_KINDS = frozenset({"paragraph", "heading"})
# The band number that holds the exact-copy key (after the LSH bands 0 .. BANDS-1).
EXACT_BAND = BANDS
# datasketch's permutations are drawn once per (NUM_PERM, seed); copying them from one MinHash
# into the next saves recomputing them for every document.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)


def body_text(doc: ParsedDocument) -> str:
    """The words of the document's body blocks, in reading order."""
    return "\n".join(doc.text[b.start : b.end] for b in doc.blocks if b.kind in BODY_KINDS)


def sign_story(doc: ParsedDocument) -> StorySignature:
    """The story signature of a parsed document (pure and deterministic)."""
    return sign_text(body_text(doc))


def sign_text(text: str) -> StorySignature:
    """The story signature of a body text: shingles of SHINGLE_WORDS folded words (a text with
    fewer words is one shingle), their MinHash, and a hash of the whole folded word sequence."""
    words = fold_words(text)
    last = max(len(words) - SHINGLE_WORDS + 1, 1)
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(last)}
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=MINHASH_SEED,
        permutations=_TEMPLATE.permutations,
        scheme=MINHASH_SCHEME,
    )
    minhash.update_batch(sorted(shingles))
    exact = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()
    values = tuple(int(v) for v in minhash.hashvalues)
    return StorySignature(values, len(shingles), exact)


def band_keys(signature: StorySignature, *, banded: bool = True) -> tuple[int, ...]:
    """The index keys of a signature: one per LSH band (when `banded`), then the exact-copy key.
    A key hashes the band's number with its values, so equal values in different bands never
    collide."""
    keys = []
    if banded:
        for band in range(BANDS):
            values = signature.minhash[band * BAND_ROWS : (band + 1) * BAND_ROWS]
            keys.append(_key(struct.pack(f"<I{BAND_ROWS}I", band, *values)))
    keys.append(_key(struct.pack("<I", EXACT_BAND) + bytes.fromhex(signature.exact)))
    return tuple(keys)


def jaccard(a: StorySignature, b: StorySignature) -> float:
    """The MinHash estimate of the Jaccard similarity of two documents' shingle sets."""
    same = np.count_nonzero(np.asarray(a.minhash) == np.asarray(b.minhash))
    return float(same) / len(a.minhash)


def containment(a: StorySignature, b: StorySignature) -> float:
    """The estimated share of the smaller document's shingles found in the larger one:
    |A & B| = J (|A| + |B|) / (1 + J), divided by min(|A|, |B|); at most 1."""
    if a.exact == b.exact:
        return 1.0
    similarity = jaccard(a, b)
    common = similarity * (a.shingles + b.shingles) / (1.0 + similarity)
    return min(1.0, common / min(a.shingles, b.shingles))


def _key(data: bytes) -> int:
    digest = hashlib.blake2b(data, digest_size=BAND_KEY_BYTES).digest()
    return int.from_bytes(digest, "little", signed=True)
