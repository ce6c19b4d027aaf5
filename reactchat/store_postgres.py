"""The conversation store on PostgreSQL: psycopg 3 with a small bounded connection pool.

Writers are not serial here, so the rows a write depends on (the conversation a message joins, the
message a delta grows) are locked with ``FOR NO KEY UPDATE`` until it commits. Search uses generated
``tsvector`` columns with GIN indexes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from reactchat.migrations import FOLD_FROM, FOLD_TO
from reactchat.store_accounts import SqlAccountStore
from reactchat.store_base import StoreError, display_url
from reactchat.store_sql import Tx, one_line

__all__ = ["PostgresStore"]

CONNECT_TIMEOUT = 5  # seconds to reach the server
POOL_TIMEOUT = 30.0  # seconds a call waits for a free connection


class PostgresStore(SqlAccountStore):
    """Conversations in a PostgreSQL database (the schema is the URL's search_path, ``public`` by default).

    Args:
        url: a libpq URL, e.g. ``postgresql://user:password@host:5432/db?options=-csearch_path%3Dchat``.
        min_size, max_size: the pool's bounds; keep processes x max_size under the server's
            max_connections.
    """

    dialect = "postgresql"
    errors = (psycopg.Error,)

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 4) -> None:
        super().__init__(display_url(url))
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
            check=psycopg_pool.ConnectionPool.check_connection,  # a server restart costs no failed call
            name=f"reactchat-store-{id(self):x}",
            open=False,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
            self.migrate()
        except psycopg.Error as error:
            self.pool.close()
            raise StoreError(f"{self.name}: cannot open: {one_line(error)}") from None
        except StoreError:
            self.pool.close()
            raise

    @contextlib.contextmanager
    def transaction(self, *, write: bool, snapshot: bool = False) -> Iterator[Tx]:
        # The pool's block commits when it ends, rolls back when it raises, and drops a broken connection.
        with self.pool.connection() as connection, connection.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield Tx(cursor, format_style=True)

    def lock_row(self, alias: str) -> str:
        # Not FOR UPDATE: that would also block the key-share locks of foreign key checks (a reply being
        # finished while the next message names it as parent would deadlock).
        return f" FOR NO KEY UPDATE OF {alias}"

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

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.pool.close()
