"""The story signature's MinHash is datasketch 2.0's, value for value, without importing it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.stories.fold import fold_words
from flows.stories.signature import minhash_values, sign_text
from flows.stories.words import MINHASH_SCHEME, MINHASH_SEED, NUM_PERM, SHINGLE_WORDS
from tests.stories.articles import BUDGET, PROFILE


def _reference(shingles: set[bytes]) -> list[int]:
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch(sorted(shingles))
    return [int(v) for v in minhash.hashvalues]


def _shingles(text: str) -> set[bytes]:
    words = fold_words(text)
    last = max(len(words) - SHINGLE_WORDS + 1, 1)
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(last)}


@settings(max_examples=200, deadline=None)
@given(st.sets(st.binary(max_size=40), min_size=1, max_size=60))
def test_minhash_values_equal_datasketchs(shingles: set[bytes]) -> None:
    got = minhash_values(shingles)
    assert got.dtype == np.uint32
    assert [int(v) for v in got] == _reference(shingles)


def test_signatures_of_articles_equal_datasketchs() -> None:
    for article in (BUDGET, PROFILE):
        for keep in (None, 1, 3):
            text = "\n".join(article[1][:keep])
            signature = sign_text(text)
            assert list(signature.minhash) == _reference(_shingles(text))
            assert signature.shingles == len(_shingles(text))
    # A text of fewer words than a shingle is one shingle (and an empty body is the empty one).
    assert list(sign_text("Budget passed.").minhash) == _reference({b"budget passed"})
    assert list(sign_text("").minhash) == _reference({b""})


def test_signature_values_are_pinned() -> None:
    # The warehouse's story index holds these values: a change of numpy's RandomState stream or
    # of the hashing would make new signatures incomparable with stored ones. Pinned from
    # datasketch 2.0.0 (MinHash(num_perm=128, seed=1, scheme="affine32")).
    signature = sign_text("\n".join(BUDGET[1]))
    assert signature.minhash[:4] == (2815116, 9083302, 12446567, 2439868)
    assert signature.shingles == 314
    assert signature.exact == "4935ce9d151b5d51296ccc523611b3ff"


def test_signing_does_not_import_datasketch_or_scipy() -> None:
    # datasketch's package imports its LSH classes and scipy.integrate: about 1 s of start-up.
    code = (
        "import sys\n"
        "from flows.stories import sign_text\n"
        "sign_text('one two three four five six')\n"
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
