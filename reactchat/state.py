"""What a session keeps across runs and reconnects: its state mapping and its widgets' values."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactchat.tree import Node


def _no_guard() -> None:
    pass


class SessionState(MutableMapping[str, Any]):
    """A mapping with attribute access: ``state.history`` is ``state["history"]``.

    ``guard`` runs before every write; the session passes one that raises for a run it has abandoned (one
    that ignored Stop past the grace period), so a stale run cannot clobber what its replacement wrote.
    """

    __slots__ = ("_data", "_guard")

    def __init__(self, guard: Callable[[], None] = _no_guard) -> None:
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_guard", guard)

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


class WidgetValues:
    """A session's widget values, by widget identity: its key path, or its ``key=`` (then the value is also
    ``rc.session_state[key]``). Never by label, so relabelling a widget keeps its value."""

    __slots__ = ("_by_path", "state")

    def __init__(self, state: SessionState) -> None:
        self.state = state
        self._by_path: dict[Any, Any] = {}

    def get(self, node: Node, default: Any) -> Any:
        if isinstance(node.key, str):
            return self.state.get(node.key, default)
        return self._by_path.get(node.key_path(), default)

    def put(self, node: Node, value: Any) -> None:
        if isinstance(node.key, str):
            self.state[node.key] = value
        else:
            self._by_path[node.key_path()] = value
