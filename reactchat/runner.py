"""Compiling the script and running it once for a session, with interruption."""

from __future__ import annotations

import ast
import asyncio
import builtins
import enum
import hashlib
import inspect
import logging
import os
from typing import TYPE_CHECKING, Any

from reactchat import context
from reactchat.elements import flush_pending
from reactchat.errors import error_props, overlay_props, user_traceback
from reactchat.interrupts import Interrupt, RerunRequested, RunAbandoned, ScriptStopped, StopRequested
from reactchat.registry import Registry

if TYPE_CHECKING:
    from reactchat.run import Run

log = logging.getLogger("reactchat")


class Outcome(str, enum.Enum):
    """How a run ended (the values are the run states the browser shows)."""

    DONE = "done"
    STOPPED = "stopped"  # Stop was pressed; the partial output stays
    ERROR = "error"  # the script raised; an error element shows it
    RERUN = "rerun"  # run again now (the code changed, or rc.rerun())
    ABANDONED = "abandoned"  # the run was replaced; it must not touch anything any more


class ScriptFailed(Exception):
    """The script failed where no page shows it (a run for the HTTP API); the message names the error and
    where it is."""


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
        self.registry = Registry()  # what its runs register for use outside sessions (the chat function)
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
        self.registry.clear()  # the new code registers again when it runs
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


def execute(script: Script, run: Run) -> Outcome:
    """Run ``script`` once, top to bottom, in this thread (the run's trigger's callback first).

    Returns:
        How the run ended.
    """
    rec = run.reconciler
    rec.begin()
    code = script.code
    if code is None:
        return Outcome.ERROR
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": script.path,
        "__builtins__": builtins,
        **script.names,
    }
    outcome, prune = Outcome.DONE, True
    failure: BaseException | None = None
    cancel = run.cancel
    token = context.bind(run)
    try:
        with cancel.script_running():
            trigger = run.trigger
            if trigger.callback is not None and trigger.chat is not None:
                trigger.callback(trigger.chat)
            if code.co_flags & inspect.CO_COROUTINE:
                loop = run.scope.event_loop()
                task = loop.create_task(eval(code, namespace))
                with cancel.on_request(lambda: loop.call_soon_threadsafe(task.cancel)):
                    loop.run_until_complete(task)
            else:
                exec(code, namespace)
        if cancel.kind is not None and issubclass(cancel.kind, StopRequested):
            outcome = Outcome.STOPPED  # a stream returned its partial answer and the script ran to the end
        elif cancel.kind is RerunRequested:
            outcome = Outcome.RERUN
    except ScriptStopped:
        pass
    except RunAbandoned:
        return Outcome.ABANDONED
    except (StopRequested, RerunRequested, asyncio.CancelledError) as exc:
        if cancel.abandoned:
            return Outcome.ABANDONED
        kind = type(exc) if isinstance(exc, Interrupt) else cancel.kind
        if kind is RerunRequested:
            outcome, prune = Outcome.RERUN, False
        elif kind is not None and issubclass(kind, StopRequested):
            outcome, prune = Outcome.STOPPED, False
        else:
            outcome, prune, failure = Outcome.ERROR, False, exc
    except BaseException as exc:
        if cancel.abandoned:
            return Outcome.ABANDONED
        outcome, prune, failure = Outcome.ERROR, False, exc
    finally:
        context.unbind(token)
    try:
        flush_pending(run)  # media made by the last statements of the script
        rec.finish(prune)
        if failure is not None:
            rec.emit("error", error_props(failure))
            # The page shows it; the terminal running the server gets it too, once.
            log.error("%s raised:\n%s", os.path.basename(script.path), user_traceback(failure))
    except RunAbandoned:
        return Outcome.ABANDONED
    transcript = run.scope.transcript
    if transcript is not None and transcript.renders is not None:
        transcript.renders.flush()  # what the run rendered anew, written in the background
    return outcome
