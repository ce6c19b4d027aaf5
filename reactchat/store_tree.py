"""Whole conversations in SQL, once for every dialect: the path to the active leaf with the forks along it,
the tree of every branch, the files kept with it, the store's users and an owner's conversations (an export
reads these), ``load`` (an import, or a fork's copy) writing a conversation with its messages, feedback and
files in one transaction, and ``remove`` deleting a message with everything under it."""

from __future__ import annotations

import builtins
import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

from reactchat.records import Conversation, Message, StoredFile, User
from reactchat.store_base import (
    MAX_FILE_BYTES,
    RENDERS_UNUSED,
    NotFound,
    check_json,
    check_status,
    plain_text,
)
from reactchat.store_messages import SqlMessageStore
from reactchat.store_sql import CONVERSATION_COLUMNS, MESSAGE_COLUMNS, MESSAGE_FROM

__all__ = ["SqlTreeStore", "parents_first"]


def parents_first(messages: Sequence[Message]) -> list[Message]:
    """``messages`` ordered so each parent comes before its children (siblings keep their order).

    Raises:
        ValueError: a message's parent is not among them, naming both.
    """
    known = {m.id for m in messages}
    children: dict[str | None, list[Message]] = {}
    for m in messages:
        if m.parent_id is not None and m.parent_id not in known:
            raise ValueError(
                f"message {m.id!r} has the parent {m.parent_id!r}, which is not among the messages"
            )
        children.setdefault(m.parent_id, []).append(m)
    ordered: list[Message] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # depth first, without recursion: a conversation can be thousands of turns deep
        m = stack.pop()
        ordered.append(m)
        stack.extend(reversed(children.get(m.id, [])))
    if len(ordered) != len(messages):  # only a cycle is left unreached (ids are unique in a store)
        raise ValueError("the messages' parents form a cycle: no message of it has a root above it")
    return ordered


class SqlTreeStore(SqlMessageStore):
    """The whole Store API in SQL: backends subclass this and connect."""

    def path(self, owner: str, conversation_id: str) -> builtins.list[Message]:
        with self._tx("reading a conversation's messages", snapshot=True) as tx:
            # The path's ids, a step a message up from the active leaf, then its rows: in one read of the
            # whole conversation when they are most of it, else by id. The recursive query read each row as it
            # stepped, and again to join it: twice as long at 10,000 messages. Either way the cost grows with
            # the path, not with the branches beside it (counting those costs ~0.1 us each).
            ids = [row[0] for row in tx.all(
                "WITH RECURSIVE p (id, depth) AS ("
                "SELECT c.active_leaf_id, 0 FROM conversations c "
                "WHERE c.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL AND c.active_leaf_id IS NOT NULL "
                "UNION ALL SELECT m.parent_id, p.depth + 1 FROM messages m JOIN p ON m.id = p.id "
                "WHERE m.parent_id IS NOT NULL) SELECT id FROM p ORDER BY depth DESC",
                (conversation_id, owner),
            )]  # fmt: skip
            if not ids:
                return []
            count = tx.one("SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,))
            children: dict[str | None, builtins.list[str]] = {}
            if 2 * len(ids) >= count[0]:
                rows = tx.all(f"SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.conversation_id = ?",
                              (conversation_id,))  # fmt: skip
                for row in rows:  # every message of the tree: its forks too
                    children.setdefault(row[2], []).append(row[0])
            else:
                rows = []
                for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):  # bounded parameters
                    marks = ", ".join("?" * len(chunk))
                    rows += tx.all(f"SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} WHERE m.id IN ({marks})",
                                   chunk)  # fmt: skip
                    # The children of the path's messages where more than one: read by the index (rows come
                    # only where it forks).
                    for parent, child in tx.all(
                        "SELECT parent_id, id FROM messages WHERE conversation_id = ? AND parent_id IN "
                        "(SELECT parent_id FROM messages WHERE conversation_id = ? "
                        f"AND parent_id IN ({marks}) GROUP BY parent_id HAVING count(*) > 1)",
                        (conversation_id, conversation_id, *chunk),
                    ):
                        children.setdefault(parent, []).append(child)
                roots = "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
                children[None] = [r[0] for r in tx.all(roots, (conversation_id,))]
            order = {message_id: i for i, message_id in enumerate(ids)}
            rows = sorted((row for row in rows if row[0] in order), key=lambda row: order[row[0]])
            return [
                dataclasses.replace(m, siblings=tuple(sorted(children[m.parent_id])))
                if len(children.get(m.parent_id, ())) > 1
                else m
                for m in self._messages(tx, rows)
            ]

    def tree(self, owner: str, conversation_id: str) -> builtins.list[Message]:
        with self._tx("reading a conversation's tree", snapshot=True) as tx:
            rows = tx.all(
                f"SELECT {MESSAGE_COLUMNS} FROM {MESSAGE_FROM} "
                "WHERE m.conversation_id = ? AND c.owner_id = ? AND c.deleted_at IS NULL ORDER BY m.id",
                (conversation_id, owner),
            )
            return self._messages(tx, rows)

    def files(self, owner: str, conversation_id: str) -> builtins.list[StoredFile]:
        with self._tx("listing a conversation's files") as tx:
            rows = tx.all(
                "SELECT f.id, f.conversation_id, f.name, f.mime, f.size, f.created_at FROM files f "
                "JOIN conversations c ON c.id = f.conversation_id "
                "WHERE f.conversation_id = ? AND c.owner_id = ? AND c.deleted_at IS NULL "
                "ORDER BY f.created_at, f.id",
                (conversation_id, owner),
            )
        return [StoredFile(*row) for row in rows]

    def renders(self, owner: str, conversation_id: str) -> dict[str, str]:
        with self._tx("reading a conversation's renders") as tx:
            rows = tx.all(
                "SELECT r.key, r.props FROM renders r JOIN conversations c ON c.id = r.conversation_id "
                "WHERE r.conversation_id = ? AND c.owner_id = ? AND c.deleted_at IS NULL",
                (conversation_id, owner),
            )
        return dict(rows)

    def keep_renders(
        self, owner: str, conversation_id: str, renders: Mapping[str, str], used: Sequence[str] = ()
    ) -> None:
        now = time.time()
        with self._tx("keeping a conversation's renders", write=True) as tx:
            if (
                tx.one(
                    "SELECT 1 FROM conversations WHERE id = ? AND owner_id = ? AND deleted_at IS NULL",
                    (conversation_id, owner),
                )
                is None
            ):
                return
            tx.many(
                "INSERT INTO renders (conversation_id, key, props, used_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (conversation_id, key) "
                "DO UPDATE SET props = excluded.props, used_at = excluded.used_at",
                [(conversation_id, key, props, now) for key, props in renders.items()],
            )
            tx.many(
                "UPDATE renders SET used_at = ? WHERE conversation_id = ? AND key = ? AND used_at < ?",
                [(now, conversation_id, key, now - 86400) for key in used if key not in renders],
            )
            tx.run("DELETE FROM renders WHERE used_at < ?", (now - RENDERS_UNUSED,))

    def users(self) -> builtins.list[User]:
        with self._tx("listing users") as tx:
            rows = tx.all(
                "SELECT id, identifier, provider, name, email, claims FROM users ORDER BY created_at, id"
            )
        return [User(row[0], row[1], row[2], row[3], row[4], self.json_out(row[5])) for row in rows]

    def conversations(self, owner: str) -> builtins.list[Conversation]:
        with self._tx("listing a user's conversations") as tx:
            rows = tx.all(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c "
                "WHERE c.owner_id = ? AND c.deleted_at IS NULL ORDER BY c.created_at, c.id",
                (owner,),
            )
        return [self._conversation(row) for row in rows]

    def remove(self, owner: str, message_id: str) -> builtins.list[str]:
        with self._tx("removing messages", write=True) as tx:
            row = tx.one(
                "SELECT m.conversation_id, m.parent_id, c.active_leaf_id FROM messages m "
                "JOIN conversations c ON c.id = m.conversation_id "
                f"WHERE m.id = ? AND c.owner_id = ? AND c.deleted_at IS NULL{self.lock_row('c')}",
                (message_id, owner),
            )
            if row is None:
                raise NotFound(f"no message {message_id!r}")
            conversation_id, parent, leaf = row
            ids = [r[0] for r in tx.all(
                "WITH RECURSIVE d (id, depth) AS (SELECT CAST(? AS TEXT), 0 UNION ALL "
                "SELECT m.id, d.depth + 1 FROM messages m JOIN d ON m.parent_id = d.id) "
                "SELECT id FROM d ORDER BY depth, id",
                (message_id,),
            )]  # fmt: skip
            if leaf in ids:
                tx.run("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (parent, conversation_id))
            # Children before parents: the parent pointers' cascade then finds nothing left to do.
            for start in range(len(ids) - 1, -1, -500):
                batch = ids[max(0, start - 499) : start + 1]
                tx.run(f"DELETE FROM messages WHERE id IN ({', '.join('?' * len(batch))})", batch)
        return ids

    def load(
        self,
        owner: str,
        conversation: Conversation,
        messages: Sequence[Message],
        files: Sequence[tuple[StoredFile, bytes]] = (),
    ) -> None:
        c = conversation
        check_json(c.state, "state")
        for m in messages:
            check_json(m.content, f"the content of message {m.id!r}")
            check_json(m.metadata, f"the metadata of message {m.id!r}")
            check_status(m.status)
        ordered = parents_first(messages)
        for kept, data in files:
            if len(data) > MAX_FILE_BYTES:
                raise ValueError(f"the file {kept.id!r} of {len(data)} bytes is larger than the store keeps")
        if c.active_leaf_id is not None and all(m.id != c.active_leaf_id for m in messages):
            raise ValueError(f"the active leaf {c.active_leaf_id!r} is not among the messages")
        now = time.time()
        with self._tx("loading a conversation", write=True) as tx:
            if tx.one("SELECT 1 FROM users WHERE id = ?", (owner,)) is None:
                raise NotFound(f"no user {owner!r}")
            if tx.one("SELECT 1 FROM conversations WHERE id = ?", (c.id,)) is not None:
                raise ValueError(f"the store holds a conversation {c.id!r} already")
            tx.run(
                "INSERT INTO conversations (id, owner_id, app, title, title_source, active_leaf_id, state, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.id, owner, c.app, c.title, c.title_source, c.active_leaf_id, self.json_in(c.state),
                 c.created_at, c.updated_at),
            )  # fmt: skip
            for m in ordered:
                tx.run(
                    "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, metadata, "
                    "status, author_id, origin, created_at, updated_at, viewed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (m.id, c.id, m.parent_id, m.role, self.json_in(m.content), _text(m),
                     self.json_in(m.metadata), m.status, owner if m.role == "user" else None, m.origin,
                     m.created_at, m.updated_at, now if m.id == c.active_leaf_id else None),
                )  # fmt: skip
                if m.feedback is not None:
                    tx.run(
                        "INSERT INTO feedback (message_id, user_id, value, updated_at) VALUES (?, ?, ?, ?)",
                        (m.id, owner, m.feedback, m.updated_at),
                    )
            for kept, data in files:
                tx.run(
                    "INSERT INTO files (id, conversation_id, name, mime, size, data, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (kept.id, c.id, kept.name, kept.mime, len(data), bytes(data), kept.created_at),
                )


def _text(message: Message) -> Any:
    """What search indexes of a message: none while it streams (``finish`` indexes it), as ``add`` does."""
    return None if message.status == "streaming" else plain_text(message.content)
