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
# Characters before a quote's opening mark (its spaces aside) that the cues before a quote read:
# a title cue (TITLE_CUE_WINDOW_CHARS), a possessive, a sentence end, a given name before a
# nickname. Text further back is not read: a name word longer than this before a nickname
# ("Robert C. “Bobby” Scott") would go unseen; no name is that long.
BEFORE_QUOTE_CHARS = 64
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

# Quote marks read in one paragraph; the paragraph is taken to end at the next one (its later
# marks quote nothing). News paragraphs hold a few dozen at most (the seeds and the five dev
# splits: 30); past a thousand the text is a dump of marks, not prose, and pairing, parsing and
# attributing its tail would cost without telling anything.
MARKS_PER_PARAGRAPH_MAX = 1_000

# Attribution in the parse: how far (in dependency steps) a cue may sit above the quote, how many
# times a cue without a subject may climb to the clause it hangs on ("..., calling it “...”"),
# and how close to the seam a cue in the sentence before or after a full statement must be
# ("..., Schiff said. “...”", "“...?” Clinton asked.").
CUE_MAX_DEPTH = 8
SUBJECT_MAX_CLIMB = 4
SEAM_TOKENS = 4
# Reporting verbs tried per quote in the sentences it touches, nearest first, and again at the
# seams of the sentences around it (the seeds and the five dev splits offer at most 4). The cap
# keeps a quote in a sentence of a thousand "said"s from trying them all; past it, farther verbs
# are not tried.
CUES_PER_QUOTE_MAX = 16
# Proper-noun subjects a pronoun speaker ("he said") is matched against, latest first, in its
# paragraph; and named entities of an earlier paragraph checked for opening a sentence, latest
# first (those corpora: at most 3 subjects, 6 entities). Past the cap, earlier ones are not looked
# at (the latest person anywhere before still is).
ANTECEDENTS_MAX = 32
# Tokens on either side of its head word that a speaker mention may hold ("a spokesman for the
# Democratic National Committee"); those corpora need at most 9. The cap bounds the walk over a
# head's subtree, which in a parse of a run-on line can span the whole window.
MENTION_MAX_TOKENS = 24
# Pronoun speakers look back this many paragraphs for the person they refer to.
LOOKBACK_PARAGRAPHS = 3
# Characters before a mention in an earlier paragraph read to tell whether it opens a sentence
# (perhaps after a conjunction or a title: "But Mr. Kamin"). Set by judgment.
SUBJECT_LEAD_CHARS = 40

# Paragraphs per nlp.pipe batch of the parser. Set by judgment (not measured; only blocks with
# quote marks are parsed).
PARSE_BATCH_SIZE = 64
# ...and at most this many characters per batch (a longer window makes a batch of its own): the
# parser's working memory grows with the characters it holds, and 64 windows of a paragraph
# written as one long line would hold 640 thousand. The dev corpora's batches hold at most 27
# thousand, so natural text never meets the cap.
PARSE_BATCH_MAX_CHARS = 100_000
# The quote parses of a batch of documents are made in one stream and held until each document
# is attributed (flows.quotes.extract.parse_quotes), while the documents' texts to parse come to
# at most this many characters (about 50,000 tokens, held without their tensors). Batches of 16
# news articles hold 14 thousand on average and at most 28 thousand (1,000 variant articles of
# benchmarks/corpus_variants.py; 11 and 23 thousand in the issue 11 dev corpus). A document past
# it streams its own parses.
PARSE_HELD_MAX_CHARS = 250_000
# A paragraph is parsed in windows of at most this many characters, cut at a space and, when
# possible, before a quote's opening mark rather than inside it; each quote is attributed in the
# window holding its opening mark, and does not see cues in the next. spaCy refuses texts over a
# million characters, and its memory grows with the text. The longest paragraph of the four dev
# corpora has 2,960 characters: every natural paragraph is one window.
PARSE_WINDOW_CHARS = 10_000
