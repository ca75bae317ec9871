"""The package's layers (docs/layers.toml) hold in its code: every import points down, the
packages of one layer do not import each other, and no modules import each other in a circle.

Read from the source with ``ast``, so lazy imports inside functions and type-only imports
under ``TYPE_CHECKING`` count too: a circle hidden in a function is still a circle.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Run by path in the app's own interpreter (harness.stack.appcode), never imported.
NOT_IMPORTED = ("harness.stack.helpers",)


def layers() -> list[list[str]]:
    table = tomllib.loads((REPO / "docs" / "layers.toml").read_text(encoding="utf-8"))
    return [layer["units"] for layer in table["layer"]]


def modules(package: Path) -> dict[str, Path]:
    """Every module under ``package`` by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(NOT_IMPORTED):
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the package that ``name`` imports (``from pkg import submodule`` names
    the submodule; ``from pkg import thing`` the package)."""
    found = set()
    for raw in _imported_names(name, path):
        while raw and raw not in known:
            raw = raw.rpartition(".")[0]
        if raw and raw != name:
            found.add(raw)
    return found


def _imported_names(name: str, path: Path) -> Iterator[str]:
    own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up level-1 packages from this module's own
                parts = own_package.split(".")[: len(own_package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def unit_of(module: str, units: list[str]) -> str | None:
    """The longest unit that is the module or a package holding it."""
    holding = [u for u in units if module == u or module.startswith(u + ".")]
    return max(holding, key=len, default=None)


def violations(package: Path, ordered: list[list[str]]) -> list[str]:
    """One line per import that does not point to a lower layer (own unit excepted), and per
    module no layer holds."""
    layer_of = {unit: index for index, units in enumerate(ordered) for unit in units}
    units = list(layer_of)
    known = modules(package)
    found = []
    for name, path in known.items():
        unit = unit_of(name, units)
        if unit is None or (unit == package.name and name != unit):
            found.append(f"{name}: in no layer (add it to docs/layers.toml)")
            continue
        for target in sorted(imports(name, path, known)):
            other = unit_of(target, units)
            if other is not None and other != unit and layer_of[other] <= layer_of[unit]:
                where = "its own layer" if layer_of[other] == layer_of[unit] else "a higher layer"
                found.append(f"{name} imports {target} ({other}, {where})")
    return found


def circles(package: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    known = modules(package)
    graph = {name: sorted(imports(name, path, known)) for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_every_import_points_down_the_layers() -> None:
    assert violations(REPO / "harness", layers()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(REPO / "harness") == []


def test_the_layer_file_names_only_what_exists() -> None:
    known = modules(REPO / "harness")
    named = [unit for units in layers() for unit in units]
    assert [unit for unit in named if unit not in known] == []
    assert len(named) == len(set(named))


def test_an_upward_import_a_peer_import_and_a_circle_are_caught(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    files = {
        "__init__.py": "",
        "top.py": "from pkg.low import thing\n",
        "mid/__init__.py": "",
        "mid/a.py": "def late():\n    from pkg.top import x  # upward, hidden in a function\n",
        "mid/b.py": "from . import c\n",
        "mid/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.mid import b\n",
        "side.py": "import pkg.mid.a\n",
        "low.py": "import os\n",
        "stray.py": "",
    }
    for relative, text in files.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(text, encoding="utf-8")
    ordered = [["pkg.top"], ["pkg.mid", "pkg.side"], ["pkg.low"], ["pkg"]]
    assert violations(package, ordered) == [
        "pkg.mid.a imports pkg.top (pkg.top, a higher layer)",
        "pkg.side imports pkg.mid.a (pkg.mid, its own layer)",
        "pkg.stray: in no layer (add it to docs/layers.toml)",
    ]
    assert circles(package) == [["pkg.mid.b", "pkg.mid.c"]]
