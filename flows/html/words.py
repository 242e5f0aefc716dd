"""Word lists, patterns and thresholds for the HTML stage, each with what it was calibrated on.

"aeb-dev" below is ../shared/corpus/aeb-dev (61 news pages of the scrapinghub
article-extraction-benchmark); figures were measured with trafilatura 2.3.1 and lxml 6.1.
"""

from __future__ import annotations

import re

# --- bounds (hostile input) ---------------------------------------------------------------------

# Bytes above this are refused before parsing. trafilatura's own MAX_FILE_SIZE is 20,000,000;
# the largest aeb-dev page is 1.5 MB, and pages over 20 MB are script/JSON payloads, not articles.
MAX_HTML_BYTES = 32 * 1024 * 1024
# Visible text of the page (scripts, styles and hidden elements removed) above this is refused:
# spaCy's default nlp.max_length is 1,000,000 characters, and the longest aeb-dev article is 54k.
MAX_PAGE_TEXT_CHARS = 2_000_000
# Elements after cleaning; the largest aeb-dev page has 1,643 before it. trafilatura's time grows
# faster than the tree (25,000 one-line paragraphs: 1.5 s CPU; 50,000: 9.4 s), so this bound keeps
# a hostile page to a few seconds.
MAX_ELEMENTS = 30_000
# Nesting kept in the tree; deeper elements are unwrapped (their text stays). aeb-dev pages reach
# depth 32 at most; trafilatura recurses over the tree and works at 250. libxml2 stops parsing at
# a fixed depth and silently drops the rest of the page, so deeper pages are re-parsed through an
# event parser that flattens instead of truncating.
MAX_DEPTH = 128
# Bytes searched for the page's own encoding declaration (<meta charset>, http-equiv, <?xml?>):
# the HTML standard's prescan reads 1,024 bytes, but real pages put <meta charset> after long
# <head> preambles (aeb-dev: up to 13 kB in).
DECLARATION_SNIFF_BYTES = 16_384
# An undeclared page that is not UTF-8 and defeats detection is read as browsers read it.
BROWSER_DEFAULT_ENCODING = "cp1252"

# --- what never reaches the text ---------------------------------------------------------------

# Elements removed with everything inside them before any extraction.
DROP_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
    "audio",
    "video",
    "source",
    "track",
    "map",
    "button",
    "select",
    "option",
    "textarea",
    "input",
    "dialog",
)
# Inline style values that hide an element (compared after removing spaces, lowercased).
HIDDEN_STYLES: tuple[str, ...] = ("display:none", "visibility:hidden")

# --- page furniture ------------------------------------------------------------------------------

# <nav>, <aside> and <footer> are removed before extraction unless one holds at least this share
# of the page's text (a page that misuses <aside> for its main column). On aeb-dev removing them
# changes no page's score and saves 6% of this stage's median time per page (14% in total).
SEMANTIC_FURNITURE_MAX_SHARE = 0.5
# Containers whose headings are navigation, never article sections.
NAV_TAGS: frozenset[str] = frozenset({"nav", "aside", "footer", "header", "form", "menu"})
# class/id words of containers that hold page furniture rather than article text. Matched as
# whole words of the attribute split on non-letters ("related-links" -> {"related", "links"}).
# Calibrated on aeb-dev: none of these words labels a container of gold article text there.
BOILERPLATE_CLASS_WORDS: frozenset[str] = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "footer",
        "sidebar",
        "related",
        "recommended",
        "recommendations",
        "trending",
        "latest",
        "bio",
        "byline",
        "author",
        "popular",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "share",
        "sharing",
        "social",
        "comments",
        "comment",
        "promo",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "sponsored",
        "outbrain",
        "taboola",
        "cookie",
        "cookies",
        "consent",
        "modal",
        "popup",
        "tags",
        "pagination",
        "masthead",
        "toolbar",
    }
)

# A container named like furniture is furniture only when small: layout wrappers carry the same
# words ("and-w-sidebar" around a 2,600-character article). aeb-dev furniture boxes hold < 1,500.
FURNITURE_MAX_CHARS = 2000
# Extracted text found in furniture is dropped unless it is most of the text (then the container
# is the article's own); on aeb-dev furniture holds at most 12% of what trafilatura extracts.
FURNITURE_MAX_SHARE = 0.5

# class words of a <div> or <span> that a CMS uses as a subheading instead of <h2>/<h3>
# (aeb-dev: PolitiFact's class="pf_subheadline"). Such a line is read as a level-2 heading.
SUBHEAD_CLASS_WORDS: frozenset[str] = frozenset(
    {"subhead", "subheadline", "subheading", "crosshead", "crossheading", "intertitle"}
)

# Paragraphs that are the page talking, not the article (checked on whole blocks, casefolded).
# Each family was seen on aeb-dev pages where trafilatura kept it and the gold did not.
BOILERPLATE_BLOCK_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # teaser links inserted between paragraphs ("READ MORE: ...", "SEE MORE: ...")
        r"^(read|see|watch|click|learn) more\b\W",
        r"^(related|recommended|more from|also read|also see|you may also like|"
        r"you might also like|don'?t miss|don’t miss|most read|most popular)\b",
        # newsletter and app prompts
        r"^(sign up|subscribe|get the [\w ]{0,30}(app|newsletter))\b",
        r"\bclick here to (subscribe|get|download|sign up|read)\b",
        r"^(thanks|thank you) for (signing up|subscribing)\b",
        r"^follow (us|him|her|them|@)\b.{0,80}\b(twitter|facebook|instagram|linkedin)\b",
        # reprint and copyright footers
        r"^(copyright|©|\(c\))\s*\W?\s*\d{4}\b",
        r"^(copyright|©)\b.{0,60}\b(19|20)\d\d\b.{0,60}$",
        r"\ball rights reserved\b",
        r"^this copy is for your personal,? non-?commercial use\b",
        r"^order reprints?\b",
        # affiliate disclosures
        r"^if you (buy|purchase) something through\b",
        r"^explore further$",
        r"^(advertisement|sponsored( content)?|comments?)$",
    )
)

# A multi-line block (a list) whose characters are more than this share link text is a list of
# links. Single paragraphs are not judged by links: on aeb-dev, dropping short link-heavy lines
# too cost more than it gained (F1 0.980 against 0.982): "CLICK FOR FULL RESULTS", source URLs
# and social handles are article text there, and teasers mostly open with "READ MORE" and the
# like, which the patterns above catch.
LINK_DENSITY_MAX = 0.6
# ...but a run of at least LINK_RUN_MIN short lines that are (almost) all link text is a list of
# links written without <ul> ("related posts" as a stack of linked <h3> or <p>). On aeb-dev the
# in-article link lines ("Get it on Amazon for $39.99") stand alone between paragraphs.
LINK_RUN_MIN = 3
LINK_LINE_MAX_CHARS = 200
LINK_LINE_DENSITY = 0.9

# Loose text of a container (lines between its child blocks, <br>-separated) counts as link text
# the characters of each link whose text a line holds: every line is compared with every distinct
# link text. Past this many comparisons in one container the lines count no link text (they are
# then never dropped as link lists). The largest aeb-dev container needs 40; a million
# comparisons of short strings take a fraction of a second.
LOOSE_LINK_CHECKS_MAX = 1_000_000

# --- extraction thresholds -----------------------------------------------------------------------

# An extraction shorter than this (characters of text) is "too little" and triggers fallbacks.
# trafilatura's own MIN_EXTRACTED_SIZE is 250; the shortest aeb-dev gold body is 369.
MIN_ARTICLE_CHARS = 250
# A page yields no article when even the fallbacks find less than this: about one sentence of
# news. Error and consent pages ("Sorry, the page you were looking for could not be found.") are
# shorter; the shortest aeb-dev gold body is 369.
MIN_ANY_ARTICLE_CHARS = 80
# JSON-LD articleBody replaces or guides the extraction only when it is a real body (not a teaser)
# and the extraction covers less than this share of its words. aeb-dev: 6 pages carry one; one is
# a 500-character teaser, one holds escaped HTML, the others match the article.
JSONLD_BODY_MIN_CHARS = 400
JSONLD_COVERAGE_MIN = 0.8
# A DOM block counts as present in the JSON-LD body when this share of its words' 3-grams are.
JSONLD_BLOCK_MATCH = 0.8
# Sibling containers of the article container join it ("split containers") when they look like it
# (same tag and class) and hold at least this much paragraph text.
SPLIT_CONTAINER_MIN_CHARS = 80
# Prose, for the densest-container fallback and for split containers: a block of at least this
# many characters (shorter ones are captions, bylines, buttons) of which at most this share is
# link text (more is a teaser or a link list). Set by judgment, not tuned: on aeb-dev they only
# decide which split-container twins count as article text.
PROSE_MIN_CHARS = 40
PROSE_LINK_SHARE = 0.5
# Heading markup (<hN>, a subheadline class) around more text than this is a paragraph set in
# bold, not a heading. Higher than plain text's HEADING_LINE_MAX_CHARS (90, flows.plaintext.words):
# there a short line is the only sign of a heading, here the markup says so and only clearly
# paragraph-sized text overrules it.
HEADING_ELEMENT_MAX_CHARS = 200
# <h1> is the page's headline (metadata, never a body block); headings put back between located
# paragraphs start at this level.
SECTION_HEADING_MIN_LEVEL = 2

# --- lining extracted pieces up with the page's blocks (flows.html.locate) ------------------------

# Characters of a piece's opening compared with a block's: a located block whose text
# trafilatura re-flowed still shares its opening. Set by judgment.
LOCATE_PREFIX_CHARS = 48
# Page blocks stand in for a flattened piece only if they hold (nearly) all its text: this share
# of its characters. Set by judgment.
FLATTENED_COVER_SHARE = 0.9
# Fragments (text trafilatura cut out of a longer block) shorter than this are not searched for:
# short ones ("Read more") would be found anywhere. Set by judgment.
FRAGMENT_MIN_CHARS = 12
# Blocks searched for a fragment after the last located one; bounds the cost per page. Set by
# judgment.
FRAGMENT_WINDOW_BLOCKS = 400

# --- repairs (flows.html.repair) ------------------------------------------------------------------

# The densest-container fallback credits a prose block's characters to its parent in full and to
# its grandparent at this share, so a wrapper of several prose containers can win. Set by judgment.
DENSEST_GRANDPARENT_SHARE = 0.5
# Twins of a split article container are searched for this many levels above it: article chunks
# sit in wrappers of their own, siblings of each other. Set by judgment.
SPLIT_CONTAINER_SCOPE_LEVELS = 3
# Word n-grams JSON-LD articleBody and page text are compared in (JSONLD_COVERAGE_MIN,
# JSONLD_BLOCK_MATCH): 3-grams.
JSONLD_NGRAM_WORDS = 3

# --- tidying (flows.html.page) --------------------------------------------------------------------

# A standfirst repeats og:description when one is the other cut short (descriptions are often
# truncated with an ellipsis) and the shorter keeps at least this share of the longer's characters.
# Set by judgment.
TRUNCATED_DESCRIPTION_MIN_SHARE = 0.8

# --- metadata ------------------------------------------------------------------------------------

# schema.org types whose node describes the article itself (NewsArticle and its relatives).
ARTICLE_TYPES: frozenset[str] = frozenset(
    {
        "article",
        "newsarticle",
        "analysisnewsarticle",
        "askpublicnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
        "reviewnewsarticle",
        "satiricalarticle",
        "scholarlyarticle",
        "techarticle",
        "report",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "discussionforumposting",
    }
)
# Page-level types consulted after the article types (dates and titles of the page itself).
PAGE_TYPES: frozenset[str] = frozenset(
    {"webpage", "itempage", "collectionpage", "aboutpage", "medicalwebpage", "creativework"}
)
# <meta> keys (property, name or itemprop, lowercased) per field, in order of precedence.
META_TITLE = ("og:title", "twitter:title", "title", "dc.title", "sailthru.title", "parsely-title")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")
META_SITE = ("og:site_name", "application-name", "dc.publisher", "publisher", "cre")
META_AUTHOR = (
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "citation_author",
)
# Publication dates; modification dates are deliberately absent (an update is not publication).
META_PUBLISHED = (
    "article:published_time",
    "article:published",
    "article.published",
    "og:published_time",
    "og:pubdate",
    "og:datepublished",
    "datepublished",
    "pubdate",
    "pub_date",
    "publish-date",
    "publishdate",
    "publish_date",
    "date.release",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "citation_publication_date",
    "pdate",
    "date",
    "datecreated",
)
META_LANGUAGE = ("content-language", "language", "dc.language", "og:locale", "inlanguage")
# Byline words that are not names.
BYLINE_PREFIX = re.compile(r"^\s*(by|from|von|par|por|di|door)\s+", re.IGNORECASE)
# Title suffixes such as " | Site Name" or " - Site Name" on <title>.
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»]\s+")
# JSON-LD graphs nest a few levels; a hostile one must not recurse for ever. Set by judgment.
JSONLD_MAX_DEPTH = 12
# Elements marked rel="author" or itemprop="author" often wrap a handle or the date too: text
# longer than this is no name, and at most this many names are kept. Set by judgment.
MARKED_AUTHOR_MAX_CHARS = 60
MARKED_AUTHORS_MAX = 6
# Timestamps tried per source of a publication date (JSON-LD nodes, meta tags, marked elements):
# the first that parses wins, and a failed parse tries a dozen formats. aeb-dev pages offer at
# most 10 per source; a hostile page can repeat a tag a million times. Past the cap a source's
# further values are not read.
DATE_CANDIDATES_MAX = 32
# Publication years kept: news on the web; earlier "dates" in meta tags are placeholders like
# 1970-01-01. The upper bound leaves room for any UTC offset without overflowing datetime.
PUBLISHED_MIN_YEAR = 1990
PUBLISHED_MAX_YEAR = 9998
