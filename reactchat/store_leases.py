"""Leases in SQL, once for every dialect (see ``leases``): taking, renewing and releasing a conversation's
lease with its fence number, and marking the answers of a conversation whose writer is gone as interrupted."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence

from reactchat.store_accounts import SqlAccountStore
from reactchat.store_sql import Tx

__all__ = ["SqlLeaseStore"]


class SqlLeaseStore(SqlAccountStore):
    """The lease half of the Store API (see ``leases.LeaseStore``), on SQL."""

    def take_lease(self, conversation_id: str, holder: str, ttl: float) -> int | None:
        now = time.time()
        with self._tx("taking a lease", write=True) as tx:
            taken = tx.one(
                "UPDATE conversations SET fence = CASE WHEN lease_owner = ? THEN fence ELSE fence + 1 END, "
                "lease_owner = ?, lease_until = ? WHERE id = ? "
                "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?) RETURNING fence",
                (holder, holder, now + ttl, conversation_id, holder, now),
            )
            if taken is None:
                return None
            # What is still streaming has no writer: its holder is this one now, which writes nothing yet.
            for (message_id,) in tx.all(
                f"SELECT m.id FROM messages m WHERE m.conversation_id = ? AND m.status = 'streaming'"
                f"{self.lock_row('m')}",
                (conversation_id,),
            ):
                self._fold(tx, message_id, None, "interrupted", None, now)
            return int(taken[0])

    def renew_leases(self, holder: str, conversation_ids: Sequence[str], ttl: float) -> builtins.list[str]:
        if not conversation_ids:
            return []
        marks = ", ".join("?" for _ in conversation_ids)
        with self._tx("renewing leases", write=True) as tx:
            # Rows locked in id order, as a batch of appends locks them: two such writers cannot deadlock.
            held = {
                row[0]
                for row in tx.all(
                    "UPDATE conversations SET lease_until = ? WHERE id IN (SELECT id FROM conversations "
                    f"WHERE lease_owner = ? AND id IN ({marks}) ORDER BY id{self.lock_row('conversations')}) "
                    "RETURNING id",
                    (time.time() + ttl, holder, *conversation_ids),
                )
            }
        return [c for c in conversation_ids if c not in held]

    def release_lease(self, conversation_id: str, holder: str) -> None:
        with self._tx("releasing a lease", write=True) as tx:
            released = tx.run(
                "UPDATE conversations SET lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?",
                (conversation_id, holder),
            )
            if released:
                self.notify_in(tx, "r", conversation_id)  # in the same round trip: waiters try again

    def notify_in(self, tx: Tx, kind: str, ident: str) -> None:
        """``notify``, sent when ``tx`` commits (where there are other processes to tell)."""

    def recover_conversation(self, conversation_id: str) -> int:
        now = time.time()
        with self._tx("recovering a conversation's answers", write=True) as tx:
            rows = tx.all(
                "SELECT m.id FROM messages m WHERE m.conversation_id = ? AND m.status = 'streaming' "
                "AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id "
                f"AND c.lease_owner IS NOT NULL AND c.lease_until > ?){self.lock_row('m')}",
                (conversation_id, now),
            )
            for (message_id,) in rows:
                self._fold(tx, message_id, None, "interrupted", None, now)
        return len(rows)
