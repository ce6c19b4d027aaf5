"""A session's stored side: which conversation it shows, its path written through, and the list's actions."""

from __future__ import annotations

import pytest

from reactchat.listing import PAGE
from reactchat.records import as_dict
from reactchat.store import Store, open_store
from reactchat.transcript import Transcript


@pytest.fixture
def store() -> Store:
    return open_store("memory")


def transcript(store: Store, who: str = "alice") -> Transcript:
    return Transcript(store, store.user(who), "app")


def test_a_new_chat_is_stored_with_its_first_message(store: Store) -> None:
    t = transcript(store)
    assert t.id is None and t.history() == []
    t.add("user", "hello")
    assert t.id is not None
    assert [c.id for c in store.list(t.owner, "app")] == [t.id]
    assert t.listing.items[0].title == "hello"  # the list shows it at once


def test_history_leaves_out_a_reply_being_written_and_shows_it_when_finished(store: Store) -> None:
    t = transcript(store)
    t.add("user", "q")
    reply = t.add("assistant", "", status="streaming")
    t.append(reply.id, "part")
    assert [m["content"] for m in t.history()] == ["q"]
    t.finish(reply.id, "done")
    assert [m["content"] for m in t.history()] == ["q", "part"]
    assert store.path(t.owner, t.id or "")[-1].content == "part"


def test_the_list_pages_and_searches(store: Store) -> None:
    t = transcript(store)
    for i in range(PAGE + 5):
        t.open(None)
        t.add("user", f"topic {i}")
    t.load()
    assert len(t.listing.items) == PAGE and t.listing.more
    t.apply("conversation_more", None)
    assert len(t.listing.items) == PAGE + 5 and not t.listing.more
    assert len({c.id for c in t.listing.items}) == PAGE + 5
    t.apply("conversation_search", "topic 7")
    assert [c.title for c in t.listing.items] == ["topic 7"] and t.listing.query == "topic 7"


def test_actions_of_the_wrong_shape_are_ignored_and_others_are_not_list_actions(store: Store) -> None:
    t = transcript(store)
    t.add("user", "keep")
    shown = t.id
    assert t.apply("conversation_open", 42) and t.id == shown
    assert t.apply("conversation_rename", ["only one"]) and t.conversation is not None
    assert not t.apply("submit", "hi")


def test_another_owner_sees_nothing(store: Store) -> None:
    t = transcript(store)
    t.add("user", "mine")
    other = transcript(store, "bob")
    assert not other.open(t.id) and other.id is None and other.path == []
    assert not other.apply("conversation_delete", t.id or "") or store.get(t.owner, t.id or "") is not None


def test_as_dict_has_what_scripts_need() -> None:
    store = open_store("memory")
    t = transcript(store)
    m = t.add("user", "x", metadata={"title": "tool"})
    d = as_dict(m)
    assert (
        d["role"] == "user" and d["content"] == "x" and d["id"] == m.id and d["metadata"] == {"title": "tool"}
    )
    assert "status" not in d and "feedback" not in d
