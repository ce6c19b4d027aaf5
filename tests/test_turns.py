"""What a client event changes in a stored conversation: undo removes the last turn, offered back once."""

from __future__ import annotations

from collections.abc import Callable

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
