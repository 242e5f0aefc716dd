"""Inputs built to hit each stage's worst case, as bytes of a requested size, from a seed.

Every generator is a pure function `(size, seed) -> bytes`: the same arguments give the same
bytes, the result holds at most `size` bytes (and, past a few hundred bytes, nearly that many),
and `size` may be anything up to MAX_BYTES. CASES names each one with its media type and the
stage it aims at; tests run them at moderate sizes, benchmarks.bench_adversarial at 1 and 10 MB.

    plain text   single_line       one line of a few repeated words and names (entity clusters)
                 same_names        the same few names, thousands of times, in short paragraphs
                 similar_names     names sharing given names, surnames, initials; acronyms, lists
                 titles_initials   "Dr. J. R. Smith", "Mr. Smith", "Smiths", "Gen. Smith"
                 quote_marks       one paragraph of balanced, unbalanced, alternating marks
                 quoted_paragraphs run-on quotes over paragraphs, pronoun speakers, intros
                 reporting_verbs   "said said said" around names and quotes
                 heading_lines     heading-like lines, alone, in runs, before prose
                 nested_quotes     quotations nested thousands deep in one paragraph
    HTML         html_many_blocks  many paragraphs, identical and distinct; <br> lines with links
                 html_many_headings runs of headings with few paragraphs
                 html_deep_nesting elements nested far deeper than the tree keeps
                 html_metadata     very many meta tags, attributes, JSON-LD nodes, marked authors
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_BYTES = 32 * 1024 * 1024  # the pipeline's own input cap (flows.settings.Settings.max_bytes)

GIVEN = (
    "Vladimir Donald Anna Otto Sergey Maria John Jane Dmitry Olena Pete Natalia Wang Li "
    "Grigory Kyrylo Mark Emma Hans Igor Sarah Omar Yuri Elena"
).split()
SURNAMES = (
    "Putin Trump Berg Lavrov Smith Jones Karasin Budanov Zelenskyy Witkoff Martinez Sampras "
    "Donghai Kuznets Umerov Rubio Brown Miller Novak Petrov Sidorov Meyer Schmidt Kowalski"
).split()
PLACES = "Moscow Kyiv Riyadh Odesa Mykolaiv Kherson Washington Berlin Paris Geneva".split()
ORGS = (
    ("Federal Security Service", "FSB"),
    ("North Atlantic Treaty Organization", "NATO"),
    ("European Central Bank", "ECB"),
    ("International Monetary Fund", "IMF"),
    ("World Health Organization", "WHO"),
)
TITLES = "Dr. Mr. Mrs. Ms. Gen. Sen. President Prof. Capt. Rev. Gov. Judge".split()
VERBS = "said told added says asked noted warned wrote stressed insisted replied".split()
FILLER = (
    "the talks on Tuesday were about a ceasefire and the ports while officials met in private "
    "and the delegation left early after a long day of meetings that ended without a deal"
).split()
DOUBLE_MARKS = ("“", "”", '"', "«", "»", "„")
SINGLE_MARKS = ("‘", "’", "'", "‹", "›")


@dataclass(frozen=True, slots=True)
class Case:
    """One generator: its name, the media type its bytes are, and what it aims at."""

    name: str
    media_type: str
    make: Callable[[int, int], bytes]
    target: str


def _fill(size: int, pieces: Iterator[str], *, separator: str = "") -> bytes:
    """Join pieces until `size` bytes, then cut at a character boundary (never past `size`)."""
    parts: list[str] = []
    total = 0
    for piece in pieces:
        parts.append(piece)
        total += len(piece.encode("utf-8")) + len(separator)
        if total >= size:
            break
    data = separator.join(parts).encode("utf-8")[:size]
    return data.decode("utf-8", errors="ignore").encode("utf-8")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(count))


# --- plain text ----------------------------------------------------------------------------------


def single_line(size: int, seed: int = 0) -> bytes:
    """One line, no paragraph break: a few words and names over and over (the 1 MB file that
    took 30 s in entity clustering)."""
    rng = random.Random(seed)
    names = ["Vladimir Putin", "Putin", "Donald Trump", "Trump", "Anna Berg", "Berg", "Moscow"]

    def pieces() -> Iterator[str]:
        while True:
            yield f"{rng.choice(names)} met {rng.choice(names)} and {rng.choice(FILLER)} "

    return _fill(size, pieces())


def same_names(size: int, seed: int = 0) -> bytes:
    """Short paragraphs repeating the same full names and their short forms."""
    rng = random.Random(seed)

    def pieces() -> Iterator[str]:
        while True:
            sentences = [
                f"{rng.choice(('Vladimir Putin', 'Putin', 'Mr. Putin'))} met "
                f"{rng.choice(('Donald Trump', 'Trump'))} in {rng.choice(PLACES)}."
                for _ in range(rng.randint(1, 6))
            ]
            yield " ".join(sentences)

    return _fill(size, pieces(), separator="\n\n")


def similar_names(size: int, seed: int = 0) -> bytes:
    """Many different names that share given names, surnames and first words, lone surnames and
    given names, acronyms spelled out and not, and long coordinated lists."""
    rng = random.Random(seed)

    def sentence() -> str:
        kind = rng.randrange(6)
        if kind == 0:
            full, short = rng.choice(ORGS)
            return f"The {full}, or {short}, said the {short} would act."
        if kind == 1:
            members = [rng.choice(PLACES + SURNAMES) for _ in range(rng.randint(3, 40))]
            return f"Ports in {', '.join(members[:-1])} and {members[-1]} were hit."
        if kind == 2:
            letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
            return f"{letters} and {rng.choice(GIVEN)} {letters.title()} met {letters}."
        if kind == 3:
            return f"{rng.choice(SURNAMES)} met {rng.choice(GIVEN)} and {_name(rng)}."
        if kind == 4:
            return f"{_name(rng)} {rng.choice(SURNAMES)} and {rng.choice(GIVEN)} agreed."
        return f"{rng.choice(GIVEN)} {rng.randrange(10_000)} {rng.choice(SURNAMES)} spoke."

    def pieces() -> Iterator[str]:
        while True:
            yield " ".join(sentence() for _ in range(rng.randint(1, 8)))

    return _fill(size, pieces(), separator="\n\n")


def titles_initials(size: int, seed: int = 0) -> bytes:
    """Titles, initials and plurals of one surname: "Dr. J. R. Smith", "Mr. Smith", "Smiths"."""
    rng = random.Random(seed)

    def mention() -> str:
        surname = rng.choice(SURNAMES[:4])
        initials = " ".join(f"{rng.choice('JRABKT')}." for _ in range(rng.randint(0, 3)))
        titles = " ".join(rng.choice(TITLES) for _ in range(rng.randint(0, 4)))
        form = rng.randrange(4)
        if form == 0:
            return f"{titles} {initials} {surname}".strip()
        if form == 1:
            return f"the {surname}s"
        if form == 2:
            return f"{rng.choice(TITLES)} {surname}"
        return f"{rng.choice(GIVEN)} {initials} {surname}".replace("  ", " ")

    def pieces() -> Iterator[str]:
        while True:
            yield " ".join(
                f"{mention()} {rng.choice(VERBS)} {mention()}." for _ in range(rng.randint(1, 10))
            )

    return _fill(size, pieces(), separator="\n")


def quote_marks(size: int, seed: int = 0) -> bytes:
    """One paragraph of quote marks of every kind: balanced pairs, lone openers and closers,
    alternating kinds, apostrophes, marks between spaces."""
    rng = random.Random(seed)
    marks = (*DOUBLE_MARKS, *SINGLE_MARKS)

    def pieces() -> Iterator[str]:
        while True:
            kind = rng.randrange(5)
            if kind == 0:
                yield f"“{_words(rng, rng.randint(1, 12))},” {_name(rng)} said. "
            elif kind == 1:
                yield f"{rng.choice(marks)}{_words(rng, rng.randint(1, 4))} "
            elif kind == 2:
                yield f"{_words(rng, 2)}{rng.choice(marks)} {rng.choice(marks)} "
            elif kind == 3:
                yield f"‘{_words(rng, 3)}’ and don’t {rng.choice(marks)} "
            else:
                yield f"«{_words(rng, 2)}» {rng.choice(VERBS)} he. "

    return _fill(size, pieces())


def quoted_paragraphs(size: int, seed: int = 0) -> bytes:
    """Paragraphs of quotes: run-on quotes left open over many paragraphs, pronoun speakers,
    paragraphs ending in a colon before a quote, dashes naming speakers."""
    rng = random.Random(seed)

    def pieces() -> Iterator[str]:
        while True:
            kind = rng.randrange(5)
            if kind == 0:  # a run-on quote over several paragraphs
                for _ in range(rng.randint(2, 30)):
                    yield f"“{_words(rng, rng.randint(5, 30))}."
                yield f"“{_words(rng, 5)},” {_name(rng)} said."
            elif kind == 1:
                yield f"{_name(rng)} {rng.choice(VERBS)} in a statement:"
                yield f"“{_words(rng, 10)}.”"
            elif kind == 2:
                yield (
                    f"“{_words(rng, 8)},” he said. “{_words(rng, 6)}.” "
                    f"She added: “{_words(rng, 4)}.”"
                )
            elif kind == 3:
                yield f"“{_words(rng, 6)}.” ― {_name(rng)}"
            else:
                yield f"{_name(rng)} met {_name(rng)}. It said “{_words(rng, 3)}” again."

    return _fill(size, pieces(), separator="\n\n")


def reporting_verbs(size: int, seed: int = 0) -> bytes:
    """Reporting verbs in runs ("said said said") around names and quotes, in long sentences."""
    rng = random.Random(seed)

    def pieces() -> Iterator[str]:
        while True:
            verbs = " ".join(rng.choice(VERBS) for _ in range(rng.randint(1, 40)))
            yield f"{_name(rng)} {verbs} “{_words(rng, rng.randint(1, 6))}” {verbs} he {verbs}, "
            if rng.random() < 0.05:
                yield "according to the statement by Putin.\n\n"

    return _fill(size, pieces())


def heading_lines(size: int, seed: int = 0) -> bytes:
    """Heading-like lines: Title Case, ALL CAPS and Markdown, alone and in long runs, some
    followed by prose."""
    rng = random.Random(seed)

    def heading() -> str:
        words = " ".join(w.title() for w in rng.sample(FILLER, rng.randint(1, 6)))
        form = rng.randrange(3)
        if form == 0:
            return words
        if form == 1:
            return words.upper()
        return f"{'#' * rng.randint(1, 6)} {words}"

    def pieces() -> Iterator[str]:
        while True:
            for _ in range(rng.randint(1, 50)):
                yield heading()
            if rng.random() < 0.5:
                yield f"{_name(rng)} said {_words(rng, rng.randint(10, 40))}."

    return _fill(size, pieces(), separator=rng.choice(("\n", "\n\n")))


def nested_quotes(size: int, seed: int = 0) -> bytes:
    """One paragraph of quotations nested thousands deep: “a ‘b “c ‘d ... ’ ” ’ ”, said X."""
    rng = random.Random(seed)
    opening, closing = [], []
    total = 0
    depth = 0
    while total < size:
        single = depth % 2 == 1
        word = rng.choice(FILLER)
        opening.append(f"{'‘' if single else '“'}{word} ")
        closing.append(f"{'’' if single else '”'} {rng.choice(VERBS)} {_name(rng)} ")
        total += len(opening[-1].encode()) + len(closing[-1].encode())
        depth += 1
    text = f"{_name(rng)} said " + "".join(opening) + "".join(reversed(closing)) + "."
    return _fill(size, iter([text]))


# --- HTML ----------------------------------------------------------------------------------------


def _page(size: int, head: str, body: Iterator[str]) -> bytes:
    start = f"<!doctype html><html lang='en'><head><title>Page</title>{head}</head><body>"
    end = "</body></html>"
    room = size - len(start.encode()) - len(end.encode())
    if room < 0:
        return (start + end).encode()[:size]  # too small for a page: its first bytes
    return start.encode() + _fill(room, body) + end.encode()


def html_many_blocks(size: int, seed: int = 0) -> bytes:
    """Very many block elements: the same paragraph again and again, distinct ones, and a
    container of <br>-separated lines full of links."""
    rng = random.Random(seed)

    def body() -> Iterator[str]:
        yield "<article>"
        while True:
            kind = rng.randrange(4)
            if kind == 0:
                yield "<p>The same paragraph, said Vladimir Putin, again and again.</p>"
            elif kind == 1:
                yield f"<p>{_name(rng)} said “{_words(rng, rng.randint(5, 25))}.”</p>"
            elif kind == 2:  # now and then thousands of linked lines in one container
                count = rng.randint(10, 5000 if rng.random() < 0.1 else 200)
                links = "".join(
                    f"<a href='/{i}'>{_words(rng, 2)} {i}</a> {_words(rng, 2)}<br>"
                    for i in range(count)
                )
                yield f"<div class='story'>{links}</div>"
            else:
                yield f"<ul>{''.join(f'<li>{_words(rng, 4)}</li>' for _ in range(20))}</ul>"

    return _page(size, "", body())


def html_many_headings(size: int, seed: int = 0) -> bytes:
    """Runs of headings of every level with a paragraph now and then."""
    rng = random.Random(seed)

    def body() -> Iterator[str]:
        yield "<article><p>" + _words(rng, 60) + "</p>"
        while True:
            for _ in range(rng.randint(1, 200)):
                level = rng.randint(1, 6)
                yield f"<h{level}>{_words(rng, rng.randint(1, 5)).title()}</h{level}>"
            if rng.random() < 0.3:
                yield f"<p>{_name(rng)} said {_words(rng, 40)}.</p>"

    return _page(size, "", body())


def html_deep_nesting(size: int, seed: int = 0) -> bytes:
    """Elements nested far deeper than the tree keeps: divs, spans, lists, with text at every
    level and the same class on each (twins of the article container)."""
    rng = random.Random(seed)
    tags = ("div", "section", "span", "blockquote", "ul", "li", "p", "b")
    opening: list[str] = []
    closing: list[str] = []
    total = 0
    while total < size:
        tag = rng.choice(tags)
        opening.append(f"<{tag} class='story-body'>{_words(rng, rng.randint(0, 12))}")
        closing.append(f"</{tag}>")
        total += len(opening[-1]) + len(closing[-1])
    return _page(size, "", iter(["".join(opening), "".join(reversed(closing))]))


def html_metadata(size: int, seed: int = 0) -> bytes:
    """Very many meta tags (unparsable dates first), attributes, JSON-LD nodes and elements
    marked as author or publication date, around a short article."""
    rng = random.Random(seed)
    head: list[str] = []
    budget = size // 2
    total = 0
    while total < budget:
        kind = rng.randrange(4)
        if kind == 0:
            piece = f"<meta name='date' content='not a date {rng.randrange(10**6)}'>"
        elif kind == 1:
            attributes = " ".join(f"data-a{i}='{i}'" for i in range(rng.randint(1, 100)))
            piece = f"<meta property='og:title' content='Title' {attributes}>"
        elif kind == 2:
            node = {"@type": "NewsArticle", "datePublished": "soon", "author": {"name": "X"}}
            graph = {"@graph": [node] * rng.randint(1, 50)}
            piece = f"<script type='application/ld+json'>{json.dumps(graph)}</script>"
        else:
            piece = f"<meta name='author' content='{_name(rng)}'>"
        if total + len(piece.encode()) > budget:
            break
        head.append(piece)
        total += len(piece.encode())

    def body() -> Iterator[str]:
        yield f"<article><p>{_name(rng)} said {_words(rng, 80)}.</p>"
        while True:
            yield (
                f"<span itemprop='author' data-x='{rng.randrange(10**6)}'>{_name(rng)}</span>"
                f"<time itemprop='datePublished'>never {rng.randrange(100)}</time>"
            )

    return _page(size, "".join(head), body())


CASES: tuple[Case, ...] = (
    Case("single_line", "text/plain", single_line, "entity clusters and resolution"),
    Case("same_names", "text/plain", same_names, "entity clusters, propagation"),
    Case("similar_names", "text/plain", similar_names, "full names, acronyms, list cues"),
    Case("titles_initials", "text/plain", titles_initials, "span cleanup, name shapes"),
    Case("quote_marks", "text/plain", quote_marks, "mark pairing, parse windows"),
    Case("quoted_paragraphs", "text/plain", quoted_paragraphs, "chains, pronoun speakers"),
    Case("reporting_verbs", "text/plain", reporting_verbs, "attribution windows"),
    Case("heading_lines", "text/plain", heading_lines, "plain-text headings, sections"),
    Case("nested_quotes", "text/plain", nested_quotes, "mark pairing, nested spans"),
    Case("html_many_blocks", "text/html", html_many_blocks, "block location"),
    Case("html_many_headings", "text/html", html_many_headings, "heading repair, sections"),
    Case("html_deep_nesting", "text/html", html_deep_nesting, "bounded tree, split containers"),
    Case("html_metadata", "text/html", html_metadata, "metadata extraction"),
)
BY_NAME: dict[str, Case] = {case.name: case for case in CASES}
