"""The conversation store's records: a conversation, a message, a kept file, a user, as a store gives them."""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["Conversation", "Message", "StoredFile", "User"]


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


@dataclasses.dataclass(frozen=True)
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
