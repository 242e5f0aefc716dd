"""Word lists and thresholds for finding quotations and their speakers (data only, no logic).

Calibration: the verb list starts from textacy's REPORTING_VERBS (textacy 0.13, constants.py) and
was extended with the cue words of the PolNeAR dev split (84 political news articles from 2016:
Breitbart, HuffPost, NYT, Politico, USA Today, Washington Post, Western Journal; 919 quote
fragments) and of the seed article. Thresholds were set on the same split, measured with
../shared/eval/score.py. Nothing here names a particular document. Change a list or a number only
with the measurement that moved it.
"""

from __future__ import annotations

# Lemmas of verbs that introduce speech or writing ("said", "told", "called ... “technical”").
# spaCy's small English model lemmatizes by rule; a cue also matches on its surface form.
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
# Words left lower-case in a title ("Keepin' It Real", "State of the Union").
MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or per the to vs via with".split()
)
# Titles are short; a long quoted span after "book" is speech about the book.
TITLE_MAX_WORDS = 12
# Leading words of an elided form written with an apostrophe, not an opening mark (’em, ’til).
ELISIONS = frozenset("em til tis twas cause n bout round ol nuff kay".split())

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
