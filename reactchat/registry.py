"""What a script registers with its app while it runs, kept by type, for use outside browser sessions."""

from __future__ import annotations

import threading
from typing import TypeVar

T = TypeVar("T")


class Registry:
    """One entry per type, the latest registration winning; shared by every session of one script.

    ``rc.chat_interface`` registers its chat function here so the HTTP API can call it without a browser.
    """

    def __init__(self) -> None:
        self._entries: dict[type, object] = {}
        self._lock = threading.Lock()

    def register(self, entry: object) -> None:
        with self._lock:
            self._entries[type(entry)] = entry

    def get(self, kind: type[T]) -> T | None:
        with self._lock:
            entry = self._entries.get(kind)
        return entry if isinstance(entry, kind) else None

    def clear(self) -> None:
        """Forget every registration (the script changed: its next run registers again)."""
        with self._lock:
            self._entries.clear()
