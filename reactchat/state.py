"""Per-session state that survives reruns and reconnects."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from reactchat import context


class SessionState(MutableMapping[str, Any]):
    """A mapping with attribute access: ``state.history`` is ``state["history"]``.

    Writes from a run that has been abandoned (it ignored Stop past the grace period) raise, so a stale
    run cannot clobber what its replacement has written.
    """

    __slots__ = ("_data",)

    def __init__(self) -> None:
        object.__setattr__(self, "_data", {})

    def _guard(self) -> None:
        run = context._current.get()
        if run is not None and run.abandoned:
            raise context.RunAbandoned()

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._guard()
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        self._guard()
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(
                f"session_state has no key {name!r}; set it first, e.g. `if {name!r} not in"
                f" rc.session_state: rc.session_state.{name} = ...`"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"SessionState({self._data!r})"
