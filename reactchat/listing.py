"""The conversation list a tab shows: a page (or more) of the owner's conversations newest first, or search
results, and the props of the ``conversations`` node that draws it. Pure reads of the store; the tab's
``Transcript`` keeps the listing it shows."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactchat.store import Conversation, Store

__all__ = ["PAGE", "Listing"]

PAGE = 30  # conversations per page of the list


@dataclasses.dataclass(frozen=True)
class Listing:
    """What the conversation list shows: a page (or more) of the owner's conversations, or search results."""

    items: tuple[Conversation, ...] = ()
    more: bool = False
    query: str | None = None

    @classmethod
    def first(cls, store: Store, owner: str, app: str, count: int = PAGE) -> Listing:
        """The newest ``count`` conversations."""
        items = store.list(owner, app, limit=count + 1)
        return cls(tuple(items[:count]), len(items) > count)

    @classmethod
    def found(cls, store: Store, owner: str, app: str, query: str) -> Listing:
        """The conversations whose title or text holds ``query`` (the first page when it is blank)."""
        query = query.strip()
        if not query:
            return cls.first(store, owner, app)
        return cls(tuple(store.search(owner, app, query, limit=PAGE)), False, query)

    def again(self, store: Store, owner: str, app: str) -> Listing:
        """The same list read again: the same search, or as many pages as were loaded."""
        if self.query:
            return Listing.found(store, owner, app, self.query)
        return Listing.first(store, owner, app, max(PAGE, len(self.items)))

    def next_page(self, store: Store, owner: str, app: str) -> Listing:
        """With the next page of conversations (unchanged for a search or when there are no more)."""
        if self.query or not self.more or not self.items:
            return self
        last = self.items[-1]
        items = store.list(owner, app, limit=PAGE + 1, before=(last.updated_at, last.id))
        return Listing(self.items + tuple(items[:PAGE]), len(items) > PAGE)

    def on_top(self, conversation: Conversation | None, shown: str | None) -> Listing:
        """After a message in the conversation ``shown``: it moves to the top (a search keeps its order)."""
        if self.query:
            return self
        items = [c for c in self.items if c.id != shown]
        if conversation is not None:
            items.insert(0, conversation)
        return Listing(tuple(items), self.more)

    def props(self, active: str | None, deleted: Conversation | None) -> dict[str, Any]:
        """The ``conversations`` node's props: the list as shown, the active one, the undo offer, the URL."""
        return {
            # The list groups by day: to the hour is enough, and a turn does not resend the entry each time.
            "items": [
                {"id": c.id, "title": c.title, "updated_at": c.updated_at // 3600 * 3600} for c in self.items
            ],
            "active": active,
            "more": self.more,
            "query": self.query,
            "deleted": {"id": deleted.id, "title": deleted.title} if deleted is not None else None,
            "path": f"/c/{active}" if active else "/",
        }
