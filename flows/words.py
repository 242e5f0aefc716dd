"""Word lists and thresholds shared by several stages, each defined once with its calibration.

Stage packages keep their own in their `words.py`; what two stages need lives here, in the lowest
layer, so no stage imports another's data. The top-level modules (decode, normalize, language,
sources) keep theirs here too.
"""

from __future__ import annotations

# --- decoding (flows.decode) ----------------------------------------------------------------------

# Bytes looked at for NUL bytes and characters looked at for control noise: 64 KiB tell binary
# data from text on every fixture and cost nothing next to parsing.
BINARY_SNIFF_BYTES = 65_536
# Charset detection reads a prefix: its cost grows with the input, and 64 KiB give a stable
# verdict on every legacy-encoded fixture (French and English cp1252, latin-1) and aeb page.
DETECT_BYTES = 65_536
# How much language fit a unit of mess is worth. On our French fixtures cp1252 must beat cp1257
# (coherence 0.79 vs 0.71 at chaos 0.044 vs 0) and cp775 (0.565 at chaos 0 vs 0.619 at 0.052):
# any weight between 1.04 and 1.9 does both; 1.5 sits in the middle.
CHAOS_WEIGHT = 1.5
# Detection scores are compared rounded to this many decimals: candidates equal to that precision
# tie, and a Western code page wins the tie (flows.decode.detect_encoding). Set by judgment.
DETECT_SCORE_DECIMALS = 3
# C0 control characters other than tab/newline/CR/form feed are rare in real text; above this
# share of the decoded characters the bytes are binary data that happened to decode.
MAX_CONTROL_SHARE = 0.01
# UTF-16 without a BOM: Latin-script text has a NUL in (nearly) every other byte and almost none
# in the others; binary data with NULs does not show that pattern.
UTF16_NUL_SHARE = 0.4
UTF16_OTHER_NUL_SHARE = 0.05

# --- sources (flows.sources) ----------------------------------------------------------------------

# Bytes of a file without a telling suffix searched for an HTML start ("<!doctype html", "<html",
# ...). Set by judgment; the HTML standard's encoding prescan reads as many.
MEDIA_SNIFF_BYTES = 1024

# --- normalization (flows.normalize) --------------------------------------------------------------

# ftfy is not always a fixpoint in one pass (a fix can reveal another layer of mojibake);
# three rounds cover every double-encoded sample we have seen.
FTFY_MAX_ROUNDS = 3
# The normalization steps feed each other (a tab turned into a space can complete a mojibake
# pattern), so they run until nothing changes; two rounds are typical, four is the cap.
NORMALIZE_MAX_ROUNDS = 4

# --- language identification (flows.language) -----------------------------------------------------

# Below this many letters langid's guess is noise (headlines alone mislead it).
LANGUAGE_MIN_LETTERS = 40
# langid reads the first few thousand characters; more adds time, not accuracy, for news text.
LANGUAGE_SAMPLE_CHARS = 5000
# A guess is kept only at this normalized probability. English prose scores 1.00 and French or
# German paragraphs 0.9998; English sports tables of names and numbers (CoNLL dev) score 0.3-0.97
# for "en" and up to 0.77 for wrong codes ("pcm", "hr"), so below 0.9 we say "unknown" instead.
LANGUAGE_MIN_CONFIDENCE = 0.9

# --- English word lists (flows.plaintext, flows.quotes, flows.entities) ---------------------------

# Words left lower-case in Title Case ("Keepin' It Real", "State of the Union"): a headline in
# plain text and a quoted title of a work are told by the capitals of their other words.
MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or per the to vs via with".split()
)

# Lemmas of verbs that introduce speech or writing ("said", "told", "called ... “technical”").
# The quote stage matches a cue on its lemma (spaCy's small English model lemmatizes by rule) or
# its surface form; the entity stage takes a narrow subset, inflected, as a weak speaker cue
# (flows.entities.words.SPEAKER_LEMMAS). Calibration: the list starts from textacy's
# REPORTING_VERBS (textacy 0.13, constants.py) and was extended with the cue words of the PolNeAR
# dev split (84 political news articles from 2016: Breitbart, HuffPost, NYT, Politico, USA Today,
# Washington Post, Western Journal; 919 quote fragments) and of the seed article.
REPORTING_VERBS = frozenset(
    # textacy's list, which covers most "X said" cues
    "accuse acknowledge add admit agree allege announce argue ask assert believe blame charge "
    "cite claim complain concede conclude confirm contend criticize declare decline deny describe "
    "disagree disclose estimate explain fear hope insist maintain mention note observe order "
    "predict promise recall recommend reply report say stress suggest tell testify think urge "
    "warn worry write "
    # PolNeAR dev cues beyond it, each seen as a gold cue ("tweeted", "blasted", "went on")
    "call tweet respond continue blast condemn proclaim boast scold exhort vow pledge laud "
    "praise dismiss label brand dub liken compare shout chant sing yell joke quip wonder bemoan "
    "lament denounce decry slam rip hammer emphasize reiterate retort counter state post remark "
    "recount reveal muse tout rate rule read type advise demand encourage snap thunder seethe "
    "fume exclaim plead concur comment caution question attack mock deride defend whisper quote "
    "echo characterize term nickname refer hail pound reference".split()
)
