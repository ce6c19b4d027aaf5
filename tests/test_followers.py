"""Two tabs on one stored conversation: the second follows the first live, streamed text included, and
runs that answer take turns."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from reactchat import followers as followers_module
from reactchat.followers import Followers, followers_for
from reactchat.store import open_store
from reactchat.testing import ChatTest

APP = """
    import reactchat as rc
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        def tokens():
            yield "Answer to " + prompt + ":"
            gate.wait(10)
            yield " done"
        with conv.reply():
            rc.write_stream(tokens())
"""


def texts(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.messages]


def test_the_registry_tells_the_others_only() -> None:
    followers, told = Followers(), []
    a, b = object(), object()
    followers.watch("c1", a, lambda: told.append("a"))
    followers.watch("c1", b, lambda: told.append("b"))
    followers.changed("c1", a)
    assert told == ["b"]
    followers.watch("c2", b, lambda: told.append("b2"))  # b moved to another conversation
    followers.changed("c1", a)
    assert told == ["b"]
    store = open_store("memory")
    assert followers_for(store) is followers_for(store)


def test_a_second_tab_follows_live_and_prompts_take_turns(write_app: Callable[[str], str]) -> None:
    gate = threading.Event()
    store, app = open_store("memory"), write_app(APP)
    first = ChatTest.from_file(app, store=store, owner="alice", names={"gate": gate})
    first.send("one", wait=False)
    first.wait_for(lambda t: texts(t) == ["one", "Answer to one:"])
    second = ChatTest.from_file(app, store=store, owner="alice", names={"gate": gate},
                                conversation=first.conversation)  # fmt: skip
    # The answer being written in the first tab shows in the second, as far as it is stored.
    second.wait_for(lambda t: texts(t) == ["one", "Answer to one:"])
    second.send("two", wait=False)  # waits for the first tab's answer to end: one writer at a time
    gate.set()
    first.wait()
    second.wait()
    second.wait_for(lambda t: texts(t) == ["one", "Answer to one: done", "two", "Answer to two: done"])
    first.wait_for(lambda t: texts(t) == ["one", "Answer to one: done", "two", "Answer to two: done"])
    stored = [m.content for m in store.path(first.owner, first.conversation or "")]
    assert stored == ["one", "Answer to one: done", "two", "Answer to two: done"]


def test_a_prompt_waits_while_another_tab_holds_the_conversations_turn(
    write_app: Callable[[str], str],
) -> None:
    gate = threading.Event()
    gate.set()
    store, app = open_store("memory"), write_app(APP)
    tab = ChatTest.from_file(app, store=store, owner="alice", names={"gate": gate})
    tab.send("one")
    turn = followers_for(store).turn(tab.conversation or "")
    with turn:  # another tab's run answering in this conversation
        tab.send("two", wait=False)
        assert not tab.session.wait_idle(0.5)  # held: not stored, not run
        assert [m.content for m in store.path(tab.owner, tab.conversation or "")][-1] == "Answer to one: done"
    tab.wait()
    assert texts(tab)[-2:] == ["two", "Answer to two: done"]


def test_another_tab_of_the_same_user_sees_its_list_change(write_app: Callable[[str], str]) -> None:
    gate = threading.Event()
    gate.set()
    store, app = open_store("memory"), write_app(APP)
    writer = ChatTest.from_file(app, store=store, owner="alice", names={"gate": gate})
    reader = ChatTest.from_file(app, store=store, owner="alice", names={"gate": gate})  # a new chat
    stranger = ChatTest.from_file(app, store=store, owner="bob", names={"gate": gate})

    def titles(t: ChatTest) -> list[str | None]:
        return [item["title"] for item in t.nodes("conversations")[0][2]["items"]]

    writer.send("about cats")
    reader.wait_for(lambda t: titles(t) == ["about cats"])  # a new conversation shows at once
    writer.conversations_do("rename", [writer.conversation, "Felines"])
    reader.wait_for(lambda t: titles(t) == ["Felines"])
    writer.conversations_do("delete", writer.conversation)
    reader.wait_for(lambda t: titles(t) == [])
    assert titles(stranger.wait()) == []  # another user's list never shows it


def test_a_lease_is_kept_for_the_next_turn_then_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(followers_module, "RENEW_EVERY", 0.05)
    store = open_store("memory")
    owner = store.user("u")
    conversation = store.create(owner, "app").id
    followers = Followers(store)
    with followers.turn(conversation):
        first = store.take_lease(conversation, followers.holder, 30)  # (renewing it: the same number)
    assert store.take_lease(conversation, "another process", 30) is None  # kept after the turn
    with followers.turn(conversation):
        pass
    assert store.take_lease(conversation, followers.holder, 30) == first  # the next turn wrote under it
    followers.give_back_kept()  # the process stops
    assert store.take_lease(conversation, "another process", 30) == (first or 0) + 1
    store.release_lease(conversation, "another process")
    monkeypatch.setattr(followers_module, "KEEP", 0.0)
    with followers.turn(conversation):
        pass
    deadline = time.monotonic() + 10
    while store.take_lease(conversation, "another process", 30) is None:  # no next turn came: given back
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_kept_lease_goes_to_the_process_that_asks_for_it(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    monkeypatch.setattr(followers_module, "KEEP", 600.0)  # only asking for it can move it
    with open_store(postgres_url) as one, open_store(postgres_url) as two:
        owner = one.user("u")
        conversation = one.create(owner, "app").id
        first, second = Followers(one), Followers(two)
        with first.turn(conversation):
            pass
        taken = threading.Event()

        def other_process() -> None:
            with second.turn(conversation):
                taken.set()

        thread = threading.Thread(target=other_process, daemon=True)
        thread.start()
        assert taken.wait(30)  # (a lease left alone would be renewed for ten minutes)
        thread.join(10)
        with first.turn(conversation):  # and back: the second kept it, and is asked in turn
            pass
        for followers in (first, second):
            if followers.stop_listening:
                followers.stop_listening()
