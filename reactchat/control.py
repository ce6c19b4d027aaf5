"""What a script can ask of its run: ``rc.chat_event``, ``rc.rerun``, ``rc.stop`` and ``rc.session_state``."""

from __future__ import annotations

from typing import Any

from reactchat import context
from reactchat.interrupts import RerunRequested, ScriptStopped
from reactchat.state import SessionState
from reactchat.trigger import ChatEvent


def chat_event() -> ChatEvent | None:
    """The chat interaction that triggered this run, if any: an option, example, feedback, retry, undo,
    edit, clear or copy (see ``ChatEvent``). Submissions arrive through ``rc.chat_input()`` instead."""
    return context.current_run().trigger.chat


def rerun() -> None:
    """End this run now and run the script again from the top."""
    context.current_run().checkpoint()
    raise RerunRequested()


def stop() -> None:
    """End this run here, like reaching the end of the script."""
    context.current_run().checkpoint()
    raise ScriptStopped()


class _SessionStateProxy:
    """``rc.session_state``: the current session's state, reached from anywhere in the script."""

    def _target(self) -> SessionState:
        return context.current_run().scope.state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._target()

    def __iter__(self) -> Any:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def get(self, key: str, default: Any = None) -> Any:
        return self._target().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._target().setdefault(key, default)

    def __repr__(self) -> str:
        return repr(self._target())


session_state: Any = _SessionStateProxy()
"""Per-session state, surviving reruns and reconnects: ``rc.session_state.history``."""
