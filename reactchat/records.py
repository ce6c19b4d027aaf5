"""The conversation store's records: a conversation, a message, a kept file, a user and their account, as a
store gives them, and the ids they are made with."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
import time
from typing import Any

__all__ = [
    "Account", "Conversation", "Message", "Origins", "StoredFile", "User", "as_dict", "named_id", "new_id",
]  # fmt: skip

# --- Time-ordered ids: 48-bit milliseconds + 80 random bits, Crockford base32 (26 characters, like ULID).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_id_lock = threading.Lock()
_last = [0, 0]  # the last id's milliseconds and random part: ids made in one process strictly increase


def new_id() -> str:
    """A unique id that sorts in creation order (strictly within a process, by millisecond across them)."""
    ms = time.time_ns() // 1_000_000
    with _id_lock:
        if ms <= _last[0]:  # same millisecond (or a clock step back): step the random part up, unguessably
            ms, rand = _last[0], _last[1] + 1 + secrets.randbits(32)
            if rand >= 1 << 80:
                ms, rand = ms + 1, secrets.randbits(79)
        else:
            rand = secrets.randbits(80)
        _last[:] = [ms, rand]
    value = (ms << 80) | rand
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def named_id(*names: str) -> str:
    """An id made from ``names`` (an id the same names always make: something an event makes, made twice,
    is made once), in the form of ``new_id``'s."""
    value = int.from_bytes(hashlib.sha256("\0".join(names).encode()).digest()[:17], "big") >> 6
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


@dataclasses.dataclass(frozen=True)
class Conversation:
    """A conversation as stored. ``updated_at`` moves with message activity (add, finish), not renames."""

    id: str
    owner_id: str
    app: str
    title: str | None
    title_source: str | None  # "auto" | "user"
    active_leaf_id: str | None
    state: dict[str, Any]
    created_at: float
    updated_at: float
    deleted_at: float | None


@dataclasses.dataclass(frozen=True, slots=True)  # (slots: a long conversation holds thousands, made at once)
class Message:
    """A message as stored; ``feedback`` is the reading owner's own."""

    id: str
    conversation_id: str
    parent_id: str | None
    role: str
    content: Any  # a JSON value: a str, or a list of parts
    metadata: dict[str, Any] | None
    status: str  # one of STATUSES
    feedback: str | None
    origin: str | None
    created_at: float
    updated_at: float
    # From ``path``: the ids of the message and its siblings (same parent), oldest first, when it has any.
    siblings: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class StoredFile:
    """A file kept with a conversation: one a user attached, or media a message showed."""

    id: str
    conversation_id: str
    name: str
    mime: str
    size: int
    created_at: float

    def part(self) -> dict[str, Any]:
        """How a message's content refers to it: ``{"file_id", "name", "mime_type", "size"}``."""
        return {"file_id": self.id, "name": self.name, "mime_type": self.mime, "size": self.size}


@dataclasses.dataclass(frozen=True)
class User:
    """A user of the store: ``id`` is the ``owner`` of every owner-scoped call, ``identifier`` what signs
    them in (the browser's cookie, a provider's subject)."""

    id: str
    identifier: str
    provider: str
    name: str | None
    email: str | None
    claims: dict[str, Any] | None


@dataclasses.dataclass(frozen=True)
class Account:
    """What signs a user in: their store record, the hash of their password (``password`` sign-in; None for
    other providers, or once removed) and their sign-in epoch (raised to sign them out everywhere)."""

    user: User
    password_hash: str | None
    epoch: int


class Origins:
    """The origins of the messages on a path, kept up to date as it grows, so that asking whether an event
    was stored before costs a set look-up, not a scan of a long conversation per turn. A path grows in place
    only by appending (a message replaced in place keeps its origin); any other change is a new list."""

    __slots__ = ("_count", "_of", "_seen")

    def __init__(self) -> None:
        self._of: list[Message] | None = None
        self._count = 0
        self._seen: set[str | None] = set()

    def of(self, path: list[Message]) -> set[str | None]:
        if path is not self._of or self._count > len(path):
            self._of, self._count, self._seen = path, 0, set()
        self._seen.update(m.origin for m in path[self._count :])
        self._count = len(path)
        return self._seen


def as_dict(message: Message) -> dict[str, Any]:
    """A stored message as the dict scripts see (``conv.history``) and give back to ``rc.message``."""
    out: dict[str, Any] = {"role": message.role, "content": message.content, "id": message.id,
                           "created_at": message.created_at}  # fmt: skip
    if message.metadata:
        out["metadata"] = message.metadata
    if message.feedback is not None:
        out["feedback"] = message.feedback
    if message.status != "done":
        out["status"] = message.status
    if message.siblings:  # one of several versions (retried, edited): which, of how many
        out["branch"] = [message.siblings.index(message.id) + 1, len(message.siblings)]
    return out
