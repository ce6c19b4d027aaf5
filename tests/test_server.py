"""The application: its routes, the health check, and the one-way imports of the server's modules."""

from __future__ import annotations

import ast
import json
import pathlib
import urllib.request
from collections.abc import Callable

from reactchat.handler import Handler
from tests.serving import ECHO, Served

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "reactchat"
SERVER = {"server", "handler", "body", "workers", "api_request", "sender", "sessions", "websocket", "page", "media_route", "upload_route",
          "http_api", "api_docs"}  # fmt: skip
# interface.py's two private names, imported in http_api.py only until interface.py renames them.
ALLOWED_PRIVATE = {("http_api", "interface", "_deltas"), ("http_api", "interface", "_messages")}


def test_health(serve: Callable[..., Served]) -> None:
    served = serve(ECHO, run_threads=3)
    with urllib.request.urlopen(served.url + "/_rc/health") as response:
        health = json.loads(response.read())
    assert health["ok"] is True
    assert health["runs"]["run_threads"] == 3 and health["runs"]["abandoned"] == 0


def test_every_route_goes_through_the_base_handler(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    routes = served.app.routes()
    assert routes
    for pattern, handler, _ in routes:
        assert issubclass(handler, Handler), pattern


def imports() -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    """Each package module's imports of other package modules (type-only and lazy ones too), and every
    underscore name imported from another module."""
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    edges: dict[str, set[str]] = {}
    private: set[tuple[str, str, str]] = set()
    for name in modules:
        found: set[str] = set()
        for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "reactchat":
                found |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reactchat."):
                target = (node.module or "").split(".")[1]
                found.add(target)
                private |= {(name, target, a.name) for a in node.names if a.name.startswith("_")}
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("reactchat.")}
        edges[name] = found - {name}
    return edges, private


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges[name])
    return seen


def test_the_server_modules_import_one_way() -> None:
    edges, private = imports()
    assert SERVER <= set(edges)
    for name in sorted(SERVER):
        assert name not in reachable(edges, name), f"{name} is part of an import cycle"
    assert not any("server" in edges[name] for name in SERVER - {"server"})  # the application is the top
    assert {p for p in private if p[0] in SERVER} <= ALLOWED_PRIVATE
