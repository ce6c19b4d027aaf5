"""What a client event changes in a stored conversation: undo removes the last turn, offered back once; a
retry or an edit is stored with what it adds, and one the page resends is applied once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from reactchat.protocol import Event
from reactchat.store import open_store
from reactchat.testing import ChatTest

APP = """
    import reactchat as rc
    rc.chat(undo=True, feedback=True)
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        with conv.reply():
            rc.markdown(f"re: {prompt}")
"""


def test_undo_removes_the_last_turn_from_the_store_and_puts_it_back_on_request(
    write_app: Callable[[str], str],
) -> None:
    store = open_store("memory")
    t = ChatTest.from_file(write_app(APP), store=store)
    t.send("one").send("two").feedback(3, "Like")
    t.undo()
    assert [m["content"] for m in t.messages] == ["one", "re: one"]
    assert t.nodes("chat_input")[0][2]["value"] == "two"  # the words go back into the input
    assert [m.content for m in store.path(t.owner, t.conversation or "")] == ["one", "re: one"]
    assert t.nodes("conversations")[0][2].get("removed") == 2  # offered back
    t.conversations_do("put_back")
    assert [m["content"] for m in t.messages] == ["one", "re: one", "two", "re: two"]
    kept = store.path(t.owner, t.conversation or "")
    assert kept[-1].feedback == "Like" and t.nodes("conversations")[0][2].get("removed") is None
    t.undo().send("three")  # anything else ends the offer; nothing of the removed turn is left beside it
    assert [m["content"] for m in t.messages] == ["one", "re: one", "three", "re: three"]
    assert t.nodes("conversations")[0][2].get("removed") is None
    assert [n[2].get("branch") for n in t.nodes("message")] == [None, None, None, None]


def test_an_error_during_a_retry_leaves_the_new_version_as_it_is_and_the_old_one_whole(
    write_app: Callable[[str], str],
) -> None:
    store = open_store("memory")
    app = write_app("""
        import reactchat as rc
        rc.chat(retry=True)
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            n = rc.session_state["n"] = rc.session_state.get("n", 0) + 1
            with conv.reply():
                rc.markdown(f"answer {n}")
                if n == 2:
                    raise RuntimeError("the model fell over")
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("q")
    t.retry()
    assert t.errors and "the model fell over" in t.errors[0]["message"]
    stored = store.path(t.owner, t.conversation or "")
    assert [(m.content, m.status) for m in stored] == [("q", "done"), ("answer 2", "error")]
    t.branch(1, -1)
    stored = store.path(t.owner, t.conversation or "")
    assert [(m.content, m.status) for m in stored] == [("q", "done"), ("answer 1", "done")]
    assert len(stored[1].siblings) == 2


GATED = """
    import reactchat as rc
    rc.chat(retry=True, editable="user")
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        reached.set()
        release.wait(10)
        answers.append(prompt)
        with conv.reply():
            rc.markdown(f"answer {len(answers)}")
"""


def _gated(write_app: Callable[[str], str]) -> tuple[str, dict[str, Any]]:
    names: dict[str, Any] = {"reached": threading.Event(), "release": threading.Event(), "answers": []}
    names["release"].set()
    return write_app(GATED), names


def test_a_retry_moves_the_branch_in_the_store_only_with_the_answer_it_starts(
    write_app: Callable[[str], str],
) -> None:
    store = open_store("memory")
    app, names = _gated(write_app)
    t = ChatTest.from_file(app, store=store, names=names, owner="alice").send("q")
    answered = store.path(t.owner, t.conversation or "")
    names["release"].clear()
    names["reached"].clear()
    t.retry(wait=False)
    assert names["reached"].wait(10)
    # A process killed here leaves the conversation as it was: the page's resent retry applies it once.
    assert store.path(t.owner, t.conversation or "") == answered
    names["release"].set()
    t.wait()
    after = store.path(t.owner, t.conversation or "")
    assert [m.content for m in after] == ["q", "answer 2"] and len(after[1].siblings) == 2
    assert after[1].parent_id == answered[0].id


def test_a_resent_retry_that_was_answered_is_not_answered_again(write_app: Callable[[str], str]) -> None:
    store = open_store("memory")
    app, names = _gated(write_app)
    t = ChatTest.from_file(app, store=store, names=names, owner="alice").send("q").retry()
    retry_seq = t._ev_seq
    # Another process serves the tab; the first answer is shown again, and the page resends the retry it
    # never saw confirmed (the same tab and event number) to the message it named.
    again = ChatTest.from_file(app, store=store, names=names, owner="alice", conversation=t.conversation)
    again.branch(1, -1)
    assert again.messages[1]["content"] == "answer 1"
    assert again.session.submit(Event(retry_seq, again._message(1).id, "retry", None), t._tab)
    again.wait()
    tree = store.tree(t.owner, t.conversation or "")
    assert sorted(m.content for m in tree if m.role == "assistant") == ["answer 1", "answer 2"]
    # A retry it never applied is applied, once.
    again.retry()
    assert len([m for m in store.tree(t.owner, t.conversation or "") if m.role == "assistant"]) == 3


def test_an_edit_resent_as_a_prompt_is_stored_and_answered_once(write_app: Callable[[str], str]) -> None:
    store = open_store("memory")
    app, names = _gated(write_app)
    t = ChatTest.from_file(app, store=store, names=names, owner="alice").send("q").edit(0, "better q")
    edit_seq = t._ev_seq
    before = store.tree(t.owner, t.conversation or "")
    # The edited message is not shown any more: the page sends the edit's words as a prompt.
    again = ChatTest.from_file(app, store=store, names=names, owner="alice", conversation=t.conversation)
    node_id = again.session.tree.find("chat_input")[0].id
    assert again.session.submit(Event(edit_seq, node_id, "submit", {"text": "better q"}), t._tab)
    again.wait()
    assert store.tree(t.owner, t.conversation or "") == before
    assert [m.content for m in store.path(t.owner, t.conversation or "")] == ["better q", "answer 2"]


def test_an_edit_kept_without_an_answer_is_stored_once(write_app: Callable[[str], str]) -> None:
    store = open_store("memory")
    app, names = _gated(write_app)
    t = (
        ChatTest.from_file(app, store=store, names=names, owner="alice")
        .send("q")
        .edit(0, "better q", answer=False)
    )
    kept = store.path(t.owner, t.conversation or "")
    assert [m.content for m in kept] == ["better q"] and kept[0].origin == f"{t._tab}:{t._ev_seq}:0"
    assert len(kept[0].siblings) == 2


def test_a_resent_option_click_that_was_applied_is_not_applied_again(write_app: Callable[[str], str]) -> None:
    store = open_store("memory")
    app = write_app("""
        import reactchat as rc
        rc.chat()
        conv = rc.conversation()
        for m in conv.history:
            rc.message({**m, "options": ["Red", "Blue"]} if m["content"] == "Which one?" else m)
        if rc.chat_input():
            conv.add({"role": "assistant", "content": "Which one?", "options": ["Red", "Blue"]})
        event = rc.chat_event()
        if event is not None and event.kind == "option":
            conv.add({"role": "user", "content": event.value})
            with conv.reply():
                rc.markdown(f"you chose {event.value}")
    """)
    t = ChatTest.from_file(app, store=store, owner="alice").send("pick").click_option(0)
    option_seq = t._ev_seq
    kept = store.path(t.owner, t.conversation or "")
    assert [m.content for m in kept] == ["pick", "Which one?", "Red", "you chose Red"]
    assert kept[2].origin == f"{t._tab}:{option_seq}:a"  # the first message its run stored
    again = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    assert again.session.submit(Event(option_seq, again._message(1).id, "option", "Red"), t._tab)
    again.wait()
    assert store.path(t.owner, t.conversation or "") == kept and not again.errors
    again.click_option(1, message=1)  # one it never applied is applied
    assert [m.content for m in store.path(t.owner, t.conversation or "")][4:] == ["Blue", "you chose Blue"]


def test_a_resent_button_click_whose_run_stored_a_message_is_not_applied_again(
    write_app: Callable[[str], str],
) -> None:
    store = open_store("memory")
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if rc.chat_input():
            with conv.reply():
                rc.markdown("noted")
        if rc.button("Summarise"):
            conv.add({"role": "assistant", "content": f"summary of {len(conv.history)}"})
    """)
    t = ChatTest.from_file(app, store=store, owner="alice").send("note this").click("Summarise")
    click_seq = t._ev_seq
    kept = store.path(t.owner, t.conversation or "")
    assert [m.content for m in kept] == ["note this", "noted", "summary of 2"]
    again = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    assert again.session.submit(Event(click_seq, again._widget("Summarise").id, "click", None), t._tab)
    again.wait()
    assert store.path(t.owner, t.conversation or "") == kept and not again.errors
    again.click("Summarise")  # one it never applied is applied
    assert [m.content for m in store.path(t.owner, t.conversation or "")][3:] == ["summary of 3"]


def test_a_resent_fork_shows_the_copy_it_made_and_makes_no_other(write_app: Callable[[str], str]) -> None:
    store = open_store("memory")
    t = ChatTest.from_file(write_app(APP), store=store, owner="alice").send("one")
    original = t.conversation or ""
    t.fork(1)
    fork_seq, copy = t._ev_seq, t.conversation
    assert copy not in (None, original)
    # The page never saw the copy shown (its worker died): a new session shows the original, and the page
    # sends the fork again.
    again = ChatTest.from_file(write_app(APP), store=store, owner="alice", conversation=original)
    assert again.session.submit(Event(fork_seq, again._message(1).id, "fork", None), t._tab)
    again.wait()
    assert again.conversation == copy
    assert len(store.conversations(t.owner)) == 2
