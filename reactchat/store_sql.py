"""The conversation store in SQL, once for every dialect: transactions, errors, migrations, users and
conversations (store_messages.py adds the messages).

A backend supplies transactions, row locks, JSON conversion and the search condition; everything else,
ownership scoping included, is written once so the backends cannot drift apart.
"""

from __future__ import annotations

import abc
import builtins
import contextlib
import json
import re
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from reactchat import migrations
from reactchat.leases import Fence, LeaseLost, current_fence
from reactchat.store_base import Conversation, NotFound, Store, StoreError, check_json, new_id

__all__ = [
    "CONVERSATION_COLUMNS",
    "MESSAGE_COLUMNS",
    "MESSAGE_FROM",
    "Cursor",
    "SqlStore",
    "Tx",
    "one_line",
    "search_words",
]

MAX_LIMIT = 1000
MAX_SEARCH_WORDS = 16
CONVERSATION_COLUMNS = (
    "c.id, c.owner_id, c.app, c.title, c.title_source, c.active_leaf_id, c.state, c.created_at, "
    "c.updated_at, c.deleted_at"
)
MESSAGE_COLUMNS = (
    "m.id, m.conversation_id, m.parent_id, m.role, m.content, m.metadata, m.status, f.value, m.origin, "
    "m.created_at, m.updated_at"
)
# A message with its conversation (for the owner) and the owner's feedback on it.
MESSAGE_FROM = (
    "messages m JOIN conversations c ON c.id = m.conversation_id "
    "LEFT JOIN feedback f ON f.message_id = m.id AND f.user_id = c.owner_id"
)


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[Any], /) -> object: ...

    def executemany(self, sql: str, params: Iterable[Sequence[Any]], /) -> object: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Tx:
    """One transaction's statements, written with ``?`` placeholders whatever the driver wants."""

    def __init__(self, cursor: Cursor, *, format_style: bool = False) -> None:
        self.cursor = cursor
        self.format_style = format_style  # psycopg wants %s

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute a statement; how many rows it changed."""
        self.cursor.execute(sql.replace("?", "%s") if self.format_style else sql, params)
        return self.cursor.rowcount

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Execute a statement once per row of parameters (one round trip where the driver can)."""
        self.cursor.executemany(sql.replace("?", "%s") if self.format_style else sql, rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row of a query, or None."""
        self.run(sql, params)
        return self.cursor.fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row of a query."""
        self.run(sql, params)
        return self.cursor.fetchall()


def one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return (text or type(error).__name__)[:400]


def loads_all(texts: Sequence[str | None]) -> list[Any]:
    """JSON texts as they were written, one value each (None: null), parsed in one call: a call of
    ``json.loads`` each cost more than the parsing (a 10,000-message conversation's contents, or its renders).

    Raises:
        ValueError: a text is not JSON, or not exactly one value (the values would not line up).
    """
    found = json.loads("[" + ",".join("null" if text is None else text for text in texts) + "]")
    if len(found) != len(texts):
        raise ValueError("a stored JSON value is not one JSON value")
    return found  # type: ignore[no-any-return]


def search_words(query: str) -> list[str]:
    """The words of a search query: runs of letters, digits and underscores; everything else separates."""
    return re.findall(r"\w+", query)[:MAX_SEARCH_WORDS]


class SqlStore(Store):
    """Users and conversations in SQL; subclasses add messages, connect, and supply the dialect's few
    differences."""

    dialect: str
    errors: tuple[type[BaseException], ...]  # the driver's errors, reported as StoreError

    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False
        self._secret = b""

    # --- what a backend supplies

    @abc.abstractmethod
    def transaction(self, *, write: bool, snapshot: bool = False) -> contextlib.AbstractContextManager[Tx]:
        """A transaction, committed when the block ends and rolled back when it raises. ``write``: one
        that changes rows; ``snapshot``: several reads that must see one state."""

    def lock_row(self, alias: str) -> str:
        """A suffix locking the selected row of ``alias`` until commit (where writers are not serial)."""
        return ""

    @abc.abstractmethod
    def json_in(self, value: Any) -> Any:
        """A JSON value (None: SQL NULL) as a query parameter."""

    @abc.abstractmethod
    def json_out(self, value: Any) -> Any:
        """A JSON column's value as Python."""

    def json_all(self, values: Sequence[Any]) -> builtins.list[Any]:
        """``json_out`` of each of ``values`` (a backend may read them all at once)."""
        return [self.json_out(value) for value in values]

    @abc.abstractmethod
    def match(self, words: builtins.list[str]) -> tuple[str, builtins.list[Any]]:
        """A condition on conversations ``c`` (and its parameters): title or a message holds every word
        of ``words`` as a prefix."""

    def rows(self, types: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, builtins.list[Any]]:
        """A query of ``rows`` (a value per column of ``types``, SQL type names), for ``WITH v (...) AS
        (it)``, and its parameters: a VALUES list here; a backend with arrays passes a column a parameter, so
        the statement's text stays the same whatever the number of rows (parsed and prepared once)."""
        row = f"({', '.join(f'CAST(? AS {kind})' for kind in types)})"
        return f"VALUES {', '.join([row] * len(rows))}", [value for values in rows for value in values]

    # --- shared machinery

    @contextlib.contextmanager
    def _tx(
        self, what: str, *, write: bool = False, snapshot: bool = False, fences: bool = False
    ) -> Iterator[Tx]:
        """A transaction that raises StoreError; a write one checks the run's fence first, unless the body
        does (``fences``: with ``_fence_holds``, on the conversation row its first statement locks anyway)."""
        if self.closed:
            raise StoreError(f"{self.name}: {what} failed: the store is closed")
        try:
            with self.transaction(write=write, snapshot=snapshot) as tx:
                fence = current_fence() if write and not fences else None
                if fence is not None:
                    self._check_fence(tx, fence, what)
                yield tx
        except self.errors as error:
            raise StoreError(f"{self.name}: {what} failed: {one_line(error)}") from error

    def _fence_holds(self, tx: Tx, what: str, lease: Sequence[Any] | None) -> None:
        """The run's fence checked against ``lease``, the ``(id, lease_owner, fence)`` of the conversation row
        the write locked itself (one statement fewer than ``_check_fence``); a fence of another conversation,
        or a missing row, is checked on its own."""
        fence = current_fence()
        if fence is None:
            return
        if lease is None or lease[0] != fence.conversation_id:
            self._check_fence(tx, fence, what)
        elif lease[1] != fence.holder or lease[2] != fence.number:
            raise self._lost(fence, what, lease[2])

    def _check_fence(self, tx: Tx, fence: Fence, what: str) -> None:
        # In the write's own transaction, the row held against a takeover until it commits: a writer whose
        # lease was taken (it froze, and another process took over) writes nothing.
        row = tx.one(
            f"SELECT lease_owner, fence FROM conversations WHERE id = ?{self.share_row()}",
            (fence.conversation_id,),
        )
        if row is None or row[0] != fence.holder or row[1] != fence.number:
            raise self._lost(fence, what, row[1] if row else None)

    def _lost(self, fence: Fence, what: str, number: int | None) -> LeaseLost:
        return LeaseLost(
            f"{self.name}: {what} refused: the lease of conversation {fence.conversation_id!r} was taken by "
            f"another process (fence {'?' if number is None else number}, this writer's {fence.number})"
        )

    def share_row(self) -> str:
        """A suffix holding the selected row against updates until commit (where writers are not serial)."""
        return ""

    def migrate(self) -> None:
        """Bring the schema up to date and make the secret, once, under the dialect's lock."""
        latest = migrations.latest(self.dialect)
        with self._tx("migrating the schema", write=True) as tx:
            for statement in migrations.PRELUDE[self.dialect]:
                tx.run(statement)
            row = tx.one("SELECT value FROM meta WHERE key = 'schema_version'")
            version = int(row[0]) if row else 0
            if version > latest:
                raise StoreError(
                    f"{self.name}: the database's schema version {version} is newer than this reactchat's "
                    f"({latest}): upgrade reactchat to use it"
                )
            for script in migrations.pending(self.dialect, version):
                for statement in script:
                    tx.run(statement)
            tx.run(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(latest),),
            )
            tx.run(
                "INSERT INTO meta (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING",
                (secrets.token_hex(32),),
            )
            self._secret = bytes.fromhex(tx.one("SELECT value FROM meta WHERE key = 'secret'")[0])

    def _conversation(self, row: Any) -> Conversation:
        state = self.json_out(row[6]) or {}
        return Conversation(row[0], row[1], row[2], row[3], row[4], row[5], state, row[7], row[8], row[9])

    def secret(self) -> bytes:
        return self._secret

    def user(
        self,
        identifier: str,
        *,
        provider: str = "anonymous",
        name: str | None = None,
        email: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        check_json(claims, "claims")
        now = time.time()
        with self._tx("saving a user", write=True) as tx:
            tx.run(
                "INSERT INTO users (id, identifier, provider, name, email, claims, created_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (identifier) DO UPDATE SET "
                "name = COALESCE(excluded.name, users.name), email = COALESCE(excluded.email, users.email), "
                "claims = COALESCE(excluded.claims, users.claims), last_seen_at = excluded.last_seen_at",
                (new_id(), identifier, provider, name, email, self.json_in(claims), now, now),
            )
            return str(tx.one("SELECT id FROM users WHERE identifier = ?", (identifier,))[0])

    def create(self, owner: str, app: str, *, title: str | None = None) -> Conversation:
        now, conversation_id = time.time(), new_id()
        source = None if title is None else "user"
        with self._tx("creating a conversation", write=True) as tx:
            made = tx.run(
                "INSERT INTO conversations (id, owner_id, app, title, title_source, state, created_at, "
                "updated_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)",
                (conversation_id, owner, app, title, source, self.json_in({}), now, now, owner),
            )
        if not made:
            raise NotFound(f"no user {owner!r}")
        return Conversation(conversation_id, owner, app, title, source, None, {}, now, now, None)

    def get(self, owner: str, conversation_id: str) -> Conversation | None:
        with self._tx("reading a conversation") as tx:
            row = tx.one(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c "
                "WHERE c.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL",
                (conversation_id, owner),
            )
        return None if row is None else self._conversation(row)

    def _listing(
        self, what: str, owner: str, app: str, limit: int, condition: str = "", params: Sequence[Any] = ()
    ) -> builtins.list[Conversation]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        with self._tx(what) as tx:
            rows = tx.all(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c "
                f"WHERE c.owner_id = ? AND c.app = ? AND c.deleted_at IS NULL{condition} "
                "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
                [owner, app, *params, min(limit, MAX_LIMIT)],
            )
        return [self._conversation(row) for row in rows]

    def list(
        self, owner: str, app: str, *, limit: int = 50, before: tuple[float, str] | None = None
    ) -> builtins.list[Conversation]:
        if before is None:
            return self._listing("listing conversations", owner, app, limit)
        condition = " AND (c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))"
        return self._listing("listing conversations", owner, app, limit, condition, [before[0], *before])

    def search(self, owner: str, app: str, query: str, *, limit: int = 20) -> builtins.list[Conversation]:
        words = search_words(query)
        if not words:
            return []
        condition, params = self.match(words)
        return self._listing("searching conversations", owner, app, limit, f" AND ({condition})", params)

    def _update(self, what: str, sql: str, params: Sequence[Any]) -> bool:
        with self._tx(what, write=True) as tx:
            return tx.run(sql, params) > 0

    def rename(self, owner: str, conversation_id: str, title: str) -> bool:
        if not title.strip():
            raise ValueError("a conversation's title cannot be blank")
        return self._update(
            "renaming a conversation",
            "UPDATE conversations SET title = ?, title_source = 'user' "
            "WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
            (title.strip(), conversation_id, owner),
        )

    def delete(self, owner: str, conversation_id: str) -> bool:
        return self._update(
            "deleting a conversation",
            "UPDATE conversations SET deleted_at = ? WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
            (time.time(), conversation_id, owner),
        )

    def restore(self, owner: str, conversation_id: str) -> bool:
        return self._update(
            "restoring a conversation",
            "UPDATE conversations SET deleted_at = NULL "
            "WHERE id = ? AND owner_id = ? AND deleted_at IS NOT NULL",
            (conversation_id, owner),
        )

    def set_state(self, owner: str, conversation_id: str, state: dict[str, Any]) -> None:
        if not isinstance(state, dict):
            raise TypeError(f"state is a {type(state).__name__}, not a dict")
        check_json(state, "state")
        if not self._update(
            "saving a conversation's state",
            "UPDATE conversations SET state = ? WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
            (self.json_in(state), conversation_id, owner),
        ):
            raise NotFound(f"no conversation {conversation_id!r}")
