"""The database going away under a running app (a proxy in front of PostgreSQL is cut, then restored): the
page says so at once, shows nothing the store does not hold, gives the user's words back, and carries on
when the database is back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reactchat.store import Store, open_store
from reactchat.testing import ChatTest
from tests.db_proxy import DbProxy, answers
from tests.serving import STORED_SLOW, wait_for


@pytest.fixture
def cut_off(postgres_url: str) -> Iterator[tuple[DbProxy, Store]]:
    """A store reached through a proxy the test cuts and restores."""
    proxy = DbProxy()
    store = open_store(proxy.url(postgres_url))
    try:
        yield proxy, store
    finally:
        store.close()
        proxy.close()


def _stored(t: ChatTest, store: Store) -> list[tuple[str, str, str]]:
    owner, conversation = t.owner, t.conversation
    assert owner is not None and conversation is not None
    return [(m.role, str(m.content), m.status) for m in store.path(owner, conversation)]


def test_an_answer_cut_off_by_the_database_shows_what_the_store_holds(
    cut_off: tuple[DbProxy, Store], write_app: Callable[[str], str]
) -> None:
    proxy, store = cut_off
    t = ChatTest.from_file(write_app(STORED_SLOW), store=store, owner="ann", timeout=30)
    try:
        t.send("first", wait=False)
        t.wait_for(lambda t: len(t.messages) == 2 and len(t.messages[1]["content"]) > 20)
        proxy.cut()
        t.wait()
        assert t.run_state == "error" and "the database cannot be reached" in t.errors[-1]["message"]
        shown = t.messages[1]["content"]
        proxy.restore()
        wait_for(lambda: answers(store), 15)
        t.send("second")  # the next turn marks the answer the store could not finish
        first = _stored(t, store)[1]
        assert first[0] == "assistant" and first[2] == "interrupted"
        assert first[1].strip() == shown  # the page showed exactly what the store held
        assert t.messages[-1]["content"].strip() == " ".join(f"w{i}" for i in range(40))
    finally:
        t.close()


def test_a_prompt_sent_while_the_database_is_away_goes_back_into_the_input(
    cut_off: tuple[DbProxy, Store], write_app: Callable[[str], str]
) -> None:
    proxy, store = cut_off
    t = ChatTest.from_file(write_app(STORED_SLOW), store=store, owner="ann", timeout=30)
    try:
        t.send("first")
        proxy.cut()
        t.send("while away")
        [note] = t.notes
        assert note.startswith("Could not save to the conversation store:") and "cannot be reached" in note
        [box] = t.nodes("chat_input")
        assert box[2]["value"] == "while away"  # the user's words, back where they typed them
        assert [m["content"] for m in t.messages if m["role"] == "user"] == ["first"]
        proxy.restore()
        wait_for(lambda: answers(store), 15)
        t.send("while away")
        assert [(role, text) for role, text, _ in _stored(t, store) if role == "user"] == [
            ("user", "first"),
            ("user", "while away"),
        ]
    finally:
        t.close()
