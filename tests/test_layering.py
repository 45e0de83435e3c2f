"""The package's layers, read from the source (issue 14): who may import whom, no private name
taken from another package, and no import cycle.

The layers, top to bottom: the commands (``verify.cli`` and the ``*_command`` modules, the runner,
the shared options); grading and reporting; deciding; reading and the model; and at the bottom
``verify.errors`` and ``verify.safe_text``, which import nothing of ours. Reporting shows grades,
so it may import grading; grading never imports reporting. A test, not a convention, so that a
new import across the layers is a decision someone makes on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "verify"

#: package -> the packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "model": {"base"},
    "reading": {"model", "base"},
    "deciding": {"model", "base"},
    "grading": {"deciding", "reading", "model", "base"},
    "reporting": {"grading", "deciding", "reading", "model", "base"},
    "cli": {"grading", "reporting", "deciding", "reading", "model", "base"},
}
BASE = {"verify.errors", "verify.safe_text", "verify.user_cache"}


def _layer(module: str) -> str:
    if module in BASE:
        return "base"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ALLOWED:
        return parts[1]
    return "cli"  # the top-level modules: commands, runner, options, the package's own __init__


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


MODULES = _modules()


def _imports(tree: ast.Module, top_level_only: bool) -> list[tuple[str, list[str]]]:
    """(module imported, names taken) for each import; at module level only when asked (an import
    inside a function is how a deliberate late dependency is written)."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("verify"):
            names = [a.name for a in node.names]
            out.append((node.module, names))
            out += [(f"{node.module}.{n}", []) for n in names if f"{node.module}.{n}" in MODULES]
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("verify")]
        elif top_level_only and isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks are not imports
            continue
    return out


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_the_layers_below_it(module: str) -> None:
    mine = _layer(module)
    wrong = sorted({imported for imported, _ in _imports(MODULES[module], top_level_only=False)
                    if imported in MODULES and imported != "verify"
                    and _layer(imported) != mine and _layer(imported) not in ALLOWED[mine]})
    assert not wrong, f"{module} ({mine}) imports {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_is_taken_from_another_package(module: str) -> None:
    taken = sorted(f"{imported}.{name}" for imported, names in _imports(MODULES[module], top_level_only=False)
                   for name in names if name.startswith("_") and _layer(imported) != _layer(module))
    assert not taken, f"{module} takes private names {taken}"


def _exported(package: str) -> set[str]:
    """The names in a package's ``__all__``, read from its ``__init__``."""
    for node in MODULES[package].body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


PACKAGES = sorted(p for p in ALLOWED if p != "cli" and p != "base")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_states_its_interface(package: str) -> None:
    exported = _exported(f"verify.{package}")
    assert exported, f"verify/{package}/__init__.py has no __all__"
    tree = MODULES[f"verify.{package}"]
    defined = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import)
               for a in node.names}
    lazy: set[str] = set()  # names a module-level __getattr__ imports on first use: reporting's _HTML
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args
                and any(isinstance(t, ast.Name) and t.id == "_HTML" for t in node.targets)):
            lazy |= set(ast.literal_eval(node.value.args[0]))
    assert exported <= defined | lazy, f"verify.{package} exports names it does not import: {exported - defined - lazy}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_another_package_is_used_through_its_interface(module: str) -> None:
    # `from verify.deciding.engine import decide` in grading would bind grading to deciding's
    # insides; `from verify.deciding import decide` only to what deciding says it offers
    mine = _layer(module)
    wrong = []
    for imported, names in _imports(MODULES[module], top_level_only=False):
        theirs = _layer(imported)
        if theirs in (mine, "base", "cli") or imported not in MODULES or not names:
            continue
        package = f"verify.{theirs}"
        if imported != package or not set(names) <= _exported(package):
            wrong.append(f"from {imported} import {', '.join(names)}")
    assert not wrong, f"{module} reaches past another package's interface: {wrong}"


def test_no_import_cycle_at_module_level() -> None:
    graph = {m: {i for i, _ in _imports(tree, top_level_only=True) if i in MODULES and i != m}
             for m, tree in MODULES.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if n == "verify" or n.startswith(m + "."):  # a package's __init__ may name its modules
                continue
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(n):], n]))
            if n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_the_layers_are_what_the_issue_draws() -> None:
    # a module put in the wrong package would be judged by the wrong rule: these must stay where they are
    assert _layer("verify.safe_text") == "base" and _layer("verify.model.result") == "model"
    assert _layer("verify.reading.claims_file") == "reading" and _layer("verify.cli.grade") == "cli"
    assert "reporting" not in ALLOWED["grading"] and "deciding" not in ALLOWED["reading"]
