"""Compiling the script and running it once for a session, with interruption."""

from __future__ import annotations

import ast
import asyncio
import builtins
import hashlib
import inspect
import os
from typing import Any

from reactchat import context
from reactchat.errors import error_props, overlay_props


class Script:
    """The user's script: the latest code that compiled, and the compile error of the latest save, if any.

    A save that leaves the bytes unchanged is not a change. A save that does not compile keeps the previous
    code (sessions keep their transcript) and sets ``overlay``.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self.code: Any = None
        self.overlay: dict[str, Any] | None = None
        self.names: dict[str, Any] = {}  # extra globals for the script (ChatTest.from_function)
        self.interface: Any = None  # what rc.chat_interface registered, for the HTTP API
        self._digest: bytes | None = None

    def load(self) -> bool:
        """Read and compile the script; returns whether its source changed.

        Raises:
            OSError: when the file cannot be read.
        """
        with open(self.path, "rb") as f:
            source = f.read()
        digest = hashlib.sha256(source).digest()
        if digest == self._digest:
            return False
        self._digest = digest
        try:
            self.code = compile(
                source, self.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
            )
        except SyntaxError as exc:
            self.overlay = overlay_props(exc, self.path)
        except ValueError as exc:  # e.g. a NUL byte in the source
            self.overlay = {"message": f"ValueError: {exc}", "file": self.path, "line": 0, "text": ""}
        else:
            self.overlay = None
        return True


def execute(script: Script, run: context.Run) -> str:
    """Run ``script`` once, top to bottom, in this thread.

    Returns:
        The run's final state: ``"done"``, ``"stopped"``, ``"error"``, ``"rerun"`` (run again now) or
        ``"abandoned"`` (this run was replaced; it must not touch anything any more).
    """
    rec = run.reconciler
    rec.begin()
    run.script = script
    code = script.code
    if code is None:
        return "error"
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": script.path,
        "__builtins__": builtins,
        **script.names,
    }
    status, prune = "done", True
    failure: BaseException | None = None
    token = context.bind(run)
    try:
        if run.before is not None:
            run.before()
        if code.co_flags & inspect.CO_COROUTINE:
            loop = run.event_loop()
            run.task = loop.create_task(eval(code, namespace))
            loop.run_until_complete(run.task)
        else:
            exec(code, namespace)
        if run.interrupt is context.StopRequested:
            status = "stopped"  # a stream returned its partial answer and the script ran to the end
        elif run.interrupt is context.RerunRequested:
            status = "rerun"
    except context.ScriptStopped:
        pass
    except context.RunAbandoned:
        return "abandoned"
    except (context.StopRequested, context.RerunRequested, asyncio.CancelledError) as exc:
        if run.abandoned:
            return "abandoned"
        kind = type(exc) if isinstance(exc, context.Interrupt) else run.interrupt
        if kind is context.RerunRequested:
            status, prune = "rerun", False
        elif kind is context.StopRequested:
            status, prune = "stopped", False
        else:
            status, prune, failure = "error", False, exc
    except BaseException as exc:
        if run.abandoned:
            return "abandoned"
        status, prune, failure = "error", False, exc
    finally:
        context.unbind(token)
        run.task = None
    try:
        if run.pending:
            run.flush_pending()  # media made by the last statements of the script
        rec.finish(prune)
        if failure is not None:
            rec.emit("error", error_props(failure))
    except context.RunAbandoned:
        return "abandoned"
    return status
