"""Reading README.md's examples for the analyst tests: its sh and python code blocks."""

from __future__ import annotations

import re
import shlex

from tests.conftest import ROOT

_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_blocks(language: str, section: str) -> list[str]:
    """The code blocks in one language under a README heading (up to the next heading of the
    same level)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{section}\n") + len(section) + 2
    level = len(section.split(" ", 1)[0])
    following = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(text, start)
    body = text[start : following.start() if following else len(text)]
    return [code for lang, code in _BLOCK.findall(body) if lang == language]


def readme_queries() -> list[list[str]]:
    """The arguments of every `newsdesk query` command in the README's analyst section."""
    commands: list[list[str]] = []
    for block in readme_blocks("sh", "## Analysing the tables"):
        words = shlex.split(block.replace("\\\n", " "))
        for index, word in enumerate(words):
            if word == ".venv/bin/newsdesk" and words[index + 1 : index + 2] == ["query"]:
                rest = words[index + 2 :]
                end = next((i for i, w in enumerate(rest) if w == ".venv/bin/newsdesk"), len(rest))
                args = rest[:end]
                if args and args[0] != "SQL":  # the synopsis line, not an example
                    commands.append(args)
    return commands
