"""House rules the layout must keep, read from the source of every flows module with ast.

Each rule is a checker that returns its violations as "module:line: what" strings. The rules run
over every module of flows/, and each one is also fed a small made-up module that breaks it, so a
checker that stopped seeing anything would fail here too.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows import records

FLOWS = Path(__file__).resolve().parent.parent / "flows"
# Stage packages: flows/<name>/ with an __init__ that exports the stage's entry points.
PACKAGES = frozenset(p.parent.name for p in FLOWS.glob("*/__init__.py"))


@dataclass(frozen=True, slots=True)
class Module:
    """One module's dotted name and syntax tree."""

    name: str  # "flows.html.tree"; a package's __init__ is named for the package ("flows.html")
    tree: ast.Module
    is_package: bool = False

    @property
    def package(self) -> str | None:
        """The stage package the module belongs to, or None for a top-level module."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in PACKAGES else None

    def where(self, node: ast.AST | None = None) -> str:
        return f"{self.name}:{getattr(node, 'lineno', 1)}"


def _load(path: Path) -> Module:
    parts = list(path.relative_to(FLOWS.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return Module(".".join(parts), ast.parse(path.read_text(encoding="utf-8")), is_package)


MODULES = [_load(p) for p in sorted(FLOWS.rglob("*.py"))]


def fake(name: str, source: str) -> Module:
    """A made-up module named like a real one; "flows" and "flows.<package>" are __init__s."""
    is_package = name == "flows" or name.removeprefix("flows.") in PACKAGES
    return Module(name, ast.parse(source), is_package)


def _in_store(module: Module) -> bool:
    return module.package == "store"


# --- reading a module ----------------------------------------------------------------------------


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    """The module an import-from names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    base = base if module.is_package else base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(module: Module) -> Iterator[tuple[ast.stmt, str, tuple[str, ...]]]:
    """(statement, module imported, names taken from it) for every import, nested ones too."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            yield node, _absolute(module, node), tuple(a.name for a in node.names)


def _imported_names(module: Module) -> Iterator[tuple[ast.stmt, str]]:
    """Every dotted name an import brings in: `from a import b` brings "a" and "a.b"."""
    for node, name, names in imports(module):
        yield node, name
        for taken in names:
            yield node, f"{name}.{taken}"


def _aliases(module: Module) -> dict[str, str]:
    """Local name -> the dotted name it stands for, from the module's imports."""
    out: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    first = alias.name.split(".")[0]
                    out[first] = first
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            for alias in node.names:
                out[alias.asname or alias.name] = f"{base}.{alias.name}"
    return out


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """`pq.write_table` -> "pyarrow.parquet.write_table"; None when not a plain name chain."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, aliases)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


def _starts(name: str, prefixes: frozenset[str]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in prefixes)


# --- rule: third-party libraries and the top layers stay in their modules -------------------------

# imported name -> the modules (or packages, as "flows.store") allowed to import it
IMPORT_RULES: dict[str, frozenset[str]] = {
    # run asks Prefect's settings for an API URL only when a settings file mentions one.
    "prefect": frozenset({"flows.flow", "flows.deploy", "flows.cli", "flows.run"}),
    # analyst: empty tables from the Arrow schemas, Arrow datasets of object storage, results.
    "pyarrow": frozenset({"flows.store", "flows.flow", "flows.analyst"}),
    # Writing Parquet is the warehouse's job; analyst's output only turns a query's result into
    # Parquet bytes for `newsdesk query --format parquet` (the CLI writes them).
    "pyarrow.parquet": frozenset({"flows.store", "flows.analyst.output"}),
    # A reader's tool: tests, docs, and the analyst package, which only reads the warehouse.
    "duckdb": frozenset({"flows.analyst"}),
    # Dask: the cluster seam holds the plain client; the Prefect layer its task runner.
    "distributed": frozenset({"flows.cluster"}),
    "prefect_dask": frozenset({"flows.flow"}),
    "deltalake": frozenset({"flows.store"}),  # object-storage tables are the warehouse's job
    # The Prefect layer sits on top of everything; scheduled runs (deploy) wrap the flow.
    "flows.flow": frozenset({"flows.deploy", "flows.cli", "flows.run"}),
    "flows.run": frozenset({"flows.flow", "flows.deploy", "flows.cli"}),
    "flows.deploy": frozenset({"flows.cli"}),
    "flows.cli": frozenset(),
    "flows.cluster": frozenset({"flows.run", "flows.flow"}),
}


def check_imports(module: Module) -> list[str]:
    found = []
    for node, name in _imported_names(module):
        for library, allowed in IMPORT_RULES.items():
            if _starts(name, frozenset({library})) and not _starts(module.name, allowed):
                found.append(f"{module.where(node)}: imports {name}")
    return sorted(set(found))


# --- rule: a package is entered through its __init__ ---------------------------------------------


def _exports() -> dict[str, frozenset[str]]:
    out = {}
    for module in MODULES:
        if module.is_package and module.package is not None:
            out[module.package] = frozenset(_all_names(module))
    return out


def _all_names(module: Module) -> list[str]:
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [str(name) for name in value]
    return []


EXPORTS = _exports()


def check_package_entry(module: Module) -> list[str]:
    """Outside a package, only `flows.<pkg>` and the names in its __all__ may be imported."""
    found = []
    for node, name, names in imports(module):
        parts = name.split(".")
        if parts[0] != "flows" or len(parts) < 2 or parts[1] not in PACKAGES:
            continue
        package = parts[1]
        if package == module.package:
            continue  # a package's own modules import each other freely
        if len(parts) > 2:
            found.append(f"{module.where(node)}: imports {name}, past flows.{package}'s __init__")
        for taken in names:
            if taken not in EXPORTS.get(package, frozenset()):
                found.append(f"{module.where(node)}: takes {taken} from flows.{package}")
    return found


# --- rule: files are written by the store, read by sources and the store ------------------------

_WRITE_CALLS = frozenset(
    {
        f"os.{name}"
        for name in (
            "replace rename renames link symlink remove unlink mkdir makedirs rmdir removedirs "
            "truncate ftruncate chmod chown utime mkfifo write fsync open".split()
        )
    }
)
_WRITE_PREFIXES = frozenset({"shutil", "tempfile", "pyarrow.parquet"})
# Path methods that write. Path.replace is left out: str.replace cannot be told from it here.
_WRITE_METHODS = frozenset(
    "write_text write_bytes mkdir unlink touch rmdir symlink_to hardlink_to chmod rename".split()
)
_READ_CALLS = frozenset(
    {f"os.{name}" for name in "walk fwalk listdir scandir stat lstat access readlink".split()}
    | {
        f"os.path.{name}"
        for name in "exists lexists isdir isfile islink getsize getmtime realpath samefile".split()
    }
)
_READ_PREFIXES = frozenset({"glob", "fcntl"})
_OPEN_FUNCTIONS = frozenset({"open", "builtins.open", "io.open"})
_READ_METHODS = frozenset(
    "read_text read_bytes iterdir glob rglob stat lstat exists is_file is_dir is_symlink".split()
)
# Modules allowed to touch the file system as the CLI and the flow need (paths, lock files).
# analyst.reference is a developer's tool (make reference): it builds the seed warehouse in a
# temporary folder and writes docs/TABLES.md and docs/newsdesk.sql. analyst.output calls
# pyarrow.parquet only to turn a query's result into Parquet bytes in memory (the CLI writes them).
# cluster writes a token into the run's staging folder for Dask workers to find (and they write
# back), and stats inputs, to prove the workers share the caller's file system.
_IO_EDGES = frozenset(
    {
        "flows.cli",
        "flows.flow",
        "flows.run",
        "flows.cluster",
        "flows.analyst.reference",
        "flows.analyst.output",
    }
)
# deploy looks whether the inbox is a directory before asking sources what is in it.
# budget reads the process's own memory from /proc/self/statm, workers the machine's available
# memory from /proc/meminfo to size the default pool.
# analyst.tables lists the Parquet files of a warehouse's pinned snapshot (it writes nothing),
# analyst.views reads the view definitions shipped as package data.
_READERS = frozenset(
    {
        "flows.sources",
        "flows.deploy",
        "flows.budget",
        "flows.workers",
        "flows.analyst.tables",
        "flows.analyst.views",
    }
)


def _open_mode(call: ast.Call, position: int) -> str | None:
    """The mode of an open() call: the literal, "r" when not given, None when not a literal."""
    node = call.args[position] if len(call.args) > position else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            node = keyword.value
    if node is None:
        return "r"
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def file_access(module: Module) -> Iterator[tuple[ast.Call, str, str]]:
    """(call, "read" or "write", what) for every call that touches the file system."""
    aliases = _aliases(module)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func, aliases) or ""
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        builtin_open = name in _OPEN_FUNCTIONS
        if builtin_open or (method == "open" and name not in _WRITE_CALLS):  # Path.open
            mode = _open_mode(node, 1 if builtin_open else 0)
            writes = mode is None or any(flag in mode for flag in "wax+")
            yield node, "write" if writes else "read", f"open(mode={mode!r})"
        elif name in _WRITE_CALLS or _starts(name, _WRITE_PREFIXES) or method in _WRITE_METHODS:
            yield node, "write", name or method
        elif name in _READ_CALLS or _starts(name, _READ_PREFIXES) or method in _READ_METHODS:
            yield node, "read", name or method


def check_file_system(module: Module) -> list[str]:
    if module.name in _IO_EDGES or _in_store(module):
        return []
    found = []
    for node, kind, what in file_access(module):
        if kind == "write" or module.name not in _READERS:
            found.append(f"{module.where(node)}: {kind}s files ({what})")
    return found


# --- rule: environment, clock and chance stay at the edges ---------------------------------------

_ENVIRONMENT = frozenset({"os.environ", "os.environb", "os.getenv", "os.putenv", "os.unsetenv"})
# store.location reads the standard AWS_* variables as every AWS client does, so credentials
# never pass through Settings (whose values land in the runs table) or a task's arguments.
_ENVIRONMENT_USERS = frozenset(
    {
        "flows.settings",
        "flows.environment",
        "flows.cli",
        "flows.flow",
        "flows.run",
        "flows.store.location",
    }
)
_CLOCK = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.perf_counter",
        "uuid.uuid1",
        "uuid.uuid4",
    }
)
# budget's watchdog reads the clock to enforce a document's time budget; never reaches a row.
_CLOCK_USERS = frozenset({"flows.cli", "flows.flow", "flows.run", "flows.store", "flows.budget"})
# The pipeline times its stages for the run's report; the figures never reach a row.
_TIMER_USERS = {"time.perf_counter": frozenset({"flows.pipeline"})}


def check_impure(module: Module) -> list[str]:
    """Stages are pure: the environment is read by settings, the clock only at the edges."""
    aliases = _aliases(module)
    found = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Name | ast.Attribute):
            continue
        name = _dotted(node, aliases) or ""
        if _starts(name, _ENVIRONMENT) and module.name not in _ENVIRONMENT_USERS:
            found.append(f"{module.where(node)}: reads the environment ({name})")
        clock = name in _CLOCK or _starts(name, frozenset({"random", "secrets"}))
        timer = module.name in _TIMER_USERS.get(name, frozenset())
        if clock and not timer and not _starts(module.name, _CLOCK_USERS):
            found.append(f"{module.where(node)}: reads the clock or chance ({name})")
    return sorted(set(found))


# --- rule: a package __init__ only re-exports --------------------------------------------------


def check_init(module: Module) -> list[str]:
    """A stage package's __init__ holds its docstring, imports and __all__, and exports only
    (and all of) the names __all__ lists."""
    if not module.is_package or module.package is None:
        return []
    found = []
    bound: set[str] = set()
    listed: list[str] | None = None
    for index, node in enumerate(module.tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom | ast.Import):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            bound.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif (
            isinstance(node, ast.Assign)
            and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            listed = [ast.literal_eval(e) for e in node.value.elts]
        else:
            found.append(f"{module.where(node)}: defines something ({type(node).__name__})")
    if listed is None:
        found.append(f"{module.where()}: has no __all__")
    elif set(listed) != bound:
        found.append(f"{module.where()}: exports {sorted(bound)} but __all__ lists {listed}")
    return found


def check_root_init(module: Module) -> list[str]:
    """flows/__init__.py is the distribution's root, not a stage: its docstring and version."""
    if module.name != "flows":
        return []
    return [
        f"{module.where(node)}: the root package holds only its docstring and __version__"
        for index, node in enumerate(module.tree.body)
        if not (index == 0 and isinstance(node, ast.Expr))
        and not (
            isinstance(node, ast.Assign)
            and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__version__"]
        )
        and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]


# --- rule: one-sentence module docstrings ------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")


def check_docstring(module: Module) -> list[str]:
    doc = ast.get_docstring(module.tree)
    if not doc:
        return [f"{module.where()}: no module docstring"]
    first = doc.split("\n", 1)[0].strip()
    if not first.endswith("."):
        return [f"{module.where()}: the docstring's first line is not a sentence: {first!r}"]
    if _SENTENCE_BREAK.search(first):
        return [f"{module.where()}: the docstring's first line is more than one sentence"]
    return []


# --- rule: records are frozen slotted dataclasses ----------------------------------------------


def _dataclass_flags(node: ast.ClassDef) -> dict[str, bool] | None:
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call is not None else decorator
        if isinstance(target, ast.Name | ast.Attribute) and (
            getattr(target, "id", None) == "dataclass"
            or getattr(target, "attr", None) == "dataclass"
        ):
            keywords = call.keywords if call is not None else []
            return {
                k.arg: isinstance(k.value, ast.Constant) and k.value.value is True
                for k in keywords
                if k.arg is not None
            }
    return None


def check_records(module: Module) -> list[str]:
    if module.name != "flows.records":
        return []
    found = []
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef):
            flags = _dataclass_flags(node)
            if flags is None or not (flags.get("frozen") and flags.get("slots")):
                found.append(f"{module.where(node)}: {node.name} is not frozen and slotted")
    return found


# --- the rules over flows/ -----------------------------------------------------------------------

Checker = Callable[[Module], list[str]]
CHECKERS: dict[str, Checker] = {
    "imports": check_imports,
    "package_entry": check_package_entry,
    "file_system": check_file_system,
    "impure": check_impure,
    "init": check_init,
    "root_init": check_root_init,
    "docstring": check_docstring,
    "records": check_records,
}


def test_the_stage_packages() -> None:
    assert sorted(PACKAGES) == [
        "analyst",
        "entities",
        "html",
        "plaintext",
        "quotes",
        "store",
        "stories",
    ]
    assert set(EXPORTS) == PACKAGES
    assert all(EXPORTS.values())


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_flows_keeps_the_house_rules(module: Module) -> None:
    assert [v for checker in CHECKERS.values() for v in checker(module)] == []


def test_records_are_frozen_slotted_dataclasses() -> None:
    classes = [
        obj
        for obj in vars(records).values()
        if isinstance(obj, type) and obj.__module__ == records.__name__
    ]
    assert classes
    for cls in classes:
        assert dataclasses.is_dataclass(cls), cls.__name__
        params = cls.__dataclass_params__  # type: ignore[attr-defined]  # set by @dataclass
        assert params.frozen, cls.__name__
        assert "__slots__" in vars(cls), cls.__name__


# --- each rule can fail --------------------------------------------------------------------------

# (rule, module name, source, words the report must contain); each is a small module that
# breaks exactly that rule.
VIOLATIONS: list[tuple[str, str, str, str]] = [
    ("imports", "flows.html.page", "import prefect\n", "imports prefect"),
    ("imports", "flows.quotes.extract", "from prefect import task\n", "imports prefect"),
    ("imports", "flows.pipeline", "import pyarrow as pa\n", "imports pyarrow"),
    ("imports", "flows.flow", "import pyarrow.parquet as pq\n", "imports pyarrow.parquet"),
    ("imports", "flows.entities.extract", "from pyarrow import parquet\n", "pyarrow.parquet"),
    ("imports", "flows.store.tables", "import duckdb\n", "imports duckdb"),
    ("imports", "flows.run", "from deltalake import DeltaTable\n", "imports deltalake"),
    ("imports", "flows.store.warehouse", "from flows.flow import ingest\n", "flows.flow"),
    ("imports", "flows.pipeline", "from flows import cli\n", "imports flows.cli"),
    ("imports", "flows.html.page", "def f():\n    import flows.cli\n", "flows.cli"),
    ("imports", "flows.flow", "from flows.deploy import ingest_inbox\n", "flows.deploy"),
    ("imports", "flows.run", "from distributed import Client\n", "imports distributed"),
    ("imports", "flows.run", "from prefect_dask import DaskTaskRunner\n", "prefect_dask"),
    ("package_entry", "flows.pipeline", "from flows.html.tree import parse_tree\n", "past"),
    ("package_entry", "flows.quotes.speakers", "import flows.entities.words\n", "past"),
    ("package_entry", "flows.quotes.kinds", "from flows.entities import words\n", "takes words"),
    ("package_entry", "flows.store.tables", "from ..html import page\n", "takes page"),
    ("file_system", "flows.html.page", "open('out.txt', 'w')\n", "writes files"),
    ("file_system", "flows.sources", "open(path, mode='ab')\n", "writes files"),
    ("file_system", "flows.sources", "open(path, mode)\n", "writes files"),
    ("file_system", "flows.pipeline", "data = open(path).read()\n", "reads files"),
    ("file_system", "flows.html.page", "(root / 'x').open('wb')\n", "writes files"),
    ("file_system", "flows.assemble", "with path.open() as f:\n    pass\n", "reads files"),
    ("file_system", "flows.entities.extract", "path.read_text()\n", "reads files"),
    ("file_system", "flows.normalize", "path.write_text('x')\n", "writes files"),
    ("file_system", "flows.sources", "root.mkdir(parents=True)\n", "writes files"),
    ("file_system", "flows.deploy", "inbox.mkdir()\n", "writes files"),
    ("file_system", "flows.sections", "import os\nos.unlink(p)\n", "writes files"),
    ("file_system", "flows.sources", "from os import replace\nreplace(a, b)\n", "writes files"),
    ("file_system", "flows.sources", "import os as o\no.symlink(a, b)\n", "writes files"),
    ("file_system", "flows.sources", "import shutil\nshutil.copy(a, b)\n", "writes files"),
    ("file_system", "flows.decode", "import os\nos.path.exists(p)\n", "reads files"),
    ("file_system", "flows.language", "import glob\nglob.glob('*')\n", "reads files"),
    ("impure", "flows.quotes.extract", "import os\nos.environ['X']\n", "environment"),
    ("impure", "flows.nlp", "from os import getenv\ngetenv('X')\n", "environment"),
    ("impure", "flows.html.page", "from datetime import datetime\ndatetime.now()\n", "clock"),
    ("impure", "flows.pipeline", "import time\ntime.monotonic()\n", "clock"),
    ("impure", "flows.entities.resolution", "import random\nrandom.random()\n", "chance"),
    ("init", "flows.html", "from flows.html.page import parse_html\n", "no __all__"),
    (
        "init",
        "flows.html",
        "from flows.html.page import parse_html\nfrom flows.html.tree import parse_tree\n"
        "__all__ = ['parse_html']\n",
        "exports",
    ),
    (
        "init",
        "flows.quotes",
        "from flows.quotes.extract import extract_quotes\n__all__ = ['extract_quotes']\nX = 1\n",
        "defines something",
    ),
    ("init", "flows.store", "def commit():\n    pass\n__all__ = ['commit']\n", "defines"),
    ("root_init", "flows", "'''Doc.'''\n__version__ = '1'\nDEBUG = True\n", "only its"),
    ("docstring", "flows.sections", "x = 1\n", "no module docstring"),
    ("docstring", "flows.sections", "'''Split a document\ninto sections.'''\n", "not a sentence"),
    ("docstring", "flows.sections", "'''Split it. Then join it.'''\n", "more than one"),
    (
        "records",
        "flows.records",
        "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Block:\n    x: int\n",
        "Block is not frozen and slotted",
    ),
    ("records", "flows.records", "class Loose:\n    pass\n", "Loose is not frozen"),
]


@pytest.mark.parametrize(
    ("rule", "name", "source", "words"),
    VIOLATIONS,
    ids=[f"{rule}-{i}" for i, (rule, *_) in enumerate(VIOLATIONS)],
)
def test_each_rule_reports_a_violation(rule: str, name: str, source: str, words: str) -> None:
    found = CHECKERS[rule](fake(name, source))
    assert found, f"{rule} saw nothing wrong in {source!r}"
    assert any(words in violation for violation in found), found


# The same shapes, allowed: the rules do not simply report everything.
ALLOWED: list[tuple[str, str, str]] = [
    ("imports", "flows.flow", "import pyarrow as pa\nfrom prefect import flow\n"),
    ("imports", "flows.store.warehouse", "import pyarrow.parquet as pq\n"),
    ("imports", "flows.cli", "from flows.flow import run_ingest\n"),
    ("imports", "flows.deploy", "from prefect import flow\nfrom flows.flow import ingest\n"),
    ("imports", "flows.cluster", "from distributed import Client, WorkerPlugin\n"),
    ("package_entry", "flows.pipeline", "from flows.html import parse_html\n"),
    ("package_entry", "flows.flow", "from flows.store import TABLES, commit\n"),
    ("package_entry", "flows.quotes.kinds", "from flows.quotes.chains import Paragraph\n"),
    ("package_entry", "flows.quotes.kinds", "from flows.words import MINOR_WORDS\n"),
    ("file_system", "flows.sources", "data = open(path, 'rb').read()\npath.read_bytes()\n"),
    ("file_system", "flows.store.warehouse", "import os\nos.replace(a, b)\nroot.mkdir()\n"),
    ("file_system", "flows.cli", "open('x', 'w')\n"),
    ("file_system", "flows.deploy", "import os\nos.path.isdir(inbox)\n"),
    ("file_system", "flows.normalize", "text.replace('a', 'b')\n"),
    ("impure", "flows.settings", "import os\nos.environ.get('NEWSDESK_X')\n"),
    ("impure", "flows.store.location", "import os\nos.environ.get('AWS_REGION')\n"),
    ("impure", "flows.flow", "import uuid\nuuid.uuid4()\n"),
    (
        "init",
        "flows.html",
        "'''Doc.'''\nfrom flows.html.page import parse_html\n__all__ = ['parse_html']\n",
    ),
    ("root_init", "flows", "'''Doc.'''\n__version__ = '1'\n"),
    (
        "docstring",
        "flows.sections",
        "'''Split a document into sections: a lead, then headings.'''\n",
    ),
    (
        "records",
        "flows.records",
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True, slots=True)\nclass Block:\n    x: int\n",
    ),
]


@pytest.mark.parametrize(
    ("rule", "name", "source"), ALLOWED, ids=[f"{r}-{i}" for i, (r, *_) in enumerate(ALLOWED)]
)
def test_each_rule_allows_what_the_layout_allows(rule: str, name: str, source: str) -> None:
    assert CHECKERS[rule](fake(name, source)) == []


def test_every_rule_is_shown_both_ways() -> None:
    assert {rule for rule, *_ in VIOLATIONS} == set(CHECKERS)
    assert {rule for rule, *_ in ALLOWED} == set(CHECKERS)
