"""Accounts in SQL, once for every dialect: a user's password hash and sign-in epoch, and the claim that
gives an anonymous browser's conversations to the user it signs in as."""

from __future__ import annotations

import time

from reactchat.records import Account, User
from reactchat.store_base import new_id
from reactchat.store_tree import SqlTreeStore

__all__ = ["SqlAccountStore"]


class SqlAccountStore(SqlTreeStore):
    """The account half of the Store API (see ``Store``), on SQL."""

    def account(self, identifier: str) -> Account | None:
        with self._tx("reading an account") as tx:
            row = tx.one(
                "SELECT id, identifier, provider, name, email, claims, password_hash, auth_epoch FROM users "
                "WHERE identifier = ?",
                (identifier,),
            )
        if row is None:
            return None
        user = User(row[0], row[1], row[2], row[3], row[4], self.json_out(row[5]))
        return Account(user, row[6], int(row[7]))

    def set_password(self, identifier: str, password_hash: str | None, *, name: str | None = None) -> int:
        now = time.time()
        with self._tx("saving a password", write=True) as tx:
            tx.run(
                "INSERT INTO users (id, identifier, provider, name, password_hash, created_at, last_seen_at) "
                "VALUES (?, ?, 'password', ?, ?, ?, ?) ON CONFLICT (identifier) DO UPDATE SET "
                "password_hash = excluded.password_hash, auth_epoch = users.auth_epoch + 1, "
                "name = COALESCE(excluded.name, users.name)",
                (new_id(), identifier, name, password_hash, now, now),
            )
            return int(tx.one("SELECT auth_epoch FROM users WHERE identifier = ?", (identifier,))[0])

    def raise_epoch(self, identifier: str) -> int:
        with self._tx("signing a user out everywhere", write=True) as tx:
            tx.run("UPDATE users SET auth_epoch = auth_epoch + 1 WHERE identifier = ?", (identifier,))
            row = tx.one("SELECT auth_epoch FROM users WHERE identifier = ?", (identifier,))
        return int(row[0]) if row is not None else -1

    def claim(self, from_owner: str, to_owner: str) -> int:
        if from_owner == to_owner:
            return 0
        with self._tx("claiming conversations", write=True) as tx:
            moved = tx.run(
                "UPDATE conversations SET owner_id = ? WHERE owner_id = ? "
                "AND EXISTS (SELECT 1 FROM users WHERE id = ?)",
                (to_owner, from_owner, to_owner),
            )
            # Feedback is per (message, user): the browser's likes become the user's, unless the user
            # already judged that message (then theirs stands).
            tx.run(
                "UPDATE feedback SET user_id = ? WHERE user_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM feedback f WHERE f.message_id = feedback.message_id AND f.user_id = ?)",
                (to_owner, from_owner, to_owner),
            )
            tx.run("UPDATE messages SET author_id = ? WHERE author_id = ?", (to_owner, from_owner))
        return moved
