"""The seed warehouse, built once per session with the real CLI, for the analyst tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.analyst.reference import build_seed_warehouse


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """seeds/ plus an empty file and an image (rejected), ingested from a temporary folder."""
    return build_seed_warehouse(tmp_path_factory.mktemp("analyst"))
