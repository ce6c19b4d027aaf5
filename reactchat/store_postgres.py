"""The conversation store on PostgreSQL: psycopg 3 with a small bounded connection pool.

Writers are not serial here, so the rows a write depends on (the conversation a message joins, the
message a delta grows) are locked with ``FOR NO KEY UPDATE`` until it commits. Search uses generated
``tsvector`` columns with GIN indexes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from reactchat.migrations import FOLD_FROM, FOLD_TO
from reactchat.store_base import StoreError, display_url
from reactchat.store_leases import SqlLeaseStore
from reactchat.store_sql import Tx, one_line

__all__ = ["PostgresStore"]

log = logging.getLogger("reactchat")

CONNECT_TIMEOUT = 5  # seconds to reach the server
POOL_SIZE = 4  # connections a process's pool holds at most
PROCESS_CONNECTIONS = POOL_SIZE + 1  # with the listener's own: what one worker may hold of the server's
LISTEN_POLL = 0.5  # seconds between two checks, while listening, that the listener is still wanted
POOL_TIMEOUT = 30.0  # seconds a call waits for a free connection
PROBE_EVERY = 1.0  # seconds between two checks that an unreachable server answers again
NOTIFY_WINDOW = 0.05  # seconds a notification waits for others to be sent with it (a turn's writes: one)
NOTIFY_IDLE = 5.0  # seconds without notifications after which the sending thread ends


class PostgresStore(SqlLeaseStore):
    """Conversations in a PostgreSQL database (the schema is the URL's search_path, ``public`` by default).

    Args:
        url: a libpq URL, e.g. ``postgresql://user:password@host:5432/db?options=-csearch_path%3Dchat``.
        min_size, max_size: the pool's bounds; keep processes x max_size under the server's
            max_connections.
    """

    dialect = "postgresql"
    errors = (psycopg.Error,)

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = POOL_SIZE) -> None:
        super().__init__(display_url(url))
        self._url = url  # with its password: for the listener's own connection
        self.sender = secrets.token_hex(6)  # this store object's name in its NOTIFY payloads
        self._listeners: list[Callable[[], None]] = []
        self._telling = threading.Condition()
        self._told: dict[str, None] = {}  # NOTIFY payloads to send, in order, each once
        self._teller: threading.Thread | None = None
        self.notify_cpu = 0.0  # CPU seconds its sending thread spent (benchmarks add it to the turns' own)
        # A connection could not be had: when the server was last asked, and why. Calls ask it before the
        # pool, at most every PROBE_EVERY seconds (one that does not answer at all costs a timeout a probe).
        self._unreachable: tuple[float, str] | None = None
        try:  # fail fast, with the server's reason, when it cannot be reached
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        except psycopg.Error as error:
            raise StoreError(f"{self.name}: cannot connect: {one_line(error)}") from None
        self.pool = psycopg_pool.ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=POOL_TIMEOUT,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
            name=f"reactchat-store-{id(self):x}",
            open=False,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
            self.migrate()
            with self.transaction(write=False) as tx:
                schema = tx.one("SELECT current_schema()")
            # What processes on this store tell each other (NOTIFY payloads: ids only), on a channel of its
            # own: NOTIFY is database-wide, and two apps may keep their stores in one database's schemas.
            self.channel = "reactchat_" + hashlib.sha256(str(schema and schema[0]).encode()).hexdigest()[:16]
        except psycopg.Error as error:
            self.pool.close()
            raise StoreError(f"{self.name}: cannot open: {one_line(error)}") from None
        except StoreError:
            self.pool.close()
            raise

    @contextlib.contextmanager
    def transaction(self, *, write: bool, snapshot: bool = False) -> Iterator[Tx]:
        tx = _PooledTx(self)
        try:
            if snapshot:
                tx.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield tx
            tx.connection.commit()
            self._unreachable = None
        except BaseException:
            if not tx.connection.closed:
                tx.connection.rollback()
            raise
        finally:
            self.pool.putconn(tx.connection)  # (the pool drops a broken one)

    def connection(self) -> psycopg.Connection[Any]:
        """A connection of the pool. Raises StoreError at once, rather than after the pool's wait, when the
        database cannot be reached (found so after a failure, until it answers again): the page says so and
        gives the user's words back in a moment, not 30 s later."""
        if self._unreachable is not None:
            self._reach()
        try:
            return self.pool.getconn()
        except psycopg_pool.PoolTimeout:
            self._reach()  # every connection busy, or none to be had?
            raise

    def _reach(self) -> None:
        """Whether the database answers a new connection now; StoreError naming why when it does not."""
        if self._unreachable is not None and time.monotonic() - self._unreachable[0] < PROBE_EVERY:
            raise StoreError(self._unreachable[1])
        try:
            psycopg.connect(self._url, connect_timeout=CONNECT_TIMEOUT).close()
        except psycopg.Error as error:
            self._unreachable = (
                time.monotonic(),
                f"{self.name}: the database cannot be reached: {one_line(error)}",
            )
            raise StoreError(self._unreachable[1]) from None
        self._unreachable = None

    def lock_row(self, alias: str) -> str:
        # Not FOR UPDATE: that would also block the key-share locks of foreign key checks (a reply being
        # finished while the next message names it as parent would deadlock).
        return f" FOR NO KEY UPDATE OF {alias}"

    def rows(self, types: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        # One JSON parameter (json.dumps is C; psycopg dumps a Python list as an array element by element).
        columns = ", ".join(f"CAST(e->>{i} AS {kind})" for i, kind in enumerate(types))
        return f"SELECT {columns} FROM json_array_elements(CAST(? AS json)) e", [json.dumps(rows)]

    def connections_left(self) -> int:
        """Connections the server can still give ordinary users: ``max_connections``, less those reserved
        for superusers and those in use (this store's own count as free: it is about to close)."""
        with self.transaction(write=False) as tx:
            row = tx.one(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
            )
        return int(row[0]) + self.pool.get_stats().get("pool_size", 0) if row else 0

    def share_row(self) -> str:
        return " FOR SHARE"

    def json_in(self, value: Any) -> Any:
        return None if value is None else Jsonb(value)

    def json_out(self, value: Any) -> Any:
        return value  # psycopg loads JSONB

    def match(self, words: list[str]) -> tuple[str, list[Any]]:
        # Words are runs of \w only, so quoting each as a tsquery lexeme with a prefix mark is safe; they are
        # folded like the indexed text (migrations.FOLD_FROM).
        query = " & ".join(f"'{word}':*" for word in words)
        tsquery = f"to_tsquery('simple', translate(?, '{FOLD_FROM}', '{FOLD_TO}'))"
        in_messages = f"SELECT m.conversation_id FROM messages m WHERE m.tsv @@ {tsquery}"
        condition = f"c.tsv @@ {tsquery} OR c.id IN ({in_messages})"
        return condition, [query, query]

    def notify(self, kind: str, ident: str) -> None:
        # Sent by a thread of its own, with what else is told within NOTIFY_WINDOW (a turn tells "c" of its
        # conversation after each of its writes: one transaction, not one each), and none twice.
        with self._telling:
            self._told[f"{self.sender} {kind} {ident}"] = None
            if self._teller is None:
                self._teller = threading.Thread(target=self._tell_loop, name="reactchat-notify", daemon=True)
                self._teller.start()
            self._telling.notify()

    def _tell_loop(self) -> None:
        while True:
            with self._telling:
                if not self._told and not self._telling.wait_for(lambda: self._told, NOTIFY_IDLE):
                    self._teller = None
                    return
            time.sleep(NOTIFY_WINDOW)
            self._send_told()

    def _send_told(self) -> None:
        started = time.thread_time()
        with self._telling:
            payloads, self._told = list(self._told), {}
        if payloads and not self.closed:
            # Delivered when the pool's block commits. A failure is logged, not raised: the writes themselves
            # are committed, and another process sees them at its next read.
            try:
                with self.transaction(write=True) as tx:
                    tx.run(
                        "SELECT pg_notify(?, p) FROM unnest(CAST(? AS text[])) p", (self.channel, payloads)
                    )
            except (psycopg.Error, StoreError) as error:  # (the database away: StoreError, from the pool)
                log.warning("%s: telling other processes of %s failed: %s", self.name,
                            ", ".join(payloads)[:200], one_line(error))  # fmt: skip
        self.notify_cpu += time.thread_time() - started

    def notify_in(self, tx: Tx, kind: str, ident: str) -> None:
        tx.run("SELECT pg_notify(?, ?)", (self.channel, f"{self.sender} {kind} {ident}"))

    def listen(self, receive: Callable[[str, str], None]) -> Callable[[], None]:
        stopped = threading.Event()

        def deliver(payload: str) -> None:
            sender, _, rest = payload.partition(" ")
            kind, _, ident = rest.partition(" ")
            if sender != self.sender and kind:
                try:
                    receive(kind, ident)
                except Exception:  # the listener lives on
                    log.exception("%s: handling %s %s failed", self.name, kind, ident)

        def listen_loop() -> None:
            backoff, missed = 0.5, False
            while not stopped.is_set():
                try:
                    with psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
                        conn.execute(f"LISTEN {self.channel}")
                        backoff = 0.5
                        if missed:  # what was told while this listener was away is unknown: all of it
                            deliver("? * *")
                        while not stopped.is_set():
                            for note in conn.notifies(timeout=LISTEN_POLL):
                                deliver(note.payload)
                except psycopg.Error as error:
                    log.warning("%s: listening to other processes failed (retrying in %.1f s): %s",
                                self.name, backoff, one_line(error))  # fmt: skip
                    missed = True
                    stopped.wait(backoff)
                    backoff = min(backoff * 2, 10.0)

        thread = threading.Thread(target=listen_loop, name="reactchat-listen", daemon=True)
        thread.start()

        def stop() -> None:
            stopped.set()
            if thread is not threading.current_thread():
                thread.join(LISTEN_POLL * 4)

        self._listeners.append(stop)
        return stop

    def close(self) -> None:
        if not self.closed:
            self._send_told()  # what was told just now still reaches the other processes
            self.closed = True
            for stop in self._listeners:
                stop()
            self.pool.close()


class _PooledTx(Tx):
    """A transaction on a connection of the pool. The pool does not check a connection before lending it (a
    round trip before every transaction): should it have died meanwhile (the server restarted, or ended it),
    the transaction's first statement fails having done nothing, and runs again on another connection."""

    def __init__(self, store: PostgresStore) -> None:
        self.store, self.pool = store, store.pool
        self.connection = store.connection()
        self.fresh = True  # nothing ran yet
        super().__init__(self.connection.cursor(), format_style=True)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._first(lambda: super(_PooledTx, self).run(sql, params)))

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        self._first(lambda: super(_PooledTx, self).many(sql, rows))

    def _first(self, call: Callable[[], Any]) -> Any:
        if not self.fresh:
            return call()
        self.fresh = False
        for _ in range(self.pool.max_size):
            try:
                return call()
            except psycopg.OperationalError:
                if not self.connection.broken:
                    raise
                self.pool.putconn(self.connection)  # (dropped, and replaced in the background)
                self.store._reach()  # the server went away: say so now (reachable: another connection)
                self.connection = self.store.connection()
                self.cursor = self.connection.cursor()
        return call()
