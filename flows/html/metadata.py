"""Read document metadata from an HTML page: JSON-LD, OpenGraph and article:* meta, the markup.

Precedence, first found wins (each source is named by what a publisher writes):

    title         JSON-LD headline > og:title > twitter:title > meta title > the only <h1>
                  > <title> without its " | Site" suffix
    byline        JSON-LD author names > meta author / article:author / byl / parsely-author
                  > elements marked rel="author" or itemprop="author"
    published_at  JSON-LD datePublished (dateCreated) > article:published_time and the other
                  publication meta (words.META_PUBLISHED) > microdata
                  itemprop="datePublished" (its datetime, content or text) and <time pubdate>
                  > the first <time datetime> inside <article>
    source_name   JSON-LD publisher name > og:site_name > application-name > dc.publisher
    canonical_url <link rel="canonical"> > og:url > JSON-LD url / mainEntityOfPage
    language      <html lang> > meta content-language > og:locale > JSON-LD inLanguage
    description   JSON-LD description > og:description > meta description > twitter:description

JSON-LD nodes of the article types (NewsArticle and its relatives, words.ARTICLE_TYPES) come
before page-level nodes (WebPage). Timestamps are timezone-aware UTC; a timestamp without an
offset is taken to be UTC (publishers' meta tags that omit it are mostly UTC in practice), and a
bare date is midnight UTC. Dates before 1990 are placeholders (1970-01-01) and are ignored.
Strings have HTML entities decoded; the assembler normalizes them like body text.
"""

from __future__ import annotations

import email.utils
import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from flows.html.words import (
    ARTICLE_TYPES,
    BYLINE_PREFIX,
    DATE_CANDIDATES_MAX,
    JSONLD_MAX_DEPTH,
    MARKED_AUTHOR_MAX_CHARS,
    MARKED_AUTHORS_MAX,
    META_AUTHOR,
    META_DESCRIPTION,
    META_LANGUAGE,
    META_PUBLISHED,
    META_SITE,
    META_TITLE,
    PAGE_TYPES,
    PUBLISHED_MAX_YEAR,
    PUBLISHED_MIN_YEAR,
    TITLE_SEPARATORS,
)
from flows.records import Metadata

_LD_SCRIPTS = etree.XPath(
    "//script[translate(normalize-space(@type), 'LDJSON', 'ldjson') = 'application/ld+json']"
)
_METAS = etree.XPath("//meta[@content]")
_LINK_CANONICAL = etree.XPath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href")
_AUTHOR_ELEMENTS = etree.XPath("//*[@rel='author' or @itemprop='author']")
_AUTHOR_NAME = etree.XPath(".//*[@itemprop='name']")
# Microdata: <time itemprop="datePublished" datetime=...>, <span itemprop="datePublished">...
_PUBLISHED_MARKUP = etree.XPath("//*[@itemprop='datePublished'] | //time[@pubdate]")
_ARTICLE_TIMES = etree.XPath("//article//time/@datetime")
_H1 = etree.XPath("//h1")
_TITLE = etree.XPath("//head/title | //title")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_EPOCH = re.compile(r"^\d{10}(?P<millis>\d{3})?$")  # Unix time in seconds or milliseconds
_URLISH = re.compile(r"^(https?:)?//|^www\.", re.IGNORECASE)
_DATE_FORMATS = (  # seen in meta tags and microdata beyond ISO 8601 and RFC 2822
    "%Y%m%d",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%I:%M %p, %B %d, %Y",
    "%I:%M %p, %b %d, %Y",
)
# Words around a human-written date that strptime cannot skip: "Posted: Fri 6:45 PM, ...".
_DATE_NOISE = re.compile(
    r"^\W*(posted|published|updated|on)\b:?|\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b,?|\s+(at|on)\s+",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(r"[\d@|/]")


@dataclass(frozen=True, slots=True)
class PageFacts:
    """Metadata plus the JSON-LD articleBody, which the extractor uses as evidence."""

    meta: Metadata
    article_body: str | None


def extract_metadata(root: Any) -> PageFacts:
    """Collect metadata from a parsed page (before scripts are stripped: JSON-LD lives in them)."""
    nodes = list(_jsonld_nodes(root))
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    pages = [n for n in nodes if _types(n) & PAGE_TYPES]
    ranked = articles + pages
    meta = _meta_tags(root)
    title = _first(
        _ld_strings(articles, "headline", "name"),
        _from_meta(meta, META_TITLE),
        _single_h1(root),
        _page_title(root),
    )
    metadata = Metadata(
        title=title,
        byline=_first(_ld_authors(articles), _meta_authors(meta), _marked_authors(root)),
        source_name=_first(_ld_publisher(articles + nodes), _from_meta(meta, META_SITE)),
        published_at=_first_date(
            _ld_strings(ranked, "datePublished", "dateCreated"),
            _from_meta(meta, META_PUBLISHED, every=True),
            _marked_dates(root),
            (str(v) for v in _ARTICLE_TIMES(root)[:1]),
        ),
        language=_first(
            _language(root.get("lang") or root.get("xml:lang")),
            _language(_first(_from_meta(meta, META_LANGUAGE))),
            _language(_first(_ld_strings(ranked, "inLanguage"))),
        ),
        canonical_url=_first(
            (str(v).strip() for v in _LINK_CANONICAL(root)),
            _from_meta(meta, ("og:url",)),
            _ld_strings(articles, "url"),
            _ld_ids(articles, "mainEntityOfPage"),
        ),
        description=_first(
            _ld_strings(articles, "description"), _from_meta(meta, META_DESCRIPTION)
        ),
    )
    body = _first(_ld_strings(articles, "articleBody", "text"))
    return PageFacts(meta=metadata, article_body=body)


# --- JSON-LD -------------------------------------------------------------------------------------


def _jsonld_nodes(root: Any) -> Iterator[dict[str, Any]]:
    for script in _LD_SCRIPTS(root):
        data = _load_json(script.text or "")
        if data is not None:
            yield from _walk(data, 0)


def _load_json(text: str) -> Any:
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)  # strict=False: raw newlines in strings
        except (ValueError, RecursionError):  # RecursionError: hostile nesting
            continue
    return None


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > JSONLD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity", "itemListElement", "hasPart"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for v in values if v}


def _ld_strings(nodes: list[dict[str, Any]], *keys: str) -> Iterator[str]:
    for node in nodes:
        for key in keys:
            value = node.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, dict):
                value = value.get("name") or value.get("@value")
            if isinstance(value, str | int | float) and str(value).strip():
                yield str(value).strip()


def _ld_ids(nodes: list[dict[str, Any]], key: str) -> Iterator[str]:
    for node in nodes:
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and _URLISH.match(value):
            yield value.strip()


def _ld_authors(nodes: list[dict[str, Any]]) -> Iterator[str]:
    for node in nodes:
        raw = node.get("author") or node.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        names = []
        for item in items:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, list):
                name = ", ".join(str(n) for n in name)
            if isinstance(name, str) and (cleaned := _clean_author(name)):
                names.append(cleaned)
        if names:
            yield ", ".join(dict.fromkeys(names))


def _ld_publisher(nodes: list[dict[str, Any]]) -> Iterator[str]:
    for node in nodes:
        publisher = node.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            yield publisher["name"].strip()
        elif _types(node) & {"newsmediaorganization", "website"} and isinstance(
            node.get("name"), str
        ):
            yield node["name"].strip()


# --- meta tags and markup ------------------------------------------------------------------------


def _meta_tags(root: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in _METAS(root):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def _from_meta(
    meta: dict[str, list[str]], keys: tuple[str, ...], every: bool = False
) -> Iterator[str]:
    for key in keys:
        values = meta.get(key, [])
        yield from (values if every else values[:1])


def _meta_authors(meta: dict[str, list[str]]) -> Iterator[str]:
    for value in _from_meta(meta, META_AUTHOR):
        if not _URLISH.match(value) and (cleaned := _clean_author(value)):
            yield cleaned


def _marked_authors(root: Any) -> Iterator[str]:
    names: dict[str, None] = {}  # distinct, in order
    for element in _AUTHOR_ELEMENTS(root):
        if len(names) == MARKED_AUTHORS_MAX:
            break  # no further name is kept
        if element.tag in ("link", "meta"):
            continue
        named = _AUTHOR_NAME(element)
        name = _clean_author((named[0] if named else element).text_content())
        # Marked elements often wrap a handle or the date too; a name has neither.
        if name and len(name) <= MARKED_AUTHOR_MAX_CHARS and not _NOT_A_NAME.search(name):
            names[name] = None
    if names:
        yield ", ".join(names)


def _clean_author(name: str) -> str | None:
    name = BYLINE_PREFIX.sub("", " ".join(html.unescape(name).split()))
    return name.strip(" ,;|") or None


def _marked_dates(root: Any) -> Iterator[str]:
    for element in _PUBLISHED_MARKUP(root):
        if element.tag != "meta":  # <meta itemprop> was read with the other meta tags
            yield element.get("datetime") or element.get("content") or element.text_content()


def _single_h1(root: Any) -> Iterator[str]:
    headings = [" ".join(h.text_content().split()) for h in _H1(root)]
    headings = [h for h in headings if h]
    if len(headings) == 1:
        yield headings[0]


def _page_title(root: Any) -> Iterator[str]:
    for element in _TITLE(root)[:1]:
        text = " ".join(element.text_content().split())
        parts = TITLE_SEPARATORS.split(text)
        # "Headline | Site": keep the longest part, which is the headline on every aeb-dev page
        if text:
            yield max(parts, key=len) if len(parts) > 1 else text


def _language(value: str | None) -> str | None:
    match = _LANG.match((value or "").strip())
    return match.group(1).lower() if match else None


# --- dates ---------------------------------------------------------------------------------------


def parse_timestamp(value: str) -> datetime | None:
    """A timezone-aware UTC datetime from a publisher's timestamp; None if it is not one."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime | None = None
    epoch = _EPOCH.match(value)
    if epoch:
        seconds = int(value) / (1000 if epoch["millis"] else 1)
        parsed = datetime.fromtimestamp(seconds, tz=UTC)
    else:
        parsed = _iso(value) or _rfc2822(value) or _formatted(value)
    if parsed is None or not PUBLISHED_MIN_YEAR <= parsed.year <= PUBLISHED_MAX_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value else value)
    except ValueError:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None


def _rfc2822(value: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _formatted(value: str) -> datetime | None:
    value = " ".join(_DATE_NOISE.sub(" ", value).replace(" ,", ",").split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)  # naive on purpose: the caller applies UTC
        except ValueError:
            continue
    return None


def _first(*sources: Iterator[str] | str | None) -> str | None:
    """The first non-blank value, with HTML entities decoded (JSON-LD often holds "&#8216;")."""
    for source in sources:
        if source is None:
            continue
        for value in [source] if isinstance(source, str) else source:
            if value and value.strip():
                return html.unescape(value).strip()
    return None


def _first_date(*sources: Iterator[str]) -> datetime | None:
    """The first value that parses as a timestamp, of the first DATE_CANDIDATES_MAX of each
    source (a page can repeat a meta tag or a marked element a million times)."""
    for source in sources:
        for value in itertools.islice(source, DATE_CANDIDATES_MAX):
            parsed = parse_timestamp(value)
            if parsed is not None:
                return parsed
    return None
