"""Rerun on edit: watch the script's folder, debounce bursts of events, wait for a file being written to be
closed, ignore saves that change nothing."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactchat.server import App


MAX_WAIT = 2.0  # seconds a batch waits for a file being written to be closed


class Watcher:
    """Watches the folder of ``app``'s script with watchdog.

    A change to the script recompiles it (an overlay on a syntax error, else a rerun of every session); a
    change to another ``.py`` file in the folder drops it from ``sys.modules`` and reruns, so edits to
    helper modules the script imports take effect too.
    """

    def __init__(self, app: App, debounce: float = 0.1) -> None:
        self.app = app
        self.folder = os.path.dirname(app.script.path)
        self.debounce = debounce
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._timer: threading.Timer | None = None
        self._digests: dict[str, bytes] = {}
        self._observer: Any = None
        # A save truncates the file, then writes it: between the two it is empty. Where the platform reports
        # closes (Linux), a batch waits until every file written in it is closed again, at most MAX_WAIT.
        self._writing: set[str] = set()
        self._closes_seen = False
        self._waited = 0.0

    def start(self) -> None:
        from watchdog.events import FileClosedEvent, FileModifiedEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.is_directory:
                    return
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if isinstance(path, bytes):
                        path = path.decode()
                    if path and path.endswith(".py"):
                        watcher.poke(
                            os.path.abspath(path),
                            writing=isinstance(event, FileModifiedEvent),
                            closed=isinstance(event, FileClosedEvent),
                        )

        self._observer = Observer()
        self._observer.schedule(Handler(), self.folder, recursive=False)
        self._observer.daemon = True
        self._observer.start()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()

    def poke(self, path: str, *, writing: bool = False, closed: bool = False) -> None:
        """Note a changed path (``writing``: it was modified; ``closed``: closed after writing); the batch is
        handled ``debounce`` seconds after the last one."""
        with self._lock:
            self._paths.add(path)
            if writing:
                self._writing.add(path)
            if closed:
                self._writing.discard(path)
                self._closes_seen = True
            self._waited = 0.0
            self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.debounce, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._closes_seen and self._writing & self._paths and self._waited < MAX_WAIT:
                self._waited += self.debounce  # still being written: its content may be half a save
                self._arm()
                return
            paths, self._paths = self._paths, set()
            self._writing -= paths
        self.app.loop.add_callback(self._apply, paths)

    def _apply(self, paths: set[str]) -> None:
        if self.app.script.path in paths:
            self.app.reload()
        helpers = [p for p in paths - {self.app.script.path} if self._changed(p)]
        for path in helpers:
            for name, module in list(sys.modules.items()):
                if getattr(module, "__file__", None) == path:
                    del sys.modules[name]
        if helpers and self.app.script.overlay is None:
            self.app.rerun_all()

    def _changed(self, path: str) -> bool:
        try:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).digest()
        except OSError:
            digest = b""
        if self._digests.get(path) == digest:
            return False
        self._digests[path] = digest
        return True
