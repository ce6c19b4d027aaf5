"""Script failures as the browser sees them: error elements for exceptions, an overlay for compile errors."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep  # with os.sep: not "reactchat_bot.py"


class DuplicateKeyError(ValueError):
    """Two siblings were given the same ``key=`` in one run."""


def user_call_site() -> str:
    """``file:line`` of the innermost frame outside reactchat, for error messages."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def error_props(exc: BaseException) -> dict[str, Any]:
    """Props of an ``error`` node: the exception and the traceback frames outside reactchat."""
    frames = [
        {"file": f.filename, "line": f.lineno or 0, "name": f.name, "code": (f.line or "").strip()}
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_PACKAGE_DIR)
    ]
    return {"type": type(exc).__name__, "message": str(exc), "frames": frames}


def user_traceback(exc: BaseException) -> str:
    """The exception as Python prints it, with the frames outside reactchat only (for the server's log)."""
    shown = traceback.TracebackException.from_exception(exc)
    shown.stack = traceback.StackSummary.from_list(
        [f for f in shown.stack if not f.filename.startswith(_PACKAGE_DIR)]
    )
    return "".join(shown.format()).rstrip("\n")


def overlay_props(exc: SyntaxError, path: str) -> dict[str, Any]:
    """Props of the compile-error overlay, pointing at the user's file and line."""
    return {
        "message": f"{type(exc).__name__}: {exc.msg}",
        "file": exc.filename or path,
        "line": exc.lineno or 0,
        "text": (exc.text or "").rstrip("\n"),
    }
