"""Thresholds of story grouping and quotation keys, with what each was calibrated on."""

from __future__ import annotations

# --- folding (flows.stories.fold) ---------------------------------------------------------------

# Typographic marks folded to ASCII before words are taken, as ../shared/eval/score.py folds
# them: syndicated copies restyle quote marks and apostrophes (“ ” ‘ ’ « » ...), and a copy must
# not look like another text because of them. After NFKC, so fullwidth forms are covered too.
SINGLE_MARKS = "\u2018\u2019\u201a\u201b\u2032\u02bc\u2039\u203a`\u00b4"
DOUBLE_MARKS = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"

# --- signatures (flows.stories.signature) -------------------------------------------------------

# Words per shingle. Five-word shingles are what near-duplicate detection on news uses (Broder's
# resemblance; Media Cloud's and Google News' 4-8): long enough that two different articles about
# the same people share almost none (on stories-dev, pairs of different articles share at most
# 0.3% of their shingles), short enough that an edited sentence spoils only its five shingles.
SHINGLE_WORDS = 5
# MinHash permutations. The Jaccard estimate's standard error is sqrt(J(1-J)/n): 0.044 at J = 0.5
# with 128, which keeps the containment estimate of a copy well above STORY_CONTAINMENT.
NUM_PERM = 128
# Seed of the permutations. Part of the signature: changing it (or NUM_PERM, SHINGLE_WORDS, the
# band layout) makes new signatures incomparable with the ones the warehouse's index holds.
MINHASH_SEED = 1
# datasketch 2.0's default permutation scheme (flows.stories.signature computes it), named so that
# a later default cannot change it under the index: a bijective a*h+b mod 2^32 after a MurmurHash3
# mix, values stored as uint32.
MINHASH_SCHEME = "affine32"
# LSH bands: BANDS bands of BAND_ROWS MinHash values each (BANDS * BAND_ROWS <= NUM_PERM). Two
# documents are candidates when one band is equal, with probability 1 - (1 - J^r)^b: with 42
# bands of 3 that is 0.94 at J = 0.4, 0.996 at J = 0.5 and 0.005 at J = 0.05, so copies are
# found (a copy trimmed to 40% of its original has J = 0.4; on stories-dev every copy pair has
# J >= 0.6) while a lookup returns almost nothing else however large the index: unrelated news
# shares J < 0.01, a chance candidate per 2,400 indexed articles. Four rows per band would
# find a J = 0.4 copy only 82% of the time.
BANDS = 42
BAND_ROWS = 3
# Bytes of a band key (BLAKE2b digest, stored as a signed 64-bit integer in the index).
BAND_KEY_BYTES = 8
# Hex digits of a quote_key (the BLAKE2b digest of the quotation's folded words): 128 bits.
QUOTE_KEY_HEX = 32

# --- assignment (flows.stories.assign) ----------------------------------------------------------

# A candidate is the same story when the share of the smaller document's shingles found in the
# larger one (containment, estimated from the two MinHash signatures and shingle counts) is at
# least this. Containment rather than Jaccard: a trimmed copy or one with an appended note is
# wholly inside (or around) its original while their Jaccard similarity falls with the cut.
# Calibrated on ../shared/corpus/stories-dev (164 documents, 84 stories: PolNeAR articles and
# syndicated copies with credit lines, bylines, restyled headlines, trimmed endings, appended
# notes, other quote marks, web pages), one run, pair precision / recall by score.py --task
# stories: 1.000 / 1.000 at every threshold from 0.3 to 0.9, 1.000 / 0.992 at 0.95. Copies
# estimate at >= 0.92 there, different articles (some about the same people) at <= 0.27; 0.7
# keeps a margin of over 0.2 from both, several standard errors of the estimate.
STORY_CONTAINMENT = 0.7
# The smaller document must hold at least this share of the larger one's shingles: below it the
# Jaccard similarity of even a perfect containment is under what the bands find, and the MinHash
# estimate of a small set inside a large one is too noisy to decide on.
MIN_SIZE_RATIO = 0.4
# A lookup compares a new document with at most this many documents of each story (those sharing
# the most band keys with it): one good match is enough, and a story syndicated a thousand times
# must not make every later lookup a thousand comparisons. Set by judgment: more than the copies
# any story of stories-dev has (4), so calibration compared every candidate.
CANDIDATES_PER_STORY = 8
# Documents with fewer shingles than this are matched only as exact copies (same folded words):
# a few shingles say too little to tell a copy from a shared sentence.
MIN_SHINGLES = 8
