"""Test support: a TCP proxy in front of PostgreSQL that a test cuts (every connection dropped, new ones
refused, as when the database goes down) and restores (on the same port, as when it comes back)."""

from __future__ import annotations

import contextlib
import socket
import threading

from reactchat.store import Store, StoreError


class DbProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; ``url(base)`` is ``base`` pointed at the proxy."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    def url(self, base: str) -> str:
        """``base`` (a postgresql:// URL on the target) with the proxy's port instead."""
        host, port = self.target
        return base.replace(f"@{host}:{port}/", f"@127.0.0.1:{self.port}/", 1)

    def restore(self) -> None:
        """Take connections again (on the same port after a ``cut``)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every connection and refuse new ones until ``restore``."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone would not)
            listener.close()
        with self._lock:
            dropped, self._open = self._open, []
        for sock in dropped:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def answers(store: Store) -> bool:
    """Whether the store answers (again): it asks the server at most once a second."""
    try:
        store.user("ann")
    except StoreError:
        return False
    return True
