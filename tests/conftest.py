from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Callable, Iterator

import pytest

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
