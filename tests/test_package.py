"""The package's shape: imports run one way (type-only imports count), no module reaches into another's
private names, modules stay small, and ``reactchat.__all__`` names every public export."""

from __future__ import annotations

import ast
import pathlib

import reactchat

PACKAGE = pathlib.Path(reactchat.__file__).parent
MAX_LINES = 400


def _modules() -> dict[str, pathlib.Path]:
    return {
        ("reactchat" if p.stem == "__init__" else f"reactchat.{p.stem}"): p
        for p in sorted(PACKAGE.glob("*.py"))
    }


def _imports(path: pathlib.Path, modules: dict[str, pathlib.Path]) -> list[tuple[str, str]]:
    """(imported module, imported name or "") for every import of a reactchat module, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name in modules]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:
                    found.append((full, ""))
                elif node.module in modules:
                    found.append((node.module, alias.name))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target, _ in _imports(path, modules) if target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_find_cycle_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    graph.pop("reactchat")  # the package's __init__ only re-exports; nothing below imports it
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle (type-only imports count): " + " -> ".join(cycle or ())


def test_no_module_imports_a_private_name_of_another() -> None:
    modules = _modules()
    private = [
        f"{name} imports {target}.{imported}"
        for name, path in modules.items()
        for target, imported in _imports(path, modules)
        if imported.startswith("_") and not imported.endswith("__") and target != name
    ]
    assert private == []


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_module_says_what_it_owns() -> None:
    missing = [p.name for p in PACKAGE.glob("*.py") if not ast.get_docstring(ast.parse(p.read_text("utf-8")))]
    assert missing == []


def test_all_names_every_public_export() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    sources = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)  # the imports made now, and those for type checkers (made on first use)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if not (alias.asname or alias.name).startswith("_") and node.module not in ("__future__", "typing")
    }
    assert set(reactchat.__all__) == set(sources) | {"__version__"}
    lazy = reactchat._LAZY
    assert all(sources[name] == module for name, module in lazy.items())  # the same name from the same place
    assert all(hasattr(reactchat, name) for name in reactchat.__all__)


def test_importing_the_package_imports_only_what_its_first_use_needs() -> None:
    import subprocess
    import sys

    code = "import sys, reactchat as rc; before = set(sys.modules); rc.Client; print(sorted(set(sys.modules) - before))"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "'reactchat.client'" in found.stdout  # imported at its first use, not with the package


def test_every_module_has_its_test_file() -> None:
    tests = PACKAGE.parent / "tests"
    missing = [
        f"tests/test_{p.stem}.py"
        for p in PACKAGE.glob("*.py")
        if p.stem != "__init__" and not (tests / f"test_{p.stem}.py").exists()
    ]
    assert missing == []


def test_the_wheel_builds_without_packaging_warnings_and_holds_what_running_needs(
    tmp_path: pathlib.Path,
) -> None:
    import subprocess
    import sys
    import zipfile

    root = pathlib.Path(__file__).resolve().parents[1]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-w", str(tmp_path), "-v"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    said = built.stdout + built.stderr
    for warning in ("SetuptoolsDeprecationWarning", "is absent from the `packages`", "Package would be ignored",
                    "License classifiers are deprecated", "`project.license` as a TOML table is deprecated"):  # fmt: skip
        assert warning not in said, warning
    (wheel,) = tmp_path.glob("reactchat-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("reactchat/__main__.py", "reactchat/tour/hello.py", "reactchat/static/app.js",
                   "reactchat/static/app.css", "reactchat/static/katex.js", "reactchat/py.typed"):  # fmt: skip
        assert needed in names, needed
    assert any(n.startswith("reactchat/static/fonts/") for n in names)
