"""Large benchmark corpora: distinct articles made by deterministic variation of real ones.

    .venv/bin/python -m benchmarks.corpus_variants DIR --articles N [--seed S]

The bases are the plain-text inputs of ../shared/corpus/*/inputs, read when the corpus is
built (nothing of them is copied into the repository): every file that is not HTML, decodes as
UTF-8 and has bytes of its own (a file repeating an earlier one's bytes is one article, not two).
Variant number i is made from one base and, sometimes, a donor from the same corpus, with a
random generator seeded by (seed, i), so the same N and seed give the same bytes, and a corpus
of N articles is the first N articles of any larger one:

- the base: bases are taken in a shuffled order, a new shuffle for each pass over them, so
  every base is used before any is used again;
- structure: the headline block and the lede stay first; later body paragraphs (and the later
  lines of a long paragraph, for one-sentence-per-line articles such as CoNLL's) are dropped
  now and then and swapped with their neighbour; short paragraphs (headings, times) stay where
  they are; a paragraph holding a quote mark or a reporting verb (said, says, told, added) is
  never dropped, so the quote stage has work;
- recombination: sometimes body paragraphs (or lines) of a second article of the same corpus
  are inserted among the base's;
- names: person names (a known first name followed by a capitalized word, and surnames the
  corpora often use alone, such as Trump) get a new first name and surname from fixed lists,
  consistently through the article (every "Clinton" becomes the same new surname); places from
  a fixed list are swapped with other places of the list;
- numbers and dates: ISO dates move by a number of days, years by a few years, clock times by
  minutes, other numbers are scaled (each distinct number consistently); weekday and month
  names rotate.

A variant whose text equals an earlier variant's is drawn again with the next attempt number,
so no two articles are the same text. Quote marks and "said" sentences are kept as written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.paths import ROOT, repo_relative

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")

# Structure. A paragraph of more than HEADER_MAX_WORDS words ends the headline block (title,
# credit line, byline); paragraphs of at most ANCHOR_MAX_WORDS words (headings, "2:45 p.m.",
# "FULL TEXT.") keep their place. A paragraph of LINE_MODE_MIN_LINES lines or more is varied
# line by line after its first LINE_MODE_KEEP lines (a dateline and a lede, in CoNLL).
HEADER_MAX_WORDS = 25
ANCHOR_MAX_WORDS = 12
LINE_MODE_MIN_LINES = 5
LINE_MODE_KEEP = 2
DROP_CHANCE = 0.15
SWAP_CHANCE = 0.25
RECOMBINE_CHANCE = 0.35
DONOR_UNITS_MAX = 3
ATTEMPTS_MAX = 50

# Numbers. Each distinct number of an article maps to one new value.
YEAR_SHIFT_MAX = 3
DAY_SHIFT_MAX = 400
SCALE_MIN, SCALE_MAX = 0.6, 1.6
DAY_OF_MONTH_MAX = 31
DAY_OF_MONTH_SAFE = 28  # a varied day number stays a day that every month has
KEEP_BELOW = 2  # 0 and 1 read as words ("1 of them"); changing them changes nothing useful
YEAR_MIN, YEAR_MAX = 1950, 2049
MINUTES_PER_HOUR = 60

QUOTE_MARKS = frozenset('"“”«»„')
_REPORTING = re.compile(r"\b(?:said|says|told|added)\b")

# A person name: a known first name, an optional middle initial, a capitalized surname.
FIRST_NAMES = frozenset(
    """
    Aaron Adam Alan Albert Alex Alexander Alice Amanda Amy Andrea Andrew Andy Angela Ann Anna
    Anne Anthony Barack Barbara Ben Benjamin Bernie Beth Betsy Bill Bob Boris Brad Brian Bruce
    Carl Carlos Carol Caroline Catherine Charles Charlie Chelsea Chris Christian Christine
    Christopher Chuck Claire Colin Craig Dan Daniel David Dennis Diana Dmitry Donald Doug Douglas
    Ed Edward Elizabeth Emily Emma Eric Frank Fred Gary George Gerald Grace Greg Hans Harry
    Helen Henry Hillary Howard Ian Ivan Jack Jacob James Jane Janet Jason Jean Jeb Jeff Jennifer
    Jeremy Jerry Jim Joe John Jonathan Joseph Josh Juan Julia Julian Karen Kate Kathy Keith
    Kelly Ken Kevin Kim Larry Laura Lee Linda Lisa Mark Martin Mary Matt Matthew Michael
    Michelle Mike Mitch Mohammed Nancy Nasser Nick Nicholas Nigel Olivia Pat Patrick Paul Pavlo
    Peter Phil Philip Rachel Ralph Raymond Rebecca Richard Rick Rob Robert Roger Ron Ronald Rudy
    Russell Ryan Sam Samuel Sarah Scott Sean Sergei Sergey Sharon Stephen Steve Steven Susan
    Ted Thomas Tim Timothy Todd Tom Tony Vladimir Walter William Yuri
    """.split()
)
# Capitalized words that follow a first name without being a surname ("Grace Road").
NOT_SURNAMES = frozenset(
    """
    Avenue Bay Boulevard Bridge Center Centre Church City Club College Committee County Court
    Cup Day Foundation Hall Hospital House Institute Island Lake League Park Party Post Press
    River Road School Service Square Stadium Street The Times Tower University Valley
    """.split()
)
# Surnames the dev corpora often use alone ("Trump said"): swapped wherever they stand. Counted
# over ../shared/corpus: Trump 1,506, Clinton 1,200, Obama 447, then Pence, Sanders, Cruz, ...
KNOWN_SURNAMES = tuple(
    """
    Arafat Blair Bush Clinton Cruz Dole Johnson Kaine Kerry Lebed McConnell Netanyahu Obama
    Pence Putin Rubio Ryan Sanders Stein Trump Yeltsin Zelenskyy
    """.split()
)
NEW_FIRST_NAMES = (
    "Abel Ada Adele Agnes Alma Amos Anders Arlo Astrid Basil Bianca Boyd Bruno Calla Cedric "
    "Cleo Cyrus Dalia Dario Delphine Desmond Dora Edgar Elio Elsa Emil Enzo Esme Ezra Fabian "
    "Faye Felix Flora Gideon Greta Hazel Hugo Ida Ilse Imre Ines Ingrid Iris Jonas Juno Kai "
    "Lars Leona Lionel Lotte Luca Magnus Malin Marek Milo Mira Nadia Nils Noor Oskar Otto "
    "Pia Quentin Rafael Rosa Rufus Saskia Silas Sonja Stellan Tamsin Thea Tobias Ulla Vera "
    "Viggo Wanda Yara Zelda"
).split()
NEW_SURNAMES = (
    "Abernathy Achterberg Aldana Amundsen Arkwright Balogun Bannerjee Barros Bellweather "
    "Bergstrom Blackwood Calloway Castellano Chandrasekar Coulthard Dalgleish Delacroix "
    "Dunmore Eriksen Esposito Fairbanks Falkenrath Fenwick Galbraith Gallagher Garrow Halvorsen "
    "Hargreaves Holloway Ibarra Ingleby Jansen Kavanagh Kettering Kowalczyk Lachance Lindqvist "
    "Lockhart Maddox Markovic Mortimer Nakamura Nightingale Okafor Oyelaran Pemberton Petrakis "
    "Quintero Radcliffe Rasmussen Rutherford Salazar Sandoval Szabo Tanaka Thornbury Underhill "
    "Valdivia Vasquez Wainwright Whitlock Yamamoto Zielinski"
).split()
# Places swapped for one another (a per-article permutation of those the article names).
PLACES = (
    "Afghanistan",
    "Athens",
    "Australia",
    "Baghdad",
    "Beijing",
    "Berlin",
    "Boston",
    "Brazil",
    "Britain",
    "Brussels",
    "Cairo",
    "California",
    "Canada",
    "Chicago",
    "China",
    "Colorado",
    "Connecticut",
    "Denver",
    "Egypt",
    "England",
    "Florida",
    "France",
    "Geneva",
    "Georgia",
    "Germany",
    "Houston",
    "India",
    "Iowa",
    "Iran",
    "Iraq",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Kenya",
    "Lisbon",
    "London",
    "Madrid",
    "Mexico",
    "Michigan",
    "Moscow",
    "Nevada",
    "New Jersey",
    "New York",
    "Nigeria",
    "Ohio",
    "Oslo",
    "Paris",
    "Pennsylvania",
    "Poland",
    "Riyadh",
    "Rome",
    "Russia",
    "Saudi Arabia",
    "Seattle",
    "Spain",
    "Stockholm",
    "Sweden",
    "Sydney",
    "Syria",
    "Texas",
    "Tokyo",
    "Turkey",
    "Ukraine",
    "Vienna",
    "Virginia",
    "Warsaw",
    "Wisconsin",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# A zero-width match at every capitalized word, so that "Speaker Paul D. Ryan" also tries
# "Paul D. Ryan" after "Speaker Paul".
_PERSON = re.compile(r"\b(?=([A-Z][a-z]+)[ \t]+(?:[A-Z]\.[ \t]+)?([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b)")
_NUMBER = re.compile(
    r"(?P<date>\b(?:19|20)\d\d-\d\d-\d\d\b)"
    r"|(?P<clock>\b\d{1,2}:\d\d\b)"
    r"|(?P<grouped>\b\d{1,3}(?:,\d{3})+\b)"
    r"|(?P<decimal>\b\d+\.\d+\b)"
    r"|(?P<integer>\b\d+\b)"
)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class Base:
    """One real article the variants start from."""

    family: str  # the corpus it came from ("conll", "polnear", ...): donors come from the same
    name: str  # its path, relative to the repository
    text: str


@dataclass(frozen=True, slots=True)
class Variant:
    """One generated article and what it was made from."""

    number: int
    family: str
    base: str
    donor: str | None
    text: str

    @property
    def filename(self) -> str:
        return f"v{self.number:06d}-{self.family}.txt"


def paragraphs(text: str) -> list[str]:
    """`text` split on blank lines, each paragraph stripped, empty ones left out."""
    return [part.strip() for part in _BLANK_LINES.split(text) if part.strip()]


def word_count(text: str) -> int:
    return len(text.split())


@functools.cache
def load_bases(shared_corpus: Path = SHARED_CORPUS) -> tuple[Base, ...]:
    """Every plain-text input of `shared_corpus/*/inputs` with bytes of its own, in a fixed
    order (corpus, then file name)."""
    folders = sorted(p for p in shared_corpus.glob("*/inputs") if p.is_dir())
    if not folders:
        raise FileNotFoundError(f"no corpus inputs under {repo_relative(shared_corpus)}")
    seen: set[str] = set()
    bases: list[Base] = []
    for folder in folders:
        family = folder.parent.name.removesuffix("-dev")
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.name.lower().endswith(HTML_SUFFIXES) or path.name.startswith("."):
                continue
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                continue
            try:
                text = data.decode("utf-8").replace("\r\n", "\n")
            except UnicodeDecodeError:
                continue
            if "\x00" in text or not text.strip():
                continue
            seen.add(digest)
            bases.append(Base(family, repo_relative(path), text))
    return tuple(bases)


def make_variant(number: int, bases: Sequence[Base], seed: int = 0, attempt: int = 0) -> Variant:
    """Variant `number` of `bases`: a pure function of its arguments."""
    base = bases[_base_order(len(bases), seed, number // len(bases))[number % len(bases)]]
    rng = random.Random(f"newsdesk-variant:{seed}:{number}:{attempt}")
    donor = None
    if rng.random() < RECOMBINE_CHANCE:
        same = [b for b in bases if b.family == base.family and b.name != base.name]
        donor = rng.choice(same) if same else None
    text = vary_structure(base.text, donor.text if donor else None, rng)
    text = swap_names(text, rng)
    text = swap_places(text, rng)
    text = vary_numbers(text, rng)
    text = rotate_calendar(text, rng)
    return Variant(number, base.family, base.name, donor.name if donor else None, text + "\n")


def make_variants(n: int, seed: int = 0, bases: Sequence[Base] | None = None) -> list[Variant]:
    """The first `n` variants, no two with the same text."""
    bases = load_bases() if bases is None else bases
    seen: set[str] = set()
    variants: list[Variant] = []
    for number in range(n):
        for attempt in range(ATTEMPTS_MAX):
            variant = make_variant(number, bases, seed, attempt)
            digest = hashlib.sha256(variant.text.encode()).hexdigest()
            if digest not in seen:
                break
        else:
            raise RuntimeError(f"variant {number} repeats an earlier text {ATTEMPTS_MAX} times")
        seen.add(digest)
        variants.append(variant)
    return variants


def write_corpus(directory: Path, n: int, seed: int = 0) -> list[Path]:
    """Write the first `n` variants as UTF-8 .txt files into `directory` (created if need be)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for variant in make_variants(n, seed):
        path = directory / variant.filename
        path.write_bytes(variant.text.encode("utf-8"))
        paths.append(path)
    return paths


@functools.cache
def _base_order(count: int, seed: int, cycle: int) -> tuple[int, ...]:
    order = list(range(count))
    random.Random(f"newsdesk-bases:{seed}:{cycle}").shuffle(order)
    return tuple(order)


# -- structure ------------------------------------------------------------------------------------


def vary_structure(text: str, donor: str | None, rng: random.Random) -> str:
    """Drop, swap and (with a donor) insert body paragraphs, or lines of a long paragraph."""
    paras = paragraphs(text)
    head = _header_length(paras)
    donor_paras = paragraphs(donor) if donor else []
    if len(paras) - head >= 2:  # noqa: PLR2004 - two body paragraphs are the least to reorder
        extra = donor_paras[_header_length(donor_paras) :] if donor else []
        paras = paras[:head] + _vary_units(paras[head:], extra, rng)
        return "\n\n".join(paras)
    longest = max(range(len(paras)), key=lambda i: paras[i].count("\n"))
    lines = paras[longest].split("\n")
    if len(lines) >= LINE_MODE_MIN_LINES:
        extra = [
            line
            for para in donor_paras
            for line in para.split("\n")[LINE_MODE_KEEP:]
            if para.count("\n") + 1 >= LINE_MODE_MIN_LINES
        ]
        lines = lines[:LINE_MODE_KEEP] + _vary_units(lines[LINE_MODE_KEEP:], extra, rng)
        paras[longest] = "\n".join(lines)
    return "\n\n".join(paras)


def _header_length(paras: Sequence[str]) -> int:
    """Paragraphs up to and including the first long one (headline block and lede)."""
    for index, para in enumerate(paras):
        if word_count(para) > HEADER_MAX_WORDS:
            return index + 1
    return len(paras)


def _vary_units(units: list[str], donor_units: list[str], rng: random.Random) -> list[str]:
    kept = [
        unit
        for unit in units
        if _is_anchor(unit) or _is_quote_work(unit) or rng.random() >= DROP_CHANCE
    ]
    if not any(not _is_anchor(unit) for unit in kept) and units:
        kept = list(units)  # never drop a whole body
    for index in range(len(kept) - 1):
        pair = kept[index], kept[index + 1]
        if not any(_is_anchor(unit) for unit in pair) and rng.random() < SWAP_CHANCE:
            kept[index], kept[index + 1] = pair[1], pair[0]
    if donor_units:
        body = [unit for unit in donor_units if not _is_anchor(unit)]
        for unit in rng.sample(body, min(len(body), rng.randint(1, DONOR_UNITS_MAX))):
            kept.insert(rng.randint(0, len(kept)), unit)
    return kept


def _is_anchor(unit: str) -> bool:
    return word_count(unit) <= ANCHOR_MAX_WORDS


def _is_quote_work(unit: str) -> bool:
    """A quote mark or a reporting verb: what the quote stage reads, never dropped."""
    return any(mark in unit for mark in QUOTE_MARKS) or bool(_REPORTING.search(unit))


# -- names and places -----------------------------------------------------------------------------


def swap_names(text: str, rng: random.Random) -> str:
    """Every detected person's first name and surname replaced, the same way all through."""
    firsts: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for match in _PERSON.finditer(text):
        first, last = match.group(1), match.group(2)
        if first not in FIRST_NAMES or last in NOT_SURNAMES:
            continue
        if first not in firsts:
            firsts[first] = _fresh(NEW_FIRST_NAMES, firsts.values(), rng)
        if last not in surnames:
            surnames[last] = _fresh(NEW_SURNAMES, surnames.values(), rng)
    for last in _words_pattern(KNOWN_SURNAMES).findall(text):
        if last not in surnames:
            surnames[last] = _fresh(NEW_SURNAMES, surnames.values(), rng)
    return _replace_words(text, {**firsts, **surnames})


def swap_places(text: str, rng: random.Random) -> str:
    """The places of PLACES that `text` names, each replaced by another place of the list."""
    found = set(_words_pattern(PLACES + tuple(p.upper() for p in PLACES)).findall(text))
    named = [place for place in PLACES if place in found or place.upper() in found]
    if not named:
        return text
    targets = rng.sample(PLACES, len(named))
    mapping = dict(zip(named, targets, strict=True))
    mapping |= {old.upper(): new.upper() for old, new in mapping.items()}  # CoNLL datelines
    return _replace_words(text, mapping)


def _fresh(pool: Sequence[str], used: Iterable[str], rng: random.Random) -> str:
    """A name of `pool` not used yet in this article (any name once the pool runs out)."""
    taken = set(used)
    choices = [name for name in pool if name not in taken] or list(pool)
    return rng.choice(choices)


def _replace_words(text: str, mapping: dict[str, str]) -> str:
    """One pass over `text`, so that no replacement is replaced again."""
    if not mapping:
        return text
    pattern = _words_pattern(tuple(sorted(mapping)))
    return pattern.sub(lambda match: mapping[match.group(0)], text)


@functools.cache
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of `words` as a whole word, the longest first ("New York" before "York")."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


# -- numbers and dates ----------------------------------------------------------------------------


def vary_numbers(text: str, rng: random.Random) -> str:
    """Dates, years, clock times and other numbers changed; the same number the same way."""
    day_shift = dt.timedelta(days=rng.randint(-DAY_SHIFT_MAX, DAY_SHIFT_MAX))
    year_shift = rng.choice([s for s in range(-YEAR_SHIFT_MAX, YEAR_SHIFT_MAX + 1) if s])
    scale = rng.uniform(SCALE_MIN, SCALE_MAX)
    minutes = rng.randrange(1, MINUTES_PER_HOUR)
    done: dict[str, str] = {}
    rules: dict[str, Callable[[str], str]] = {
        "date": lambda raw: _shift_date(raw, day_shift),
        "clock": lambda raw: _shift_clock(raw, minutes),
        "grouped": lambda raw: f"{max(1, round(int(raw.replace(',', '')) * scale)):,}",
        "decimal": lambda raw: _scale_decimal(raw, scale),
        "integer": lambda raw: _vary_integer(raw, year_shift, scale, rng),
    }

    def replace(match: re.Match[str]) -> str:
        raw = match.group(0)
        if raw not in done:
            done[raw] = rules[str(match.lastgroup)](raw)
        return done[raw]

    return _NUMBER.sub(replace, text)


def _shift_date(raw: str, shift: dt.timedelta) -> str:
    try:
        return (dt.date.fromisoformat(raw) + shift).isoformat()
    except ValueError:
        return raw


def _shift_clock(raw: str, minutes: int) -> str:
    """The minutes moved on, the hour kept (so "11:50" stays in the eleventh hour)."""
    hours, mins = raw.split(":")
    if int(mins) >= MINUTES_PER_HOUR:
        return raw
    return f"{hours}:{(int(mins) + minutes) % MINUTES_PER_HOUR:02d}"


def _scale_decimal(raw: str, scale: float) -> str:
    places = len(raw.split(".")[1])
    return f"{float(raw) * scale:.{places}f}"


def _vary_integer(raw: str, year_shift: int, scale: float, rng: random.Random) -> str:
    value = int(raw)
    if value < KEEP_BELOW:
        return raw
    if len(raw) == 4 and YEAR_MIN <= value <= YEAR_MAX:  # noqa: PLR2004 - a year has 4 digits
        return str(value + year_shift)
    width = len(raw) if raw.startswith("0") else 1  # "08" stays two digits, "8" one
    if value <= DAY_OF_MONTH_MAX:  # may be a day of the month: stay a valid one
        return str(rng.randint(KEEP_BELOW, DAY_OF_MONTH_SAFE)).zfill(width)
    return str(max(KEEP_BELOW, round(value * scale))).zfill(width)


def rotate_calendar(text: str, rng: random.Random) -> str:
    """Weekday and month names moved on by a number of days and months."""
    days, months = rng.randrange(1, len(WEEKDAYS)), rng.randrange(1, len(MONTHS))
    mapping = {name: WEEKDAYS[(i + days) % len(WEEKDAYS)] for i, name in enumerate(WEEKDAYS)}
    mapping |= {name: MONTHS[(i + months) % len(MONTHS)] for i, name in enumerate(MONTHS)}
    return _replace_words(text, mapping)


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="where the .txt files are written")
    parser.add_argument("--articles", type=int, required=True, help="how many articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    paths = write_corpus(args.directory, args.articles, args.seed)
    texts = [path.read_text(encoding="utf-8") for path in paths]
    words = sum(word_count(text) for text in texts)
    size = sum(path.stat().st_size for path in paths)
    print(
        f"wrote {len(paths)} articles ({words:,} words, {size:,} bytes) from "
        f"{len(load_bases())} real articles into {args.directory}"
    )


if __name__ == "__main__":
    main()
