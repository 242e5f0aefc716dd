"""The seed warehouse, built once per session with the real CLI, for the analyst tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.analyst.reference import build_seed_warehouse
from tests.conftest import run_cli


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """seeds/ plus an empty file and an image (rejected), ingested from a temporary folder."""
    return build_seed_warehouse(tmp_path_factory.mktemp("analyst"))


HOSTILE_TITLE = '<img src=x onerror=alert(1)> Council & "Friends" </title><script>alert(2)</script>'
HOSTILE_ARTICLE = f"""{HOSTILE_TITLE}

By Dana Reporter

PORTVILLE — The city council met on Monday to vote on the harbor budget.

"We will <b>not</b> back down <script>alert(3)</script>," said Mayor Jane Roe.

Jane Roe said the final vote would come in May.
"""
EDIT = "\nThe council adjourned at noon.\n"


@pytest.fixture(scope="session")
def edited_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One article with a hostile title and quote, ingested, edited, and ingested again: two
    versions under one source_uri, and no rejects."""
    work = tmp_path_factory.mktemp("edited")
    story = work / "inbox" / "story.txt"
    story.parent.mkdir()
    story.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    for _ in range(2):
        proc = run_cli("ingest", "inbox", "--warehouse", "warehouse", "-q", cwd=work)
        assert proc.returncode == 0, proc.stderr
        story.write_text(HOSTILE_ARTICLE + EDIT, encoding="utf-8")
    return work / "warehouse"
