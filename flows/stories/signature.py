"""A document's story signature: MinHash of the word shingles of its body, and its band keys."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

import numpy as np

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

# The MinHash is datasketch 2.0's (MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED,
# scheme="affine32")), computed here with numpy: the same values (tests/stories/test_signature.py
# checks them against datasketch), without importing the datasketch package, whose __init__
# imports its LSH classes and with them scipy.integrate, about 1 s of a one-article run's start.
# Each shingle's first 4 bytes of SHA-1 (little-endian), mixed with MurmurHash3's 32-bit
# finalizer, then NUM_PERM affine permutations a*h + b mod 2**32 (a odd: bijective), minimum over
# the shingles. The permutations are drawn as datasketch draws them, from the legacy
# np.random.RandomState stream, which numpy keeps stable across versions.
if MINHASH_SCHEME != "affine32":  # pragma: no cover - a guard on words.py's constants
    raise ImportError(f"flows.stories.signature computes the affine32 scheme, not {MINHASH_SCHEME}")
_GEN = np.random.RandomState(MINHASH_SEED)
_PERM_A = _GEN.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_PERM_B = _GEN.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
del _GEN


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
    exact = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()
    values = tuple(int(v) for v in minhash_values(shingles))
    return StorySignature(values, len(shingles), exact)


def minhash_values(shingles: Iterable[bytes]) -> np.ndarray:
    """The NUM_PERM MinHash values (uint32) of a non-empty set of shingles."""
    digests = b"".join(hashlib.sha1(s).digest()[:4] for s in shingles)
    if not digests:
        raise ValueError("a MinHash needs at least one shingle")
    hashes = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    # uint32 arithmetic wraps: the permutation is mod 2**32 by construction.
    permuted = hashes[:, np.newaxis] * _PERM_A + _PERM_B
    result: np.ndarray = permuted.min(axis=0)
    return result


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, element-wise (a bijection on uint32)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    result: np.ndarray = h ^ (h >> np.uint32(16))
    return result


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
