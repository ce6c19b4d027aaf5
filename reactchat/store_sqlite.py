"""The conversation store on SQLite: one file (or memory), one writer connection, pooled readers.

WAL lets readers go on while one connection writes; every write takes this store's lock and then SQLite's
(``BEGIN IMMEDIATE``, waiting up to the busy timeout for other processes), so threads never see
"database is locked". Reads use connections borrowed from a small idle list, one per reading thread at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from reactchat.store_base import StoreError, display_url
from reactchat.store_leases import SqlLeaseStore
from reactchat.store_sql import Tx, loads_all, one_line

__all__ = ["SqliteStore", "sqlite_path"]

BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's
IDLE_READERS = 8  # reader connections kept open between reads
COMMON = 5_000  # messages a search's words are in, from which it reads the owner's conversations instead


def sqlite_path(url: str) -> str:
    """The file of ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``; ``:memory:`` for
    ``memory``."""
    if url == "memory":
        return ":memory:"
    if not url.startswith("sqlite:///") or url == "sqlite:///":
        raise ValueError(f"not a SQLite store URL: {url!r} (use sqlite:///path/to/file.db)")
    return url[len("sqlite:///") :]


class SqliteStore(SqlLeaseStore):
    """Conversations in a SQLite file; ``memory`` keeps them in a private in-memory database instead."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, url: str) -> None:
        super().__init__(display_url(url))
        self.filename = sqlite_path(url)
        self.memory = self.filename == ":memory:"
        self._write_lock = threading.Lock()
        self._readers_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._readers: set[sqlite3.Connection] = set()
        if not self.memory:
            folder = os.path.dirname(os.path.abspath(self.filename))
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"{self.name}: cannot create the folder {folder}: {error.strerror}"
                ) from None
        try:
            self._writer = self._connect()
            mode = self._writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.Error as error:
            hint = " (is its folder writable?)" if "unable to open" in str(error) else ""
            raise StoreError(f"{self.name}: cannot open the database: {one_line(error)}{hint}") from None
        if not self.memory and mode != "wal":
            self._writer.close()
            raise StoreError(f"{self.name}: cannot open the database: it stays in {mode} mode, not WAL")
        try:
            self.migrate()
        except StoreError:
            self._writer.close()
            raise

    def _connect(self, *, reader: bool = False) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.filename, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = NORMAL")
            if reader:
                connection.execute("PRAGMA query_only = ON")
        except BaseException:
            connection.close()
            raise
        return connection

    @contextlib.contextmanager
    def transaction(self, *, write: bool, snapshot: bool = False) -> Iterator[Tx]:
        if write or self.memory:  # a private in-memory database has only the one connection
            with self._write_lock:
                if self.closed:
                    raise sqlite3.ProgrammingError("the store is closed")
                yield from _within(self._writer, "BEGIN IMMEDIATE" if write else "BEGIN")
            return
        connection = self._borrow()
        try:
            yield from _within(connection, "BEGIN" if snapshot else None)
        finally:
            self._give_back(connection)

    def _borrow(self) -> sqlite3.Connection:
        with self._readers_lock:
            if self.closed:
                raise sqlite3.ProgrammingError("the store is closed")
            if self._idle:
                return self._idle.pop()
        connection = self._connect(reader=True)
        with self._readers_lock:
            self._readers.add(connection)
        return connection

    def _give_back(self, connection: sqlite3.Connection) -> None:
        with self._readers_lock:
            if not self.closed and len(self._idle) < IDLE_READERS:
                self._idle.append(connection)
                return
            self._readers.discard(connection)
        connection.close()

    def json_in(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def json_out(self, value: Any) -> Any:
        return None if value is None else json.loads(value)

    def json_all(self, values: Sequence[Any]) -> list[Any]:
        return loads_all(values)  # (each written by json_in: one JSON value)

    def match(self, words: list[str]) -> tuple[str, list[Any]]:
        # Each word a quoted FTS5 string with a prefix star: no user text is ever read as FTS5 syntax.
        query = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
        titles = "c.rid IN (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH ?)"
        matching = "SELECT rowid FROM message_fts WHERE message_fts MATCH ?"
        with self._tx("searching conversations") as tx:
            common = tx.one(f"SELECT count(*) FROM ({matching} LIMIT {COMMON})", [query])[0] >= COMMON
        if common:
            # Found in many messages of every owner: looking each up costs more than reading the owner's
            # conversations newest first and stopping at the page's last.
            in_messages = (
                f"EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.rid IN ({matching}))"
            )
        else:
            in_messages = f"c.id IN (SELECT m.conversation_id FROM messages m WHERE m.rid IN ({matching}))"
        return f"{titles} OR {in_messages}", [query, query]

    def close(self) -> None:
        with self._write_lock, self._readers_lock:
            if self.closed:
                return
            self.closed = True
            readers, self._readers, self._idle = self._readers, set(), []
            self._writer.close()
        for connection in readers:
            connection.close()


def _within(connection: sqlite3.Connection, begin: str | None) -> Iterator[Tx]:
    """Run the caller's statements in a transaction opened by ``begin`` (None: each statement alone)."""
    cursor = connection.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        yield Tx(cursor)
        if connection.in_transaction:
            cursor.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise
    finally:
        cursor.close()
