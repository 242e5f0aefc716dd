"""The built package stands alone: installed (not editable) in a new venv, run outside the repo."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.store import TABLES
from tests.conftest import ROOT, run_cli

# Columns that differ between two ingests of the same bytes: the run's id and clock, and the
# partition (the UTC date of the run, read back from the hive path).
RUN_COLUMNS = frozenset({"run_id", "ingested_at", "rejected_at", "ingest_date"})
# The runs table describes each run (ids, times, the warehouse path given): compared by its counts.
RUN_TABLE_COLUMNS = frozenset(
    {"flow_run_id", "started_at", "ended_at", "parameters", "pipeline_version"}
)
# Not sources: left out of the copy that is built, so the build sees only what a checkout has.
TOP_LEVEL_SKIPS = frozenset({".git", ".venv", "warehouse", "build", "dist"})
ANYWHERE_SKIPS = ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")
BUILD_LEFTOVERS = ("build", "dist", "*.egg-info")

# Run by the new venv's interpreter: where flows and its table contracts were imported from.
WHERE_SCRIPT = """
import importlib.metadata, importlib.resources, json, sysconfig
import flows
schemas = importlib.resources.files("flows.schemas")
print(json.dumps({
    "purelib": sysconfig.get_paths()["purelib"],
    "flows": flows.__file__,
    "schemas_dir": str(schemas),
    "schemas": sorted(p.name for p in schemas.iterdir() if p.name.endswith(".toml")),
    "direct_url": importlib.metadata.distribution("newsdesk").read_text("direct_url.json"),
}))
"""


def _ignore_non_sources(directory: str, names: list[str]) -> set[str]:
    skipped = {n for n in names if any(fnmatch.fnmatch(n, p) for p in ANYWHERE_SKIPS)}
    if Path(directory) == ROOT:
        skipped |= TOP_LEVEL_SKIPS.intersection(names)
    return skipped


def _leftovers(root: Path) -> set[str]:
    return {p.name for pattern in BUILD_LEFTOVERS for p in root.glob(pattern)}


def _isolated_env() -> dict[str, str]:
    """The test's environment minus anything that could point Python or pip back at the repo
    or at an index: no PYTHONPATH, no pip configuration, no user site-packages."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"} and not key.startswith("PIP_")
    }
    env.update({"PIP_CONFIG_FILE": os.devnull, "PYTHONNOUSERSITE": "1"})
    return env


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _make_venv(venv: Path, env: dict[str, str], cwd: Path) -> Path:
    """A new venv that sees the running environment's dependencies but not its newsdesk.

    A plain path line in a .pth file is only appended to sys.path: the .pth files in that
    directory (among them the editable install's finder) are not executed, so `flows` can come
    only from what is installed into the new venv. This keeps the test offline and fast. The
    venv gets no pip or setuptools of its own: Python 3.11's ensurepip brings setuptools 65,
    which rejects our SPDX `license` string; the locked ones come through the .pth instead.
    """
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd, env)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd, env
        ).strip()
    )
    (purelib / "newsdesk-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _rows(warehouse: Path) -> dict[str, list[str]]:
    """Every table's rows without run-dependent columns, as sorted reprs (NaN-safe equality)."""
    out = {}
    for name in TABLES:
        rows = []
        for path in sorted((warehouse / name).rglob("*.parquet")):
            for row in pq.read_table(path).to_pylist():
                rows.append(
                    repr({k: v for k, v in row.items() if k not in RUN_COLUMNS | RUN_TABLE_COLUMNS})
                )
        out[name] = sorted(rows)
    return out


@pytest.mark.slow
def test_installed_package_ingests_like_the_checkout(tmp_path: Path) -> None:
    env = _isolated_env()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_ignore_non_sources)
    leftovers_before = _leftovers(ROOT)

    python = _make_venv(tmp_path / "venv", env, outside)
    # --no-index: pip never reaches for a package index; --ignore-installed: the checkout's
    # editable newsdesk, visible through the .pth, is neither replaced nor uninstalled.
    pip_install = ["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    _run([python, *pip_install, "--no-index", "--ignore-installed", source], outside, env)
    assert _leftovers(ROOT) == leftovers_before, "the build wrote into the repository"

    where = json.loads(_run([python, "-c", WHERE_SCRIPT], outside, env))
    purelib = Path(where["purelib"])
    assert Path(where["flows"]).is_relative_to(purelib), where
    assert Path(where["schemas_dir"]).is_relative_to(purelib), where
    assert where["schemas"] == sorted(p.name for p in (ROOT / "schemas").glob("*.toml"))
    assert where["schemas"] == sorted(f"{name}.toml" for name in TABLES)
    assert not json.loads(where["direct_url"]).get("dir_info", {}).get("editable", False)

    seeds = ROOT / "seeds"
    installed = _run(
        [tmp_path / "venv" / "bin" / "newsdesk", "ingest", seeds, "--warehouse", tmp_path / "w1"],
        outside,
        env,
    )
    checkout = run_cli("ingest", str(seeds), "--warehouse", str(tmp_path / "w2"))
    assert checkout.returncode == 0, checkout.stderr
    assert "4 inputs -> 4 documents" in installed, installed

    ours, theirs = _rows(tmp_path / "w1"), _rows(tmp_path / "w2")
    assert len(ours["documents"]) == len(list(seeds.iterdir()))
    assert ours["sections"], "no sections: the comparison below would prove little"
    for name in TABLES:
        assert ours[name] == theirs[name], name


def _declared(pyproject: Path) -> set[str]:
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return {_canonical(re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0]) for dep in deps}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _third_party_imports(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"flows"}


def test_every_imported_distribution_is_declared() -> None:
    """An import that works only because another dependency pulls its package in (rich came
    with Prefect) breaks the day that dependency drops it: each one is declared directly."""
    providers = metadata.packages_distributions()
    declared = _declared(ROOT / "pyproject.toml")
    imports = _third_party_imports(ROOT / "flows")
    assert {"pyarrow", "prefect", "rich"} <= imports
    undeclared = {
        module
        for module in imports
        if not {_canonical(d) for d in providers.get(module, [])} & declared
    }
    assert not undeclared, f"imported by flows/ but not in [project].dependencies: {undeclared}"
