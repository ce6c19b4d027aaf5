"""Messages in SQL, once for every dialect: adding, moving the active leaf, streaming (append, finish,
recover), feedback and the files kept with a conversation, each scoped by the conversation's owner."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from types import EllipsisType
from typing import Any

from reactchat.leases import Fence, LeaseLost
from reactchat.store_base import (
    FINAL_STATUSES,
    MAX_FILE_BYTES,
    Message,
    NotFound,
    StoredFile,
    auto_title,
    check_json,
    check_status,
    new_id,
    plain_text,
)
from reactchat.store_sql import MESSAGE_COLUMNS, MESSAGE_FROM, SqlStore, Tx

__all__ = ["Append", "SqlMessageStore"]

Append = tuple[str, str, str, Fence | None]  # (owner, message_id, delta, the fence its writer holds)
APPENDS_PER_STATEMENT = 200  # bounds a statement's parameters (SQLite allows 32,766; PostgreSQL 65,535)


class SqlMessageStore(SqlStore):
    """Messages in SQL; store_tree.py adds whole conversations, and backends subclass that."""

    def _messages(self, tx: Tx, rows: builtins.list[Any]) -> builtins.list[Message]:
        """Messages from rows, a streaming one's deltas appended; equal strings among them are one object (the
        conversation's id, roles, statuses, each parent id: the id of the message before): tabs hold them."""
        streaming = [row[0] for row in rows if row[6] == "streaming"]
        deltas: dict[str, list[str]] = {}
        marks = ", ".join("?" * len(streaming))
        query = (f"SELECT message_id, delta FROM message_deltas WHERE message_id IN ({marks}) "
                 "ORDER BY message_id, seq")  # fmt: skip
        for message_id, delta in tx.all(query, streaming) if streaming else ():
            deltas.setdefault(message_id, []).append(delta)
        share: Any = {}.setdefault
        contents, metadata = self.json_all([r[4] for r in rows]), self.json_all([r[5] for r in rows])
        return [
            Message(
                share(row[0], row[0]), share(row[1], row[1]), share(row[2], row[2]), share(row[3], row[3]),
                content + "".join(deltas[row[0]]) if row[0] in deltas else content, meta,
                share(row[6], row[6]), row[7], share(row[8], row[8]), *row[9:],
            )
            for row, content, meta in zip(rows, contents, metadata, strict=True)
        ]  # fmt: skip

    def _fold(
        self, tx: Tx, message_id: str, content: Any, status: str, metadata: Any, now: float, old: Any = None
    ) -> Any:
        """End a message: its deltas folded into its content (``old``, read if not given), or dropped when
        ``content`` is given; returns its content now."""
        if content is None:
            if old is None:
                old = self.json_out(tx.one("SELECT content FROM messages WHERE id = ?", (message_id,))[0])
            rows = tx.all("SELECT delta FROM message_deltas WHERE message_id = ? ORDER BY seq", (message_id,))
            content = old + "".join(r[0] for r in rows) if rows else old
        extra, params = ("", []) if metadata is None else (", metadata = ?", [self.json_in(metadata)])
        tx.run(
            f"UPDATE messages SET content = ?, text = ?, status = ?, updated_at = ?{extra} WHERE id = ?",
            [self.json_in(content), plain_text(content), status, now, *params, message_id],
        )
        tx.run("DELETE FROM message_deltas WHERE message_id = ?", (message_id,))
        return content

    def _owned_message(
        self,
        tx: Tx,
        owner: str,
        message_id: str,
        columns: str,
        *,
        share: bool = False,
        feedback: bool = False,
    ) -> Any:
        # ``share``: its conversation's row is held against updates (a takeover of its lease) until commit.
        held = f"{self.share_row()} OF c" if share and self.share_row() else ""
        source = MESSAGE_FROM if feedback else "messages m JOIN conversations c ON c.id = m.conversation_id"
        row = tx.one(
            f"SELECT {columns} FROM {source} WHERE m.id = ? AND c.owner_id = ?{self.lock_row('m')}{held}",
            (message_id, owner),
        )
        if row is None:
            raise NotFound(f"no message {message_id!r}")
        return row

    def set_leaf(self, owner: str, conversation_id: str, message_id: str | None) -> bool:
        with self._tx("moving the active leaf", write=True) as tx:
            return self._show(tx, owner, conversation_id, message_id)

    def switch(self, owner: str, conversation_id: str, message_id: str) -> bool:
        with self._tx("switching branches", write=True) as tx:
            row = tx.one(
                "WITH RECURSIVE d (id) AS ("
                "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                "WHERE m.id = ? AND c.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL "
                "UNION ALL SELECT m.id FROM messages m JOIN d ON m.parent_id = d.id) "
                "SELECT m.id FROM messages m JOIN d ON d.id = m.id "
                "ORDER BY coalesce(m.viewed_at, m.created_at) DESC, m.id DESC LIMIT 1",
                (message_id, conversation_id, owner),
            )
            return row is not None and self._show(tx, owner, conversation_id, row[0])

    def _show(self, tx: Tx, owner: str, conversation_id: str, leaf: str | None) -> bool:
        """Make ``leaf`` the end of the branch on screen, noting when (each branch's memory)."""
        lock = self.lock_row("conversations")
        sql = f"SELECT 1 FROM conversations WHERE id = ? AND owner_id = ? AND deleted_at IS NULL{lock}"
        if tx.one(sql, (conversation_id, owner)) is None:
            return False
        if leaf is not None and not tx.run(
            "UPDATE messages SET viewed_at = ? WHERE id = ? AND conversation_id = ?",
            (time.time(), leaf, conversation_id),
        ):
            return False
        tx.run("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (leaf, conversation_id))
        return True

    def add(
        self,
        owner: str,
        conversation_id: str,
        *,
        role: str,
        content: Any,
        parent_id: str | EllipsisType | None = ...,
        metadata: dict[str, Any] | None = None,
        status: str = "done",
        origin: str | None = None,
    ) -> Message:
        check_status(status)
        check_json(content, "content")
        check_json(metadata, "metadata")
        if status == "streaming" and not isinstance(content, str):
            raise ValueError(f"a streaming message's content is a str, not a {type(content).__name__}")
        if not role:
            raise ValueError("a message needs a role")
        now = time.time()
        with self._tx("adding a message", write=True, fences=True) as tx:
            conversation = tx.one(
                "SELECT c.active_leaf_id, c.title, c.id, c.lease_owner, c.fence FROM conversations c "
                f"WHERE c.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL{self.lock_row('c')}",
                (conversation_id, owner),
            )
            self._fence_holds(tx, "adding a message", conversation and conversation[2:])
            if conversation is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            parent = conversation[0] if parent_id is ... else parent_id
            if parent_id not in (..., None) and not tx.one(
                "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?", (parent, conversation_id)
            ):
                raise NotFound(f"no message {parent!r} in conversation {conversation_id!r}")
            message_id = new_id()
            text = None if status == "streaming" else plain_text(content)
            # A resent event's message is stored once: the UNIQUE (conversation_id, origin) index finds the
            # one it stored before, with no look-up before every first (NULLs never conflict).
            if not tx.run(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, metadata, "
                "status, author_id, origin, created_at, updated_at, viewed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (conversation_id, origin) DO NOTHING",
                (message_id, conversation_id, parent, role, self.json_in(content), text,
                 self.json_in(metadata), status, owner if role == "user" else None, origin, now, now, now),
            ):  # fmt: skip
                rows = tx.all(
                    f"SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} "
                    "WHERE m.conversation_id = ? AND m.origin = ?",
                    (conversation_id, origin),
                )
                return self._messages(tx, rows)[0]
            title = auto_title(plain_text(content)) if conversation[1] is None and role == "user" else None
            retitle = "" if title is None else ", title = ?, title_source = 'auto'"
            tx.run(
                f"UPDATE conversations SET active_leaf_id = ?, updated_at = ?{retitle} WHERE id = ?",
                [message_id, now, *([title] if title else []), conversation_id],
            )
        return Message(message_id, conversation_id, parent, role, content, metadata, status, None, origin,
                       now, now)  # fmt: skip

    def append_many(self, deltas: Sequence[tuple[str, str, str]]) -> None:
        with self._tx("appending to a message", write=True) as tx:  # (it checks the run's fence)
            for outcome in self._append(tx, [(*d, None) for d in deltas]):
                if outcome is not None:
                    raise outcome  # (all or nothing: rolls back)

    def append_each(self, appends: Sequence[Append]) -> builtins.list[Exception | None]:
        """Add ``(owner, message_id, delta, fence)`` deltas, many runs' at once, in one transaction; each is
        written unless its own fence (None: none) no longer holds, its message is missing or no longer
        streaming. The outcome of each, in order: None when written, else the error ``append`` would raise
        (LeaseLost, NotFound, ValueError)."""
        with self._tx("appending to messages", write=True) as tx:
            return self._append(tx, appends)

    def _append(self, tx: Tx, appends: Sequence[Append]) -> builtins.list[Exception | None]:
        for _, _, delta, _ in appends:
            if not isinstance(delta, str):
                raise TypeError(f"a delta is a str, not a {type(delta).__name__}")
        outcomes: builtins.list[Exception | None] = []
        for at in range(0, len(appends), APPENDS_PER_STATEMENT):
            outcomes += self._check_appends(tx, appends[at : at + APPENDS_PER_STATEMENT])
        seq: dict[str, int] = {}  # a message's deltas in one batch are numbered in order after its last
        rows = []
        for (_, message_id, delta, _), outcome in zip(appends, outcomes, strict=True):
            if outcome is None and delta:
                seq[message_id] = seq.get(message_id, 0) + 1
                rows.append((message_id, seq[message_id], delta))
        for at in range(0, len(rows), APPENDS_PER_STATEMENT):
            table, params = self.rows(("TEXT", "INTEGER", "TEXT"), rows[at : at + APPENDS_PER_STATEMENT])
            tx.run(
                f"WITH v (message_id, n, delta) AS ({table}) "
                "INSERT INTO message_deltas (message_id, seq, delta) SELECT v.message_id, COALESCE((SELECT "
                "MAX(d.seq) FROM message_deltas d WHERE d.message_id = v.message_id), 0) + v.n, v.delta "
                "FROM v",
                params,
            )
        return outcomes

    def _check_appends(self, tx: Tx, appends: Sequence[Append]) -> builtins.list[Exception | None]:
        """In one statement: whether each append may be written. Its message and the conversation of its fence
        are locked until commit, in id order, as in a single write: a fence checked here holds until then."""
        table, params = self.rows(
            ("INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT"),
            [
                (i, owner, message_id, *((f.conversation_id, f.holder, f.number) if f else (None,) * 3))
                for i, (owner, message_id, _, f) in enumerate(appends)
            ],
        )
        found = {
            row[0]: row[1:]
            for row in tx.all(
                f"WITH v (i, owner, message_id, lease_id, holder, fence) AS ({table}), "
                "m AS (SELECT m.id, m.status, c.owner_id FROM messages m JOIN conversations c ON "
                "c.id = m.conversation_id WHERE m.id IN (SELECT message_id FROM v) "
                f"ORDER BY m.id{self.lock_row('m')}), "
                "l AS (SELECT id, lease_owner, fence FROM conversations WHERE id IN (SELECT lease_id FROM v) "
                f"ORDER BY id{self.share_row()}) "
                "SELECT v.i, m.status, l.lease_owner, l.fence FROM v LEFT JOIN m ON m.id = v.message_id "
                "AND m.owner_id = v.owner LEFT JOIN l ON l.id = v.lease_id",
                params,
            )
        }
        outcomes: builtins.list[Exception | None] = []
        for i, (_, message_id, _, fence) in enumerate(appends):
            status, holder, number = found.get(i, (None, None, None))
            if fence is not None and (holder != fence.holder or number != fence.number):
                outcomes.append(LeaseLost(
                    f"{self.name}: appending to a message refused: the lease of conversation "
                    f"{fence.conversation_id!r} was taken by another process (fence "
                    f"{'?' if number is None else number}, this writer's {fence.number})"
                ))  # fmt: skip
            elif status is None:
                outcomes.append(NotFound(f"no message {message_id!r}"))
            elif status != "streaming":
                outcomes.append(ValueError(f"message {message_id!r} is {status}, not streaming"))
            else:
                outcomes.append(None)
        return outcomes

    def finish(
        self,
        owner: str,
        message_id: str,
        *,
        status: str = "done",
        content: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        check_status(status, FINAL_STATUSES)
        check_json(content, "content")
        check_json(metadata, "metadata")
        now = time.time()
        with self._tx("finishing a message", write=True, fences=True) as tx:
            columns = f"{MESSAGE_COLUMNS}, c.id, c.lease_owner, c.fence"
            try:  # the message as it is (what it becomes is known: no read after the update)
                row = self._owned_message(tx, owner, message_id, columns, share=True, feedback=True)
            except NotFound:
                self._fence_holds(tx, "finishing a message", None)
                raise
            self._fence_holds(tx, "finishing a message", row[-3:])
            content = self._fold(tx, message_id, content, status, metadata, now, self.json_out(row[4]))
            tx.run("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, row[-3]))
            return Message(row[0], row[1], row[2], row[3], content,
                           self.json_out(row[5]) if metadata is None else metadata, status, row[7], row[8],
                           row[9], now)  # fmt: skip

    def set_metadata(self, owner: str, message_id: str, metadata: dict[str, Any] | None) -> None:
        check_json(metadata, "metadata")
        with self._tx("saving a message's metadata", write=True) as tx:
            self._owned_message(tx, owner, message_id, "m.id")
            tx.run("UPDATE messages SET metadata = ? WHERE id = ?", (self.json_in(metadata), message_id))

    def set_feedback(self, owner: str, message_id: str, value: str | None) -> None:
        if value is not None and not (isinstance(value, str) and value):
            raise ValueError(f"feedback is a non-empty str or None, not {value!r}")
        with self._tx("saving feedback", write=True) as tx:
            self._owned_message(tx, owner, message_id, "m.id")
            if value is None:
                tx.run("DELETE FROM feedback WHERE message_id = ? AND user_id = ?", (message_id, owner))
            else:
                tx.run(
                    "INSERT INTO feedback (message_id, user_id, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (message_id, user_id) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    (message_id, owner, value, time.time()),
                )

    def add_file(self, owner: str, conversation_id: str, *, data: bytes, name: str, mime: str) -> StoredFile:
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"a file of {len(data)} bytes is larger than the store keeps ({MAX_FILE_BYTES})")
        kept = StoredFile(new_id(), conversation_id, name, mime, len(data), time.time())
        with self._tx("keeping a file", write=True) as tx:
            if tx.one("SELECT 1 FROM conversations WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
                      (conversation_id, owner)) is None:  # fmt: skip
                raise NotFound(f"no conversation {conversation_id!r}")
            tx.run(
                "INSERT INTO files (id, conversation_id, name, mime, size, data, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kept.id, conversation_id, name, mime, kept.size, bytes(data), kept.created_at),
            )
        return kept

    def file(self, owner: str, file_id: str) -> tuple[StoredFile, bytes] | None:
        with self._tx("reading a file") as tx:
            row = tx.one(
                "SELECT f.id, f.conversation_id, f.name, f.mime, f.size, f.created_at, f.data FROM files f "
                "JOIN conversations c ON c.id = f.conversation_id "
                "WHERE f.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL",
                (file_id, owner),
            )
        if row is None:
            return None
        return StoredFile(*row[:6]), bytes(row[6])

    def recover(self) -> int:
        now = time.time()
        with self._tx("recovering streaming messages", write=True) as tx:
            # Not the answers of a conversation whose lease lasts: another process is writing them.
            rows = tx.all(
                "SELECT m.id FROM messages m WHERE m.status = 'streaming' AND NOT EXISTS (SELECT 1 FROM "
                "conversations c WHERE c.id = m.conversation_id AND c.lease_owner IS NOT NULL AND "
                f"c.lease_until > ?){self.lock_row('m')}",
                (now,),
            )
            for (message_id,) in rows:
                self._fold(tx, message_id, None, "interrupted", None, now)
        return len(rows)
