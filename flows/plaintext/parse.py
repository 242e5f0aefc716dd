"""Read the structure of a plain-text article: front matter, headings and paragraphs."""

from __future__ import annotations

from flows.normalize import normalize_text
from flows.plaintext import words as lx
from flows.records import Draft, DraftBlock, Metadata
from flows.words import MINOR_WORDS


def parse_plaintext(text: str, *, encoding: str | None = None) -> Draft:
    """Split decoded text into front matter (headline, credit, byline) and body blocks."""
    groups = _line_groups(normalize_text(text))
    # Each line stands alone: hard-wrapped lines were joined, so a line is a paragraph or more.
    lines = [(line, gi) for gi, group in enumerate(groups) for line in group]
    blocks: list[DraftBlock] = []
    meta: dict[str, str] = {}
    body_from = _front_matter(lines, groups, blocks, meta)
    body = lines[body_from:]
    for pos, (line, _group) in enumerate(body):
        markdown = lx.MARKDOWN_HEADING.match(line)
        if markdown:
            blocks.append(DraftBlock("heading", markdown["text"], len(markdown["hashes"])))
        elif _is_heading(line) and _body_follows(body, pos):
            blocks.append(DraftBlock("heading", line, 2))
        else:
            blocks.append(DraftBlock("paragraph", line))
    return Draft(
        blocks=tuple(blocks),
        meta=Metadata(
            title=meta.get("title"),
            byline=meta.get("byline"),
            source_name=meta.get("source_name"),
        ),
        encoding=encoding,
    )


def _line_groups(text: str) -> list[list[str]]:
    """Blank-line separated groups, each a list of paragraph lines (hard wraps joined)."""
    groups = []
    for chunk in text.split("\n\n"):
        # Lines with no letter or digit ("* * *") are typographic separators, not text.
        lines = [line for line in chunk.split("\n") if lx.HAS_WORD.search(line)]
        if not lines:
            continue
        if _is_hard_wrapped(lines):
            lines = [" ".join(lines)]
        elif (
            len(lines) > lx.WRAP_MIN_LINES and _is_heading(lines[0]) and _is_hard_wrapped(lines[1:])
        ):
            lines = [lines[0], " ".join(lines[1:])]  # a heading right above wrapped prose
        groups.append(lines)
    return groups


def _is_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < lx.WRAP_MIN_LINES:
        return False
    wrapped = sum(
        1 for line in lines[:-1] if len(line) >= lx.WRAP_MIN_CHARS and not _ends_full_stop(line)
    )
    return wrapped >= lx.WRAP_LINE_SHARE * (len(lines) - 1)


def _front_matter(
    lines: list[tuple[str, int]],
    groups: list[list[str]],
    blocks: list[DraftBlock],
    meta: dict[str, str],
) -> int:
    """Consume headline / credit / byline lines at the top; return the index of the body start."""
    pos = 0
    while pos < min(len(lines), lx.FRONT_MATTER_MAX_LINES) and pos < len(lines) - 1:
        line = lines[pos][0]
        byline = lx.BYLINE.match(line)
        if _is_credit(line) and "source_name" not in meta:
            meta["source_name"] = line
            blocks.append(DraftBlock("credit", line))
        elif byline and "byline" not in meta and len(line.split()) <= lx.HEADING_LINE_MAX_WORDS:
            names, _, credit = byline["names"].partition(", ")
            meta["byline"] = names
            if credit and _is_credit(credit):
                meta.setdefault("source_name", credit)
            blocks.append(DraftBlock("byline", line))
        elif "title" not in meta and _is_title(line, lines, pos, groups):
            markdown = lx.MARKDOWN_HEADING.match(line)
            meta["title"] = markdown["text"] if markdown else line
            blocks.append(DraftBlock("title", meta["title"], 1))
        else:
            break
        pos += 1
    return pos


def _is_credit(line: str) -> bool:
    bare = line.strip("()[]—–- ").rstrip(".").casefold()
    return bare in lx.WIRE_SERVICES or bool(lx.CREDIT_SUFFIXES.search(bare))


def _is_title(line: str, lines: list[tuple[str, int]], pos: int, groups: list[list[str]]) -> bool:
    """A headline: the first line that is not a credit or byline, set apart by a blank line
    after it (it ends its group), short, with more text to follow."""
    group = lines[pos][1]
    ends_group = pos + 1 >= len(lines) or lines[pos + 1][1] != group
    if not ends_group or group + 1 >= len(groups):
        return False
    if lx.MARKDOWN_HEADING.match(line):
        return True
    words = line.split()
    if len(words) > lx.HEADLINE_MAX_WORDS or len(line) > lx.HEADLINE_MAX_CHARS:
        return False
    return not _ends_sentence(line) or _is_all_caps(line) or _is_title_case(line)


def _is_title_case(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha() and w.casefold() not in MINOR_WORDS]
    capitalized = sum(w[0].isupper() for w in words)
    return len(words) >= lx.TITLE_CASE_MIN_WORDS and capitalized >= lx.TITLE_CASE_SHARE * len(words)


def _is_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > lx.HEADING_LINE_MAX_WORDS or len(line) > lx.HEADING_LINE_MAX_CHARS:
        return False
    if line[0] in lx.QUOTE_OPENERS:  # a quoted line is speech ("(CROSSTALK.)"), not a title
        return False
    if _is_all_caps(line):
        return True
    first = line.lstrip("([")[:1]
    return (first.isupper() or first.isdigit()) and not _ends_sentence(line)


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(lx.TRAILING_CLOSERS)
    return bool(stripped) and stripped[-1] in lx.TERMINAL_PUNCTUATION


def _ends_full_stop(line: str) -> bool:
    stripped = line.rstrip(lx.TRAILING_CLOSERS)
    return bool(stripped) and stripped[-1] in lx.FULL_STOPS


def _is_all_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < lx.ALL_CAPS_MIN_LETTERS:
        return False
    return sum(ch.isupper() for ch in letters) >= lx.ALL_CAPS_SHARE * len(letters)


def _body_follows(body: list[tuple[str, int]], pos: int) -> bool:
    """A heading must open something: the next line is prose, not another heading or nothing."""
    if pos + 1 >= len(body):
        return False
    following = body[pos + 1][0]
    return (
        not _is_heading(following)
        or len(following) > len(body[pos][0]) * lx.HEADING_NEXT_LINE_RATIO
    )
