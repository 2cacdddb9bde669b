"""What the four installed packages import (issue #18, items 2 and 5): every import is the
standard library, one of the four packages, or a declared dependency; a package of an optional
extra is imported only inside a ``try`` whose ``except ImportError`` raises an error saying
what to install; and nothing imports the evaluation code (bench/, tests/), which the wheel does
not ship."""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("actions", "assistant", "models", "plugins")
NOT_SHIPPED = ("bench", "tests")


@dataclass(frozen=True)
class Import:
    module: str
    where: str
    guarded: bool
    """Inside ``if TYPE_CHECKING:`` or a ``try`` whose ImportError handler raises."""
    lazy: bool = False
    """Inside a function (runs only when called)."""


def _requirement_name(req: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;]", req.strip(), maxsplit=1)[0])


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    """(core dependencies, packages of optional extras), normalized distribution names."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    extras = {_requirement_name(r) for reqs in project["optional-dependencies"].values()
              for r in reqs}
    return core, extras - core


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = []
    for node in ast.walk(handler.type) if handler.type is not None else ():
        if isinstance(node, ast.Name):
            names.append(node.id)
    raises = any(isinstance(n, ast.Raise) for stmt in handler.body for n in ast.walk(stmt))
    return bool({"ImportError", "ModuleNotFoundError"} & set(names)) and raises


def _imports(path: Path, root: Path = REPO) -> list[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, guarded: bool, lazy: bool) -> None:
        if isinstance(node, ast.Try):
            safe = any(_catches_import_error(h) for h in node.handlers)
            for child in node.body:
                visit(child, guarded or safe, lazy)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, guarded, lazy)
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, True, lazy)
            for child in node.orelse:
                visit(child, guarded, lazy)
            return
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found.extend(Import(a.name, where, guarded, lazy) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(Import(node.module, where, guarded, lazy))
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, guarded, inner)

    visit(tree, False, False)
    return found


def _all_imports() -> list[Import]:
    out: list[Import] = []
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            out.extend(_imports(path))
    return out


_NAMED_OTHERWISE = {"llama_cpp": "llama-cpp-python"}
"""Import names whose distribution has another name (used when it is not installed here)."""


_PART_OF = {"pydantic-core": "pydantic"}
"""Distributions that come pinned with a declared one, as part of its API."""


@functools.cache
def _installed() -> dict[str, list[str]]:
    return dict(packages_distributions())


@functools.cache
def _distribution(top: str) -> str:
    dists = _installed().get(top)
    name = _norm(dists[0]) if dists else _norm(_NAMED_OTHERWISE.get(top, top))
    return _PART_OF.get(name, name)


def _checked_in(imports: list[Import]) -> dict[str, set[str]]:
    """File -> top-level packages that file imports under a guard (its functions may then
    import them lazily once the guard has run)."""
    out: dict[str, set[str]] = {}
    for imp in imports:
        if imp.guarded:
            out.setdefault(imp.where.rsplit(":", 1)[0], set()).add(imp.module.split(".")[0])
    return out


def test_every_import_is_stdlib_ours_or_declared() -> None:
    core, extras = _declared()
    imports = _all_imports()
    checked = _checked_in(imports)
    undeclared, unguarded = [], []
    for imp in imports:
        top = imp.module.split(".")[0]
        if top in PACKAGES or top in NOT_SHIPPED or top in sys.stdlib_module_names:
            continue
        dist = _distribution(top)
        if dist in core:
            continue
        if dist in extras:
            after_guard = imp.lazy and top in checked.get(imp.where.rsplit(":", 1)[0], set())
            if not (imp.guarded or after_guard):
                unguarded.append(f"{imp.where}: {imp.module} ({dist}, an optional extra)")
            continue
        undeclared.append(f"{imp.where}: {imp.module} ({dist})")
    assert not undeclared, "imported but not in [project] dependencies:\n" + \
        "\n".join(undeclared)
    assert not unguarded, ("an optional extra imported outside `try: ... except ImportError: "
                           "raise ...(what to install)`:\n" + "\n".join(unguarded))


def test_the_installed_packages_never_import_evaluation_code() -> None:
    bad = [f"{imp.where}: {imp.module}" for imp in _all_imports()
           if imp.module.split(".")[0] in NOT_SHIPPED]
    assert not bad, "the product imports code the wheel does not ship:\n" + "\n".join(bad)


_GOLDEN = re.compile(r"cases\.jsonl|tests/golden|[\"']tests[\"']\s*/\s*[\"']golden[\"']")


def test_the_installed_packages_never_read_the_golden_set() -> None:
    bad = [f"{p.relative_to(REPO)}" for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")
           if _GOLDEN.search(p.read_text())]
    assert not bad, bad


def test_the_scanner_sees_a_missing_and_an_unguarded_import(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import jsonschema_like_missing\n"
                    "try:\n    import torch\nexcept ImportError as exc:\n"
                    "    raise RuntimeError('pip install x[train]') from exc\n"
                    "try:\n    import numpy\nexcept ImportError:\n    numpy = None\n"
                    "def f():\n    from bench.evaluation import golden\n")
    found = {i.module: (i.guarded, i.lazy) for i in _imports(path, root=tmp_path)}
    assert found == {"jsonschema_like_missing": (False, False), "torch": (True, False),
                     "numpy": (False, False), "bench.evaluation": (False, True)}
