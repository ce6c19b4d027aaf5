"""Tabs of this process that show the same stored conversation: whom to tell when it changes, so they follow
it live, and whose turn it is, so runs that answer in one conversation never overlap."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any


class Followers:
    """For one store: the tabs watching each conversation, and a turn lock per conversation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watching: dict[str, dict[int, Callable[[], None]]] = {}
        self._owners: dict[str, dict[int, Callable[[], None]]] = {}  # tabs showing an owner's list
        self._turns: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def watch(self, conversation_id: str | None, who: object, notify: Callable[[], None]) -> None:
        """``who`` shows ``conversation_id`` now (None: nothing stored); ``notify`` is called when another
        tab changes it."""
        with self._lock:
            for watchers in self._watching.values():
                watchers.pop(id(who), None)
            if conversation_id is not None:
                self._watching.setdefault(conversation_id, {})[id(who)] = notify

    def watch_list(self, owner: str, who: object, notify: Callable[[], None]) -> None:
        """``who`` shows ``owner``'s conversation list; ``notify`` is called when another tab changes it."""
        with self._lock:
            self._owners.setdefault(owner, {})[id(who)] = notify

    def forget(self, who: object) -> None:
        """``who`` is gone (its session closed)."""
        with self._lock:
            for watchers in (*self._watching.values(), *self._owners.values()):
                watchers.pop(id(who), None)

    def list_changed(self, owner: str, by: object) -> None:
        """``by`` changed ``owner``'s list (a new conversation, a title, a deletion): tell the owner's other
        tabs."""
        with self._lock:
            others = [n for w, n in self._owners.get(owner, {}).items() if w != id(by)]
        for notify in others:
            notify()

    def changed(self, conversation_id: str | None, by: object) -> None:
        """``by`` changed ``conversation_id``: tell every other tab showing it."""
        if conversation_id is None:
            return
        with self._lock:
            others = [n for w, n in self._watching.get(conversation_id, {}).items() if w != id(by)]
        for notify in others:
            notify()

    def turn(self, conversation_id: str) -> Any:
        """The lock a run holds while it answers in ``conversation_id`` (a ``threading.Lock``)."""
        with self._lock:
            lock = self._turns.get(conversation_id)
            if lock is None:
                lock = self._turns[conversation_id] = _Turn()
            return lock


class _Turn:
    """A lock that can be held in a WeakValueDictionary (plain locks cannot be weakly referenced)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> _Turn:
        self._lock.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()


_BY_STORE: weakref.WeakKeyDictionary[Any, Followers] = weakref.WeakKeyDictionary()
_BY_STORE_LOCK = threading.Lock()


def followers_for(store: object) -> Followers:
    """The followers of conversations in ``store`` (one registry per store object in this process)."""
    with _BY_STORE_LOCK:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = Followers()
        return found
