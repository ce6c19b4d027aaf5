"""The conversation list: pages newest first, search, the top after a new message, and its props."""

from __future__ import annotations

from reactchat.listing import PAGE, Listing
from reactchat.store import open_store


def test_pages_search_and_the_top() -> None:
    store = open_store("memory")
    owner = store.user("ann")
    made = [store.create(owner, "app", title=f"chat {i}") for i in range(PAGE + 5)]
    first = Listing.first(store, owner, "app")
    assert len(first.items) == PAGE and first.more and first.items[0].id == made[-1].id
    both = first.next_page(store, owner, "app")
    assert len(both.items) == PAGE + 5 and not both.more
    assert both.again(store, owner, "app") == both  # as many pages as were loaded
    found = Listing.found(store, owner, "app", "chat 3")
    assert found.query == "chat 3" and found.items and found.next_page(store, owner, "app") is found
    assert Listing.found(store, owner, "app", "  ") == first
    top = both.on_top(made[0], made[0].id)
    assert top.items[0].id == made[0].id and len(top.items) == len(both.items)
    props = top.props(made[0].id, None)
    assert props["active"] == made[0].id and props["path"] == f"/c/{made[0].id}" and props["deleted"] is None
    assert Listing().props(None, made[1])["deleted"] == {"id": made[1].id, "title": "chat 1"}
