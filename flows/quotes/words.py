"""Word lists and thresholds for finding quotations and their speakers (data only, no logic).

Calibration: the reporting verbs (lemmas) and MINOR_WORDS are shared with other stages and live in
flows.words, the verbs with their calibration (textacy's list extended with the cue words of the
PolNeAR dev split and of the seed article). Thresholds here were set on the PolNeAR dev split (84
political news articles from 2016: Breitbart, HuffPost, NYT, Politico, USA Today, Washington Post,
Western Journal; 919 quote fragments), measured with ../shared/eval/score.py, unless their comment
says otherwise. Nothing here names a particular document. Change a list or a number only with the
measurement that moved it.
"""

from __future__ import annotations

# Cue verbs that report speech only with their particle ("pointed out", "went on", "chimed in").
PHRASAL_CUES = frozenset(
    {
        ("point", "out"),
        ("go", "on"),
        ("chime", "in"),
        ("fire", "back"),
        ("lash", "out"),
        ("weigh", "in"),
        ("speak", "out"),
        ("sum", "up"),
        ("put", "it"),
    }
)
# Nouns that carry speech when a possessor or "by"/"from" names the source ("Trump's claim that",
# "a statement from the Kremlin", "according to the Kremlin's readout").
REPORTING_NOUNS = frozenset(
    "statement tweet post remark comment word interview speech letter email message release "
    "readout memo report op-ed column claim assertion accusation promise pledge vow warning "
    "argument description quote testimony announcement complaint charge insistence answer "
    "response reply suggestion prediction declaration allegation slogan".split()
)

# Speaker pronouns, resolved to an earlier speaker or named entity. A relative pronoun ("X, who
# said ...") is resolved by the parse instead: it names the noun its clause hangs on.
PERSON_PRONOUNS = frozenset("he she him her his".split())
ORG_PRONOUNS = frozenset("it its".split())
# Left as they are: a group rarely corefers with one entity, and "I"/"we" in an attribution is
# the writer or a crowd.
UNRESOLVED_PRONOUNS = frozenset("they them their we us our i my me".split())
RELATIVE_PRONOUNS = frozenset("who which that whom".split())

# A word right before a quote that makes it the title of a work or a programme, not speech
# (the book “...”, his 2002 book, “...”). Only when at most a comma stands between.
TITLE_CUES = frozenset(
    "book books film films movie movies song songs show shows album series documentary play "
    "novel article essay op-ed column headline titled entitled headlined slogan hashtag program "
    "programme episode poem memoir video podcast segment initiative exhibit exhibition painting "
    "anthem broadcast nickname hymn newsletter blog magazine newspaper commentary editorial "
    "manifesto".split()
)
# Titles of works are short; a long quoted span after "book" is speech about the book.
WORK_TITLE_MAX_WORDS = 12
# Characters before a quote searched for a word naming a work ("his 2002 book, “...”"). Set by
# judgment.
TITLE_CUE_WINDOW_CHARS = 40
# Leading words of an elided form written with an apostrophe, not an opening mark (’em, ’til).
ELISIONS = frozenset("em til tis twas cause n bout round ol nuff kay".split())
# Characters after an apostrophe read for an elided word: longer than every word of ELISIONS, so
# that a longer word that starts with one ("’causeway") is not taken for it. Set by judgment.
ELISION_WINDOW_CHARS = 8

# Single-quoted spans longer than this are apostrophes mistaken for marks (a possessive "voters’"
# paired with a leading elision spans whole sentences); true single-quoted spans outside a double
# quote in the dev split have at most 12 words.
SINGLE_QUOTE_MAX_WORDS = 40

# Attribution in the parse: how far (in dependency steps) a cue may sit above the quote, how many
# times a cue without a subject may climb to the clause it hangs on ("..., calling it “...”"),
# and how close to the seam a cue in the sentence before or after a full statement must be
# ("..., Schiff said. “...”", "“...?” Clinton asked.").
CUE_MAX_DEPTH = 8
SUBJECT_MAX_CLIMB = 4
SEAM_TOKENS = 4
# Pronoun speakers look back this many paragraphs for the person they refer to.
LOOKBACK_PARAGRAPHS = 3
# Characters before a mention in an earlier paragraph read to tell whether it opens a sentence
# (perhaps after a conjunction or a title: "But Mr. Kamin"). Set by judgment.
SUBJECT_LEAD_CHARS = 40

# Paragraphs per nlp.pipe batch of the parser. Set by judgment (not measured; only blocks with
# quote marks are parsed).
PARSE_BATCH_SIZE = 64
