"""Word lists and weights the entity stage decides with: titles, cue nouns, verbs, given names.

Calibration sets: "seed" is the reference article (seeds/000_ba9ff1fc4f54d4f3.txt: Russian and
Ukrainian diplomacy, NYT style, "Sergey Lavrov, the Russian Foreign Minister, said"); "conll" is
the CoNLL-2003 dev split in ../shared/corpus (Reuters 1996: politics, markets, sports tables).
Lists hold general English cue words, written by hand, not copied from either set. Figures in
the comments are typed F1 on conll (score.py --task conll) with and without the item, all else
equal; where an item was tried and left out, the comment says so.
"""

from __future__ import annotations

from flows import words as shared

# spaCy/OntoNotes labels that name something; they are clustered and resolved per document.
# The other labels (DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL) are kept as the
# model gives them, each mention its own canonical form.
NAME_LABELS: frozenset[str] = frozenset(
    """
    EVENT FAC GPE LANGUAGE LAW LOC NORP ORG PERSON PRODUCT WORK_OF_ART
    """.split()
)


# Label class: what entity_id is keyed on, so that a place keeps one id across documents whether
# the model calls it GPE, LOC or FAC there.
LABEL_CLASS: dict[str, str] = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
}
# The label a class falls back to when no mention of the cluster carried one of the class's
# labels (a city the model only ever tagged PERSON, fixed to a place by its cues).
CLASS_DEFAULT_LABEL: dict[str, str] = {
    "person": "PERSON",
    "org": "ORG",
    "place": "GPE",
    "group": "NORP",
}


# Titles and honorifics written before a name ("President Volodymyr Zelenskyy", "Mr. Putin").
# They are stripped from PERSON spans and canonical names and are a PERSON cue. Checked on the
# seed (President) and conll's politics stories (Gen., Prime Minister, Sen.). Words that also
# open organisation names ("General Motors") are only stripped from spans labelled PERSON.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    adm admiral ambassador archbishop ayatollah bishop brig brigadier brother capt captain
    cardinal chairman chairwoman chancellor chief cmdr coach col colonel commander congressman
    congresswoman corporal cpl dame detective dr emir emperor empress envoy father fr gen
    general gov governor imam inspector judge justice king lady lieutenant lord lt maj major
    marshal mayor minister miss mr mrs ms mx officer patriarch pope premier president prince
    princess private prof professor pte queen rabbi rep representative rev reverend secretary
    sen senator sergeant sgt sheik sheikh sir sister speaker
    """.split()
)


# Words that modify a title ("Foreign Minister", "Deputy Prime Minister", "Vice President");
# stripped together with the title word they belong to, never alone.
TITLE_MODIFIERS: frozenset[str] = frozenset(
    """
    acting assistant attorney brigadier crown defence defense deputy economy energy ex finance
    first foreign former grand head health home interior justice lady lieutenant major of
    opposition prime rear sergeant staff state supreme trade under vice
    """.split()
)


# Nouns that head an appositive or a pre-modifier describing a person: "Dmitry Kuznets, a
# military analyst", "Kyrylo Budanov, the head of Ukraine's military intelligence", "veteran
# dissident X". Office, media and sports roles. On the seed these appositives turn the people
# the model tags ORG (Budanov, Kuznets) into PERSON; on conll all context cues together are worth
# +0.020 typed F1 (0.739 without). "member" stays although countries are members too: removing
# it changes one conll mention.
PERSON_NOUNS: frozenset[str] = frozenset(
    """
    activist actor actress adviser advisor aide ambassador analyst artist athlete attorney
    author banker bishop boss boxer brother businessman businesswoman candidate captain chairman
    chairwoman champion chief citizen coach colonel commander commentator commissioner
    congressman congresswoman correspondent cricketer critic daughter defender delegate deputy
    diplomat director dissident doctor driver economist editor emissary envoy executive expert
    father footballer forward founder general goalkeeper golfer governor head husband journalist
    judge keeper lawmaker lawyer leader legislator manager mayor member midfielder minister
    mother negotiator novelist officer official owner painter partner pitcher player playmaker
    poet politician premier president priest prime professor prosecutor rapporteur reporter
    representative researcher resident rider runner scientist secretary senator singer sister
    skipper soldier son speaker spokesman spokesperson spokeswoman sprinter striker student
    swimmer teacher trader trainer veteran wife winger writer
    """.split()
)


# Nouns that head an appositive or pre-modifier describing an organisation: "Ukrinform, the
# state news agency", "the Russian news outlet Meduza" (both missed or mislabelled by the bare
# model on the seed). "service" is left out: it ends names ("Federal Security Service").
ORG_NOUNS: frozenset[str] = frozenset(
    """
    agency airline alliance association bank broadcaster carrier channel club coalition company
    conglomerate corporation daily federation firm group institute insurer lender maker
    manufacturer movement network newspaper operator organisation organization outlet party
    producer publisher retailer side subsidiary tabloid team union weekly
    """.split()
)


# Nouns that head an appositive describing a place ("Riyadh, the capital of Saudi Arabia"), and
# that make "the <noun> of X" a place ("the city of Arbil").
PLACE_NOUNS: frozenset[str] = frozenset(
    """
    capital city country county district enclave island kingdom municipality nation port
    province region republic state suburb territory town village
    """.split()
)


# Other words that make "<word> of X" a place: "east of Tavildara", "the outskirts of X". With
# PLACE_NOUNS this "place_of" cue gave +0.004 on conll (towns the model calls ORG).
PLACE_PARTS: frozenset[str] = frozenset(
    """
    center centre east heart north northeast northwest outskirts south southeast southwest
    streets suburbs west
    """.split()
)


# Reporting verbs as a speaker cue: a name right before ("Witkoff said") or right after ("said
# Dmitry Kuznets") is a speaker. Organisations speak too, and places by metonymy ("Russia said"),
# so the cue is weak (CUE_WEIGHTS["speaker"]): on the seed and conll it decides no cluster alone
# and moves F1 by less than 0.001; it breaks ties between a lone surname and another label.
# A deliberately narrow subset of the shared lemmas (flows.words.REPORTING_VERBS), each with the
# forms that follow or precede a name (past and third person singular; "caution" only in the
# past); "report" is left out (the seed's subjects of "reported" are agencies). The text is
# matched as written, without a lemmatizer (NER runs alone), hence the surface forms.
SPEAKER_VERB_INFLECTIONS: dict[str, tuple[str, ...]] = {
    "acknowledge": ("acknowledged", "acknowledges"),
    "add": ("added", "adds"),
    "admit": ("admitted", "admits"),
    "argue": ("argued", "argues"),
    "ask": ("asked", "asks"),
    "caution": ("cautioned",),
    "comment": ("commented", "comments"),
    "complain": ("complained", "complains"),
    "declare": ("declared", "declares"),
    "explain": ("explained", "explains"),
    "insist": ("insisted", "insists"),
    "note": ("noted", "notes"),
    "recall": ("recalled", "recalls"),
    "reply": ("replied", "replies"),
    "say": ("said", "says"),
    "state": ("stated", "states"),
    "stress": ("stressed", "stresses"),
    "suggest": ("suggested", "suggests"),
    "tell": ("told", "tells"),
    "warn": ("warned", "warns"),
    "write": ("wrote", "writes"),
}
SPEAKER_LEMMAS: frozenset[str] = frozenset(SPEAKER_VERB_INFLECTIONS)
# The subset stays a subset: a verb added here must be a reporting verb for the quote stage too.
assert SPEAKER_LEMMAS <= shared.REPORTING_VERBS, sorted(SPEAKER_LEMMAS - shared.REPORTING_VERBS)
SPEAKER_VERB_FORMS: frozenset[str] = frozenset(
    form for forms in SPEAKER_VERB_INFLECTIONS.values() for form in forms
)


# Prepositions whose object is usually a place: "in Riyadh", "ports in Odesa, Mykolaiv and
# Kherson" (the cue runs down a coordinated list; without it those three seed cities, which
# the model also tags PERSON and NORP, end up as PERSON). "from" and "to" were tried: no gain
# on conll (LOC +0.001, MISC -0.004), left out.
PLACE_PREPOSITIONS: frozenset[str] = frozenset(
    {"in", "near", "outside", "across", "throughout", "inside"}
)

# Votes. Each mention's model label counts MODEL_VOTE, and a cluster's repeated votes for one
# class are damped logarithmically (the model repeats its context-free guess for a name; damping
# is worth +0.006 on conll). Each cue adds its weight to one class, linearly.
MODEL_VOTE = 1.0
# A one-word PERSON cluster with no person cue and no full name is weakly supported: the seed's
# "Kyiv", tagged PERSON once right after "Moscow's and", is such a cluster (at 1.0 it stays
# PERSON; conll -0.002).
LONE_SURNAME_VOTE = 0.5
# A model span cut in pieces ("Romania - Cosmin Contra") labelled the whole, not each piece.
SPLIT_PIECE_VOTE = 0.5
# Context is read for the first CUE_SAMPLE mentions of each name only ("Ukraine" written 22
# times needs no 22 readings); an uncapped reading gives the same output on seed and conll.
CUE_SAMPLE = 8
CUE_WEIGHTS: dict[str, float] = {
    "title": 3.0,  # "President X", "Mr. X": near certain
    "person_noun": 2.0,  # "X, a military analyst", "veteran dissident X"
    "who": 2.0,  # "X, who ...", "X, 45,": people only
    "whose": 1.0,  # "X, whose ...": people mostly, organisations too
    "initial": 2.0,  # "P. Simmons", "Grigory B. Karasin": initials belong to people
    "given_name": 1.5,  # "Marion Clignet": a common given name opens the span
    "coordinated": 0.75,  # "Moscow's and Kyiv's": list members share a class (seed: Kyiv)
    "org_noun": 2.0,  # "X, the state news agency", "the Russian news outlet X"
    "place_noun": 2.0,  # "X, the capital of Y"
    "place_prep": 1.0,  # "in X"
    "place_of": 2.0,  # "the city of X", "east of X"
    "speaker": 0.5,  # "X said", "said X"
}

# --- clustering (clusters) ------------------------------------------------------------------------

# A short form is looked up among person names by its last words ("Putin", "Grigory Karasin") up
# to this many words; a longer one is matched by its first and last word only. On the seeds and
# the aeb, conll, polnear and stories dev splits the longest person name has 6 words and the
# longest short form matched 3; the cap bounds the index at this many entries per name, whatever
# a model span holds.
SHORT_FORM_MAX_WORDS = 8
# A short form that could stand for more person names than this ("Berg" beside a hundred
# different Bergs) names none of them: its mentions form an entity of their own. Those corpora
# never offer more than 4; the cap keeps each mention's search for the nearest full name to this
# many binary searches.
FULL_NAMES_MAX = 16

# Propagation (resolution) looks for a resolved name at each capitalised word by trying the
# names that open with that word, longest first, one length at a time. Only this many of the
# longest lengths are tried: a shorter name past them is not propagated after that word. On the
# seeds and the five dev splits no first word opens names of more than 6 lengths.
PROPAGATE_MAX_LENGTHS = 32

# A span found by a cue alone (no model label) votes its label at this weight; the cue itself
# votes too. Set by judgment.
CUE_FOUND_VOTE = 0.5

# --- model input (extract, casing) ----------------------------------------------------------------

# Texts (block lines) per nlp.pipe batch. `benchmarks.bench_entities --sweep 16,64,256,1000` on
# the seeds and on the conll dev split: 64 to 1000 are within run-to-run noise of each other,
# 16 is about 15% slower. 256 keeps a batch's memory small with long paragraphs.
DEFAULT_BATCH_SIZE = 256
# ...and at most this many characters per batch (a single longer unit makes a batch of its
# own). The model's working memory grows with the characters of a batch: 256 lines of the dev
# corpora hold up to 69 thousand, 256 units of a document written as one long line 2.5 million
# (2.1 GB peak for a 1 MB line; 0.43 GB at this cap, 0.6 GB at 100 thousand, no slower). The
# model's output does not depend on the batch: on the four dev corpora batches of 7 and of 256
# units give the same 35,353 spans, so the cap only changes how natural text is grouped.
NER_BATCH_MAX_CHARS = 50_000
# A run unit longer than this is cut at whitespace: news paragraphs are far shorter, and the
# cap keeps one pathological block (a table flattened into one line) from growing the model's
# working memory without bound.
MAX_UNIT_CHARS = 10_000
# A line is shouted when at least this share of its cased letters are capitals (and it has at
# least SHOUTED_MIN_CAPITALS of them): conll headlines and datelines ("BELGRADE 1996-08-30") are
# 100%, mixed lines with acronyms ("NATO and the OSCE said") stay under 50%.
SHOUTED_CAPS_SHARE = 0.8
SHOUTED_MIN_CAPITALS = 4
# A line is title-cased when every word of at least TITLE_CASED_LONG_WORD_CHARS letters is
# capitalised (shorter words, "of", "the", "on", stay lower case in title case) and it has at
# least TITLE_CASED_MIN_LONG_WORDS such words. Set by judgment.
TITLE_CASED_LONG_WORD_CHARS = 4
TITLE_CASED_MIN_LONG_WORDS = 2
# Function words a truecased headline line writes in lower case for the model (not the first word
# of the line). Narrower than flows.words.MINOR_WORDS, which plain-text headlines and quoted
# titles are judged by ("as", "but", "into", "nor", "per" and "via" keep their capital here); not
# merged with it, since that would change what the model reads.
TRUECASE_FUNCTION_WORDS: frozenset[str] = frozenset(
    "a an and at by for from in of on or the to vs with".split()
)

# --- context windows (context, resolution, shapes) ------------------------------------------------

# Characters of the run unit read before and after a span for context cues (titles, role nouns,
# "said"; appositives, "who"). Set by judgment: a title and its modifiers, or an appositive
# phrase, fit.
CONTEXT_BEFORE_CHARS = 60
CONTEXT_AFTER_CHARS = 120
# Words of an appositive phrase looked at for its head noun. Set by judgment.
APPOSITIVE_MAX_WORDS = 12
# An appositive opens with one of these words, a lower-case word or a possessive ("X, a military
# analyst", "X, Ukraine's ..."), and its head is the last cue noun before the first of the stop
# words (prepositions, conjunctions, relative pronouns). Set by judgment.
APPOSITIVE_OPENERS: frozenset[str] = frozenset({"a", "an", "the", "his", "her", "its", "their"})
APPOSITIVE_STOPS: frozenset[str] = frozenset(
    """
    of to for with at in on from by and or who which that whose since until after before
    """.split()
)
# Characters before a cue-found name searched for a role noun ("the news agency Interfax"), and
# before a span for what makes it sentence-initial. Set by judgment.
ROLE_NOUN_WINDOW_CHARS = 30
SENTENCE_START_WINDOW_CHARS = 40
# A given name right before a span ("Tino" of "Tino Martinez"): at least this many characters
# (a two-letter word and a space) must precede the span, and the name is searched in this many.
# The longest of GIVEN_NAMES has 11 letters. Set by judgment.
GIVEN_NAME_MIN_GAP_CHARS = 3
GIVEN_NAME_WINDOW_CHARS = 20
# Characters after a lone given name searched for its surname ("Natalia Karimova"). Set by
# judgment.
SURNAME_WINDOW_CHARS = 30
# Two spans are list members ("Odesa, Mykolaiv and Kherson") only when at most this many
# characters (", ", " and ", "'s and ") lie between them. Set by judgment.
LIST_GAP_MAX_CHARS = 8
# An acronym is spelled out nearby ("Federal Security Service, or FSB", "(FSB)") only within
# this many characters after the full name. Set by judgment.
ACRONYM_MAX_GAP_CHARS = 12


# Capitalised words that open sentences or headlines but never name anything alone; spans the
# model gives for them are dropped, and cue-found or propagated names may not be one of them.
# General English function words and discourse markers.
NOT_NAMES: frozenset[str] = frozenset(
    """
    a after also an and as at but by for from he her his however i if in it its last meanwhile
    more most next no not of on one or our she so some still that the their there these they
    this those to we what when where which while who with yet you
    """.split()
)


# Function words that may sit lower-case inside a multi-word name ("Bank of England"); they do
# not count towards an acronym's initials.
NAME_CONNECTORS: frozenset[str] = frozenset({"of", "the", "and", "for", "de", "van", "von", "al"})


# Capitalised because of the calendar; a name found by cues alone ("the agency Friday said")
# may not start with one.
CALENDAR_WORDS: frozenset[str] = frozenset(
    """
    april august december february friday january july june march may monday november october
    saturday september sunday thursday tuesday wednesday
    """.split()
)


# Common given names. A multi-word span that starts with one gets a PERSON cue, an unlabelled
# capitalised pair that starts with one becomes a PERSON candidate ("Pete Sampras" in a results
# line the model skipped), and a surname the model kept without it gets it back ("Tino" of
# "Tino Martinez"). Written from general knowledge across the languages of international news,
# not taken from any corpus: +0.011 typed F1 on conll (PER 0.821 -> 0.844). Names that as often
# open place or firm names are left out ("Jordan", "Victoria", "Austin", "Santiago", "Morgan",
# "Dean", "Christian", "Grace", "Rose", "Milan", "Will", "Said").
GIVEN_NAMES: frozenset[str] = frozenset(
    """
    aaron abdul abdullah abu adam adrian ahmad ahmed ajay akira alain alan albert alberto
    alejandro aleksandr aleksei alessandro alex alexander alexandra alexandre alexei alexis
    alfred alfredo ali alice alicia alison amanda amir amy ana anatoly anders andre andrea
    andreas andrei andres andrew andrey andriy andrzej andy angela angelo anil ann anna anne
    annemari annette anthony antoine anton antonio arnold arthur arturo ashok asif aslan barbara
    barry bashar ben benjamin bernard bernd bill billy bjorn bob bobby boris brad brendan brett
    brian bruce bruno carl carla carlo carlos carmen caroline catherine cedric cesar charles
    charlie chris christine christophe christopher claire claude claudia claudio colin conchita
    craig cristiano cyril dale dan daniel daniela danny dario darren dave david dawn debbie
    denis dennis derek diana diane dick diego dimitri dmitri dmitry dominic don donald doug
    dragan duncan edgar eduardo edward egon elena elizabeth emil emilio emily emma emmanuel
    enrique eric erik ernesto ernst eugenio evgeny fabio fatima federico felipe felix fernando
    filip francesco francis francisco franco francois frank franz fred frederick friedrich
    gabriel gabriela gareth gary gennady geoff geoffrey georg george georgy gerald gerhard
    giovanni giuseppe glenn gordon graham greg gregory grigory guido guillermo gunnar gustavo
    guy hamid hans harald harold harry hassan heinz helen helmut henri henrik henry herbert
    hideo hiroshi horst howard hugh hugo hussein ian ibrahim igor ilya inger ingrid irina ivan
    jacek jack jacques jakob james jan jane janet jason javier jay jean jeff jeffrey jennifer
    jeremy jerry jesus jim jimmy joachim joan joao joe johan johann john johnny jon jonathan
    jorge jose josef joseph juan julia julian julie jurgen justin karen karim karl kate
    katherine kazuo keith kelly ken kenneth kevin khalid kim klaus konstantin kostyantyn kurt
    kyrylo lars laura laurent leah lee leonid leszek linda lindsay lisa lorenzo louis luc luca
    lucas luis lynn magnus mahmoud maksim manuel marc marcel marco marcus margaret maria mariano
    marie mario marion mark marta martin mary massimo matthew matthias maurice max maxim mehmet
    michael michel michele miguel mihai mikael mike mikhail miroslav mohamed mohammad mohammed
    monica muhammad murat mustafa nadia nancy nasser natalia natalya nathan neil nelson nicholas
    nick nicola nicolas nigel nikita nikolai nikolay nils nina norbert olaf oleg oleksandr olga
    oliver omar oscar otto pablo paolo pascal pat patricia patrick paul paula pavel pavlo pedro
    pekka pete peter petr petra philip philippe pierre piotr rafael rainer ralf ralph ramon
    randall randy raul ray raymond rebecca reinhard rene ricardo richard rick ricky rob robert
    roberto robin rodney roger roland roman ronald rudolf rudy ruslan russell ruth ryan sabine
    sally salvatore sam samuel sandra sanjay sara sarah sean sebastian semyon serge sergei
    sergey sergio serhii shane sharon sheila shimon simon sophie stanislav stefan stefano
    stephan stephane stephen steve steven stuart susan sven sylvie tadeusz tanja tatiana tatyana
    ted terry thierry thomas tim timothy tino todd tom tomas tommy tony tyler ulrich uwe
    valentina valery vasily victor viktor vincent vitaly vladimir vladislav volker volodymyr
    walter wayne werner wilhelm william willie wolfgang yasser yekaterina yevgeny youri yuri
    yury zoran
    """.split()
)
