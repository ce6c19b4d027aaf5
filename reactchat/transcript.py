"""A session's stored conversation: the store and owner, the conversation the tab shows, and its path kept
in memory (written through), so that a turn reads nothing from the store.

Only the session's worker thread uses a Transcript (runs, and the events that switch conversations).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reactchat.followers import followers_for

if TYPE_CHECKING:
    from reactchat.store import Conversation, Message, Store

PAGE = 30  # conversations per page of the list
FOLLOW_INTERVAL = 0.2  # seconds between two "it changed" to following tabs while a reply streams


def _nothing() -> None:
    pass


@dataclasses.dataclass(frozen=True)
class Listing:
    """What the conversation list shows: a page (or more) of the owner's conversations, or search results."""

    items: tuple[Conversation, ...] = ()
    more: bool = False
    query: str | None = None


class Transcript:
    """The stored side of one session.

    Attributes:
        in_use: A run of this session called ``rc.conversation()``: submits are stored before the run.
        conversation: The conversation shown, or None for a new chat (created with its first message).
        path: Its messages from the root to the active leaf, as stored.
    """

    def __init__(self, store: Store, owner: str, app: str) -> None:
        self.store = store
        self.owner = owner
        self.app = app
        self.followers = followers_for(store)
        self.on_change: Callable[[], None] = _nothing  # another tab changed the conversation shown
        self.followers.watch_list(owner, self, lambda: self.on_change())
        self._writing: set[str] = set()  # ids of the replies this tab is writing (not in its history yet)
        self._told = 0.0  # when the followers were last told of streamed text
        self.in_use = False
        self.conversation: Conversation | None = None
        self.path: list[Message] = []
        self.listing = Listing()
        self.deleted: Conversation | None = None  # the last one deleted, while its undo is offered

    # -- which conversation ---------------------------------------------------------------------------------

    def open(self, conversation_id: str | None) -> bool:
        """Show ``conversation_id`` (None: a new chat). Returns False, showing a new chat, when it is not one
        of the owner's conversations."""
        found = self.store.get(self.owner, conversation_id) if conversation_id else None
        self.conversation = found
        self.path = self.store.path(self.owner, found.id) if found is not None else []
        self.followers.watch(self.id, self, lambda: self.on_change())
        return found is not None or conversation_id is None

    def ensure(self) -> Conversation:
        """The conversation shown, created now if the chat is new."""
        if self.conversation is None:
            self.conversation = self.store.create(self.owner, self.app)
            self.followers.watch(self.conversation.id, self, lambda: self.on_change())
            self.refresh_listing()
            self.followers.list_changed(self.owner, self)
        return self.conversation

    @property
    def id(self) -> str | None:
        return self.conversation.id if self.conversation is not None else None

    # -- messages -------------------------------------------------------------------------------------------

    def add(self, role: str, content: Any, *, metadata: dict[str, Any] | None = None, status: str = "done",
            origin: str | None = None) -> Message:  # fmt: skip
        """Store a message after the last one shown (idempotent by ``origin``) and show it in the path."""
        conversation = self.ensure()
        message = self.store.add(self.owner, conversation.id, role=role, content=content, metadata=metadata,
                                 status=status, origin=origin)  # fmt: skip
        if origin is None or all(m.id != message.id for m in self.path):  # a resend returns what it stored
            self.path.append(message)
        if status == "streaming":
            self._writing.add(message.id)
        self._touched()
        return message

    def append(self, message_id: str, text: str) -> None:
        self.store.append(self.owner, message_id, text)
        now = time.monotonic()
        if now - self._told >= FOLLOW_INTERVAL:  # tabs following it see the text grow, a few times a second
            self._told = now
            self.followers.changed(self.id, self)

    def finish(
        self, message_id: str, status: str, content: Any = None, metadata: dict[str, Any] | None = None
    ) -> Message:
        message = self.store.finish(self.owner, message_id, status=status, content=content, metadata=metadata)
        self._writing.discard(message_id)
        self._replace(message)
        self._touched()
        return message

    def set_leaf(self, message_id: str | None) -> None:
        """Show the path that ends at ``message_id`` (None: before the first message); the rest stays stored
        as a branch."""
        if self.conversation is not None:
            self.store.set_leaf(self.owner, self.conversation.id, message_id)
            self.path = self.store.path(self.owner, self.conversation.id)
            self.followers.changed(self.id, self)

    def set_feedback(self, message_id: str, value: str | None) -> None:
        self.store.set_feedback(self.owner, message_id, value)
        self.followers.changed(self.id, self)
        self.path = [dataclasses.replace(m, feedback=value) if m.id == message_id else m for m in self.path]

    def history(self) -> list[dict[str, Any]]:
        """The path as OpenAI-style message dicts, without a reply this tab is still writing (one another
        tab is writing shows, as far as it has been stored)."""
        return [as_dict(m) for m in self.path if m.id not in self._writing]

    def reload(self) -> None:
        """Read the conversation shown, and the list, again (another tab changed them)."""
        if self.conversation is not None:
            self.open(self.conversation.id)
        if self.in_use:
            self.refresh_listing()

    def set_state(self, state: dict[str, Any]) -> None:
        conversation = self.ensure()
        self.store.set_state(self.owner, conversation.id, state)
        self.conversation = dataclasses.replace(conversation, state=dict(state))

    def rename(self, conversation_id: str, title: str) -> bool:
        done = self.store.rename(self.owner, conversation_id, title)
        if done and self.conversation is not None and self.conversation.id == conversation_id:
            self.conversation = dataclasses.replace(self.conversation, title=title, title_source="user")
        self.refresh_listing()
        self.followers.list_changed(self.owner, self)
        return done

    def delete(self, conversation_id: str) -> bool:
        found = self.store.get(self.owner, conversation_id)
        if found is None or not self.store.delete(self.owner, conversation_id):
            return False
        self.deleted = found
        if self.id == conversation_id:
            self.open(None)
        self.refresh_listing()
        self.followers.list_changed(self.owner, self)
        return True

    def restore(self, conversation_id: str) -> bool:
        done = self.store.restore(self.owner, conversation_id)
        self.deleted = None
        self.refresh_listing()
        self.followers.list_changed(self.owner, self)
        return done

    # -- the list -------------------------------------------------------------------------------------------

    def apply(self, action: str, value: Any) -> bool:
        """Carry out an action of the conversation list (before the run that shows its result); returns
        whether ``action`` was one. Values of the wrong type are ignored."""
        if not action.startswith("conversation_"):
            return False
        if action == "conversation_new":
            self.open(None)
        elif action == "conversation_open" and isinstance(value, str):
            self.open(value)
        elif action == "conversation_rename" and _pair_of_str(value):
            self.rename(value[0], value[1].strip()[:200])
        elif action == "conversation_delete" and isinstance(value, str):
            self.delete(value)
        elif action == "conversation_restore" and isinstance(value, str):
            self.restore(value)
        elif action == "conversation_search" and isinstance(value, str):
            self.search(value[:200])
        elif action == "conversation_more":
            self.more()
        return True

    def list_props(self) -> dict[str, Any]:
        """The ``conversations`` node's props: the list as shown, the active one, the undo offer, the URL."""
        listing, deleted = self.listing, self.deleted
        return {
            # The list groups by day: to the hour is enough, and a turn does not resend the entry each time.
            "items": [
                {"id": c.id, "title": c.title, "updated_at": c.updated_at // 3600 * 3600}
                for c in listing.items
            ],
            "active": self.id,
            "more": listing.more,
            "query": listing.query,
            "deleted": {"id": deleted.id, "title": deleted.title} if deleted is not None else None,
            "path": f"/c/{self.id}" if self.id else "/",
        }

    def refresh_listing(self) -> None:
        """Reload the list as it is shown (the same search, or as many pages as were loaded)."""
        query = self.listing.query
        if query:
            self.search(query)
        else:
            self.load(max(PAGE, len(self.listing.items)))

    def load(self, count: int = PAGE) -> None:
        items = self.store.list(self.owner, self.app, limit=count + 1)
        self.listing = Listing(tuple(items[:count]), len(items) > count)

    def more(self) -> None:
        """The next page of the list."""
        if self.listing.query or not self.listing.more or not self.listing.items:
            return
        last = self.listing.items[-1]
        items = self.store.list(self.owner, self.app, limit=PAGE + 1, before=(last.updated_at, last.id))
        self.listing = Listing(self.listing.items + tuple(items[:PAGE]), len(items) > PAGE)

    def search(self, query: str) -> None:
        query = query.strip()
        if not query:
            self.load()
            return
        self.listing = Listing(
            tuple(self.store.search(self.owner, self.app, query, limit=PAGE)), False, query
        )

    def _touched(self) -> None:
        """The shown conversation changed: it moves to the top of the list, with its (new) title, and the tabs
        following it are told."""
        self.followers.changed(self.id, self)
        before = self.conversation
        if self.conversation is not None:
            found = self.store.get(self.owner, self.conversation.id)
            if found is not None:
                self.conversation = found
        first = self.listing.items[0].id if self.listing.items else None
        if not self.listing.query:
            items = [c for c in self.listing.items if c.id != self.id]
            if self.conversation is not None:
                items.insert(0, self.conversation)
            self.listing = Listing(tuple(items), self.listing.more)
        if self.conversation is not None and (
            first != self.conversation.id or before is None or before.title != self.conversation.title
        ):
            self.followers.list_changed(self.owner, self)  # it moved to the top, or got its title

    def _replace(self, message: Message) -> None:
        self.path = [message if m.id == message.id else m for m in self.path]


def _pair_of_str(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


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
    return out
