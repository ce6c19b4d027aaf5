"""Context variables only: the run executing this code, and whether it is a stream's source.

The run lives in a ContextVar so API calls find it from anywhere in the script (including code that
``asyncio`` runs as tasks) without passing anything around.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reactchat.run import Run

_run: ContextVar[Run | None] = ContextVar("reactchat_run", default=None)
_in_stream_source: ContextVar[bool] = ContextVar("reactchat_in_stream_source", default=False)


def current_run() -> Run:
    """The run executing this code.

    Raises:
        RuntimeError: outside a reactchat script, or inside the iterable given to ``write_stream``.
    """
    run = _run.get()
    if run is None:
        raise RuntimeError(
            "reactchat functions only work inside a running app; start it with `reactchat run SCRIPT`"
            " or in tests with reactchat.testing.ChatTest"
        )
    if _in_stream_source.get():
        raise RuntimeError(
            "reactchat functions cannot be called from inside the iterable given to write_stream"
        )
    return run


def active_run() -> Run | None:
    """The run executing this code, or None (no check: for guards that must work anywhere)."""
    return _run.get()


def bind(run: Run | None) -> Token[Run | None]:
    return _run.set(run)


def unbind(token: Token[Run | None]) -> None:
    _run.reset(token)


def mark_stream_source() -> None:
    """This context runs the iterable given to ``write_stream``: reactchat calls are refused in it."""
    _in_stream_source.set(True)
