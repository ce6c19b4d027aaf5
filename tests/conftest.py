from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from reactchat.run import Run

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def write_app(tmp_path: pathlib.Path) -> Callable[[str], str]:
    """Write a script (dedented) to ``tmp_path/app.py`` and return its path."""

    def write(source: str, name: str = "app.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def serve() -> Iterator[Callable[..., object]]:
    """Start a real server for a script path; every server is closed after the test."""
    from tests.serving import Served

    servers: list[Served] = []

    def start(path: str, **config: object) -> Served:
        served = Served(path, **config)  # type: ignore[arg-type]
        servers.append(served)
        return served

    yield start
    for served in servers:
        served.close()


@pytest.fixture
def bare_run() -> Run:
    """A run of no script, outside any session, with real parts: for unit tests of what a run holds."""
    import asyncio
    import threading

    from reactchat.interrupts import Cancel
    from reactchat.media import MediaStore
    from reactchat.reconcile import Reconciler
    from reactchat.registry import Registry
    from reactchat.run import Run, Scope
    from reactchat.state import SessionState, WidgetValues
    from reactchat.tree import Tree
    from reactchat.trigger import RERUN
    from reactchat.uploads import Uploads

    state = SessionState()
    scope = Scope(state, WidgetValues(state), MediaStore(), Uploads(1 << 20), Registry(), 0.025,
                  asyncio.new_event_loop)  # fmt: skip
    return Run(1, RERUN, Reconciler(Tree(), [].append, threading.Lock()), Cancel(), scope)
