"""A session's stored conversation: the store and owner, the conversation the tab shows, and its path kept
in memory (written through), so that a turn reads nothing from the store.

Only the session's worker thread uses a Transcript (runs, and the events that switch conversations).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from reactchat.appender import Batching, appender_for
from reactchat.archive import family, fork
from reactchat.followers import LEASE_TTL, followers_for
from reactchat.listing import PAGE, Listing
from reactchat.media import sniff_mime
from reactchat.records import Origins, as_dict
from reactchat.renders import Renders

if TYPE_CHECKING:
    from reactchat.store import Conversation, Message, Store

log = logging.getLogger("reactchat")
FOLLOW_INTERVAL = 0.2  # seconds between two "it changed" to following tabs while a reply streams


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
        self._append = appender_for(store).append if isinstance(store, Batching) else store.append
        self.on_change: Callable[[], None] = lambda: None  # another tab changed the conversation shown
        self.on_stop: Callable[[], object] = lambda: None  # a tab following this one's answer pressed Stop
        self.followers.watch_list(owner, self, lambda: self.on_change())
        self._looking: threading.Timer | None = None  # a look at answers whose writer may be gone (open)
        self._turns: contextlib.ExitStack | None = None  # the turn of the run answering now (turn)
        self._writing: set[str] = set()  # ids of the replies this tab is writing (not in its history yet)
        self._told = 0.0  # when the followers were last told of streamed text
        self.in_use = False
        self.conversation: Conversation | None = None
        self.path: list[Message] = []
        self._origins = Origins()  # of the path
        self.renders: Renders | None = None  # the conversation shown's kept renders
        self.listing = Listing()
        self.deleted: Conversation | None = None  # the last one deleted, while its undo is offered
        self._synced: dict[str, Any] = {}  # keyed widget values as last kept in, or read from, conv.state
        self._synced_for: str | None = None
        self._leaf: str | EllipsisType | None = ...  # a move back (set_leaf), stored with the next message
        self.answering: str | None = None  # the origin of the run's first message (turns.record)
        self.removed: list[Message] | None = None  # the turn an undo removed, while it is offered back

    # -- which conversation ---------------------------------------------------------------------------------

    def open(self, conversation_id: str | None) -> bool:
        """Show ``conversation_id`` (None: a new chat). Returns False, showing a new chat, when it is not one
        of the owner's conversations."""
        self._store_leaf()
        found = self.store.get(self.owner, conversation_id) if conversation_id else None
        self.conversation = found
        self.path = self.store.path(self.owner, found.id) if found is not None else []
        if self.renders is not None and (found is None or self.renders.conversation_id != found.id):
            self.renders.flush(everything=True)  # what this tab rendered of the one it leaves
            self.renders = None
        if found is not None and self.renders is None:
            self.renders = self._renders(found.id)
        orphans = [m for m in self.path if m.status == "streaming" and m.id not in self._writing]
        if found is not None and orphans and self.store.recover_conversation(found.id):
            # Answers whose writer is gone (its process died; no lease lasts): shown as interrupted.
            self.path = self.store.path(self.owner, found.id)
        elif found is not None and orphans and not self._looking:
            # A writer's lease lasts: if it died, its lease runs out soon; look again then.
            self._looking = threading.Timer(LEASE_TTL, self._look_again)
            self._looking.daemon = True
            self._looking.start()
        self.followers.watch(self.id, self, lambda: self.on_change())
        return found is not None or conversation_id is None

    def _renders(self, conversation_id: str, *, new: bool = False) -> Renders:
        return Renders(self.store, self.owner, conversation_id, new=new, path=lambda: self.path)

    def _look_again(self) -> None:
        self._looking = None
        self.on_change()

    def ensure(self) -> Conversation:
        """The conversation shown, created now if the chat is new."""
        if self.conversation is None:
            self.conversation = self.store.create(self.owner, self.app)
            self.renders = self._renders(self.conversation.id, new=True)
            if (
                self._turns is not None
            ):  # a run answering in a new chat: its turn starts with the conversation
                self._turns.enter_context(self.followers.turn(self.conversation.id, lambda: self.on_stop()))
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
        if origin is None:
            origin, self.answering = self.answering, None
        message = self.store.add(self.owner, conversation.id, role=role, content=content, metadata=metadata,
                                 status=status, origin=origin, parent_id=self._leaf)  # fmt: skip
        if self._leaf is not ...:  # after a move back up the tree, the message may have siblings: read them
            self._leaf = ...
            self.path = self.store.path(self.owner, conversation.id)
        elif origin is None or origin not in self._origins.of(self.path):  # a resend gets what it stored
            self.path.append(message)
        if status == "streaming":
            self._writing.add(message.id)
        self._touched(message.updated_at)
        return message

    def has(self, origin: str, *, branches: bool = False) -> bool:
        """Whether the path (``branches``: any branch) holds what the client event ``origin`` made."""
        if (found := origin in self._origins.of(self.path)) or not branches or self.conversation is None:
            return found
        return any(m.origin == origin for m in self.store.tree(self.owner, self.conversation.id))

    def append(self, message_id: str, text: str) -> None:
        """Store streamed text; returns once it is committed (the frame that shows it follows)."""
        self._append(self.owner, message_id, text)
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
        self._touched(message.updated_at)
        return message

    def keep_file(self, path: str, *, name: str | None = None, mime: str | None = None) -> dict[str, Any]:
        """Keep the file at ``path`` with the conversation; how a message's content refers to it."""
        with open(path, "rb") as f:
            data = f.read()
        name = name or os.path.basename(path)
        return self.keep(data, name, mime or sniff_mime(data, name))

    def keep(self, data: bytes, name: str, mime: str) -> dict[str, Any]:
        """Keep ``data`` with the conversation (made now if the chat is new): ``{"file_id", "name",
        "mime_type", "size"}``, the part a message's content refers to it by."""
        conversation = self.ensure()
        return self.store.add_file(self.owner, conversation.id, data=data, name=name, mime=mime).part()

    def read(self, part: dict[str, Any]) -> bytes:
        """The bytes of a kept file (a part as ``keep`` gives it), if it is the owner's.

        Raises:
            LookupError: naming the file, when it is missing or another owner's.
        """
        found = self.store.file(self.owner, str(part.get("file_id")))
        if found is None:
            raise LookupError(f"no file {part.get('file_id')!r} in this user's conversations")
        return found[1]

    def set_leaf(self, message_id: str | None) -> None:
        """Show the path ending at ``message_id``, on it (None: before the first message); the rest stays a
        branch. Stored with the next message added, or when the turn ends: a retry or an edit is stored with
        what it adds (a process that dies between leaves neither: the page's resent event applies once)."""
        at = next((i for i, m in enumerate(self.path) if m.id == message_id), -1)
        self.path, self._leaf = self.path[: at + 1], message_id

    def _store_leaf(self) -> None:
        leaf, self._leaf = self._leaf, ...
        if leaf is not ... and self.conversation is not None:
            try:
                self.store.set_leaf(self.owner, self.conversation.id, leaf)
            except Exception as exc:  # which branch shows, not the user's words: the tab shows it meanwhile
                log.error("moving the active leaf failed: %s", exc)
                return
            self.followers.changed(self.id, self)

    def page(self, message_id: str, step: int) -> bool:
        """Show the version ``step`` away (-1: the previous, 1: the next) of ``message_id``, a message on the
        path shown, with the rest of that version's branch as the user last saw it; False if there is none."""
        self._store_leaf()
        found = next((m for m in self.path if m.id == message_id), None)
        if found is None or self.conversation is None or not found.siblings:
            return False
        at = found.siblings.index(found.id) + step
        if not 0 <= at < len(found.siblings):
            return False
        if not self.store.switch(self.owner, self.conversation.id, found.siblings[at]):
            return False
        self.path = self.store.path(self.owner, self.conversation.id)
        self.followers.changed(self.id, self)
        return True

    def fork(self, message_id: str, origin: str | None = None) -> None:
        """Branch off: show a new conversation holding a copy of the path up to ``message_id`` (the one the
        client event ``origin`` made, if it made one before)."""
        if self.conversation is not None:
            self.open(fork(self.store, self.owner, self.conversation.id, message_id, origin).id)
            self.refresh_listing()
            self.followers.list_changed(self.owner, self)

    def tree(self) -> list[dict[str, Any]]:
        """Every message of the conversation shown, every branch, oldest first, as in ``history`` (without a
        reply this tab is still writing), each with its ``parent_id`` and ``children`` ids."""
        stored = self.store.tree(self.owner, self.conversation.id) if self.conversation is not None else []
        messages, children = family([m for m in stored if m.id not in self._writing])
        return [
            {**as_dict(m), "parent_id": m.parent_id, "children": children.get(m.id, [])} for m in messages
        ]

    def note(self, message_id: str, metadata: dict[str, Any] | None) -> None:
        """Store what a reply being written has shown besides text so far (its thoughts)."""
        self.store.set_metadata(self.owner, message_id, metadata)

    def set_feedback(self, message_id: str, value: str | None) -> None:
        self.store.set_feedback(self.owner, message_id, value)
        self.followers.changed(self.id, self)
        self.path = [dataclasses.replace(m, feedback=value) if m.id == message_id else m for m in self.path]

    def shown(self, message_id: str) -> dict[str, Any]:
        """What ``rc.message`` is given for a message on the path, as in ``history``: its stored id, time
        and, for one of several versions, its ``branch``. Empty when it is not on the path."""
        found = next((m for m in reversed(self.path) if m.id == message_id), None)
        if found is None:
            return {}
        return {k: v for k, v in as_dict(found).items() if k in ("id", "created_at", "branch")}

    def settled(self) -> tuple[Message, ...]:
        """The path without a reply this tab is still writing (another tab's shows, as far as stored)."""
        return tuple(m for m in self.path if m.id not in self._writing) if self._writing else tuple(self.path)

    def history(self) -> list[dict[str, Any]]:  # the settled path as OpenAI-style message dicts
        return [as_dict(m) for m in self.settled()]

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Held while a run answers an event here: runs answering in one stored conversation take turns, in
        this process and across processes (``Followers.turn``: its lease, under whose fence the run writes).
        In a new chat the turn starts when the conversation is made (``ensure``)."""
        with contextlib.ExitStack() as turns:
            if self.in_use and self.id is not None:
                turns.enter_context(self.followers.turn(self.id, lambda: self.on_stop()))
            self._turns = turns if self.in_use else None
            self._finish_left()
            try:
                yield
            finally:
                self._turns, self.answering = None, None
                self._store_leaf()

    def _finish_left(self) -> None:
        """Mark interrupted the replies this tab's earlier runs could not finish (the store was down then):
        what they show is what the store held."""
        for message_id in list(self._writing):
            try:
                self.finish(message_id, "interrupted")
            except Exception as exc:  # still down, or gone: the next turn tries again
                log.debug("finishing %s as interrupted failed: %s", message_id, exc)
                return

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

    def synced(self) -> dict[str, Any]:
        """Keyed widget values as last written to, or read from, the conversation shown's state (by key);
        empty again once another conversation shows."""
        if self._synced_for != self.id:
            self._synced_for, self._synced = self.id, {}
        return self._synced

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
        """The ``conversations`` node's props (see ``Listing.props``)."""
        return {**self.listing.props(self.id, self.deleted), "removed": len(self.removed or ()) or None}

    def refresh_listing(self) -> None:
        """Read the list again as it is shown (the same search, or as many pages as were loaded)."""
        self.listing = self.listing.again(self.store, self.owner, self.app)

    def load(self, count: int = PAGE) -> None:
        self.listing = Listing.first(self.store, self.owner, self.app, count)

    def more(self) -> None:
        """The next page of the list."""
        self.listing = self.listing.next_page(self.store, self.owner, self.app)

    def search(self, query: str) -> None:
        self.listing = Listing.found(self.store, self.owner, self.app, query)

    def _touched(self, at: float) -> None:
        """The shown conversation changed (at ``at``, the store's time): it moves to the top of the list, with
        its (new) title, and the tabs following it are told."""
        self.followers.changed(self.id, self)
        before = self.conversation
        if before is not None and before.title is None:  # the store titles it from its first prompt
            self.conversation = self.store.get(self.owner, before.id) or before
        elif before is not None:  # nothing else a message changes: no need to read it back
            self.conversation = dataclasses.replace(before, updated_at=at)
        first = self.listing.items[0].id if self.listing.items else None
        self.listing = self.listing.on_top(self.conversation, self.id)
        if self.conversation is not None and (
            first != self.conversation.id or before is None or before.title != self.conversation.title
        ):
            self.followers.list_changed(self.owner, self)  # it moved to the top, or got its title

    def _replace(self, message: Message) -> None:
        """``message`` as it is stored now, on the path (where only ``path`` knows its siblings)."""
        at = len(self.path) - 1  # usually a reply finishing (the last); else a scan
        if at >= 0 and self.path[at].id != message.id:
            at = next((i for i, m in enumerate(self.path) if m.id == message.id), -1)
        if at >= 0:
            self.path[at] = dataclasses.replace(message, siblings=self.path[at].siblings)


def _pair_of_str(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
