from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from reactchat.run import Run
    from reactchat.store import Store

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


POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a reachable PostgreSQL (``REACTCHAT_TEST_POSTGRES``, by default the local ``test`` database).
    Unreachable: the test is skipped, saying how to run it, except under CI (``CI`` set), where it fails."""
    import os

    url = os.environ.get("REACTCHAT_TEST_POSTGRES", POSTGRES_URL)
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as error:  # psycopg missing, or the server down
        reason = (
            f"PostgreSQL is not reachable at {url} ({str(error).strip().splitlines()[0]}): run "
            "'make postgres' (or set REACTCHAT_TEST_POSTGRES to a server's URL) to run these tests"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema of its own, dropped after the test."""
    import secrets

    import psycopg

    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{joiner}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> str:
    """The URL of an empty store on each backend: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'chats.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on each backend (SQLite, PostgreSQL), closed after the test."""
    from reactchat.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()
