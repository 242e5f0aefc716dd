"""House rules the code must keep: Arrow, Prefect and the file system each stay in their modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parent.parent / "flows"

# module -> modules allowed to import it
ALLOWED = {
    "pyarrow": {"schema", "tables", "warehouse", "flow"},
    "prefect": {"flow"},
    "duckdb": set(),
}
# Modules that may touch the file system (open, Path.read_*, os.walk, ...).
IO_MODULES = {"sources", "warehouse", "schema"}
IO_METHODS = {
    "read_bytes",
    "read_text",
    "write_bytes",
    "write_text",
    "mkdir",
    "unlink",
    "rglob",
    "iterdir",
    "touch",
}
IO_PACKAGES = {"os", "shutil", "glob", "pathlib", "tempfile"}


def _modules() -> list[Path]:
    return sorted(p for p in FLOWS.glob("*.py") if p.name != "__init__.py")


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_third_party_boundaries(path: Path) -> None:
    imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
    for package, allowed in ALLOWED.items():
        if package in imported:
            assert path.stem in allowed, f"{path.name} imports {package}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_file_system_only_at_the_ends(path: Path) -> None:
    if path.stem in IO_MODULES or path.stem in {"cli", "flow"}:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id != "open", f"{path.name}:{node.lineno} calls open()"
            elif isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                assert owner not in IO_PACKAGES, f"{path.name}:{node.lineno} calls {owner}."
                assert func.attr not in IO_METHODS, f"{path.name}:{node.lineno} {func.attr}()"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_every_module_has_a_one_sentence_docstring(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path.name} has no module docstring"


def test_records_are_frozen_slotted_dataclasses() -> None:
    import dataclasses

    from flows import records

    for obj in vars(records).values():
        if dataclasses.is_dataclass(obj) and isinstance(obj, type):
            params = obj.__dataclass_params__  # type: ignore[attr-defined]
            assert params.frozen, obj.__name__
            assert hasattr(obj, "__slots__"), obj.__name__
