"""Stored conversations in scripts: rc.conversation(), its history and replies, and what survives a reload, a
restart and a crash; the conversation list's actions; ownership."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reactchat.ops import DEL, EVACK, INS, NOTE, REP, SET
from reactchat.protocol import Event
from reactchat.records import Message
from reactchat.store import Store, open_store
from reactchat.store_sql import SqlStore
from reactchat.testing import ChatTest

APP = """
    import reactchat as rc
    rc.chat(feedback=True)
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        assert conv.history[-1]["content"] == prompt  # stored before the run
        with conv.reply():
            rc.write_stream(iter(["You said: ", prompt, f" ({len(conv.history)} stored)"]))
"""


@pytest.fixture
def store() -> Store:
    return open_store("memory")


@pytest.fixture
def app(write_app: Callable[[str], str]) -> str:
    return write_app(APP)


def texts(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.messages]


def test_a_conversation_survives_reload_and_restart(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store)
    assert t.conversation is None  # a new chat is stored with its first message
    t.send("hi").send("again")
    shown = ["hi", "You said: hi (1 stored)", "again", "You said: again (3 stored)"]
    assert texts(t) == shown and t.conversation is not None
    assert texts(t.reload()) == shown
    assert texts(t.restart()) == shown
    stored = store.path(t.owner, t.conversation)
    assert [(m.role, m.content, m.status) for m in stored] == [
        ("user", "hi", "done"),
        ("assistant", "You said: hi (1 stored)", "done"),
        ("user", "again", "done"),
        ("assistant", "You said: again (3 stored)", "done"),
    ]
    ids = [n[2].get("id") for n in t.nodes("message")]
    assert ids == [m.id for m in stored]  # each message shows its stored id


def test_scripts_without_rc_conversation_store_nothing(write_app: Callable[[str], str], store: Store) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nif p := rc.chat_input():\n    rc.message('user', p)\n"),
                           store=store)  # fmt: skip
    t.send("hi")
    assert store.list(t.owner, "app") == [] and t.conversation is None


def test_another_owner_cannot_open_the_conversation(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store, owner="alice")
    t.send("secret")
    other = ChatTest.from_file(app, store=store, owner="bob", conversation=t.conversation)
    assert texts(other) == [] and other.conversation is None  # as if it did not exist
    same = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    assert texts(same) == ["secret", "You said: secret (1 stored)"]


def test_a_crash_mid_answer_keeps_what_was_shown_marked_interrupted(
    write_app: Callable[[str], str], store: Store
) -> None:
    release = threading.Event()
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            def tokens():
                yield "The answer "
                yield "begins here"
                release.wait(30)  # the server dies here
                yield " and never ends"
            with conv.reply():
                rc.write_stream(tokens())
    """)
    t = ChatTest.from_file(app, store=store, names={"release": release}, owner="alice")
    t.send("tell me", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"] == "The answer begins here")
    seen = t.messages[1]["content"]
    # The process is gone, as after kill -9: its lease ran out, and another process took the conversation
    # over (which raised the fence: whatever the old run still tries to write is refused).
    assert isinstance(store, SqlStore)
    with store.transaction(write=True) as tx:
        tx.run("UPDATE conversations SET lease_owner = 'gone', lease_until = 0, fence = fence + 1")
    after = ChatTest.from_file(app, store=store, names={"release": release}, owner="alice",
                               conversation=t.conversation)  # fmt: skip
    after_messages = after.nodes("message")
    assert texts(after)[1].startswith(seen)  # durable before displayed: nothing shown is lost
    assert after_messages[1][2].get("status") == "interrupted"
    release.set()


def test_a_resent_prompt_is_stored_once(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store, owner="alice")
    t.send("once")
    # After a restart the page resends what it had not seen confirmed: the same tab and event number.
    again = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    node_id = again.session.tree.find("chat_input")[0].id
    assert again.session.submit(Event(1, node_id, "submit", "once"), t._tab)
    again.wait()
    assert [m.content for m in store.path(t.owner, t.conversation) if m.role == "user"] == ["once"]
    assert [m.role for m in store.path(t.owner, t.conversation)] == [
        "user",
        "assistant",
    ]  # not answered twice


def test_a_resent_prompt_whose_worker_died_before_answering_is_answered(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store, owner="alice")
    t.send("first")
    conversation = t.conversation or ""
    # The worker stored the prompt (tab "a", event 7), then died before it answered or confirmed it.
    store.add(t.owner, conversation, role="user", content="stored, unanswered", origin="a:7:0")
    again = ChatTest.from_file(app, store=store, owner="alice", conversation=conversation)
    node_id = again.session.tree.find("chat_input")[0].id
    assert again.session.submit(Event(7, node_id, "submit", "stored, unanswered"), "a")
    again.wait()
    stored = store.path(t.owner, conversation)
    assert [m.content for m in stored if m.role == "user"] == ["first", "stored, unanswered"]
    assert stored[-1].content == "You said: stored, unanswered (3 stored)"
    # The page need not send it again: EVACK names the tab by the number its HELLO gave it.
    assert [op for op in again.ops if op[0] == EVACK][-1] == [EVACK, again.session.hello("a")[1], 7]


def test_feedback_on_a_stored_message_is_stored_and_comes_back(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store)
    t.send("rate me")
    t.feedback(1, "Like")
    assert [m.feedback for m in store.path(t.owner, t.conversation)] == [None, "Like"]
    assert t.reload().nodes("message")[1][2].get("feedback") == "Like"


def test_the_list_creates_switches_renames_deletes_restores_and_searches(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store)
    t.send("about cats")
    first = t.conversation
    t.conversations_do("new")
    assert texts(t) == [] and t.conversation is None
    t.send("about dogs")
    second = t.conversation
    listing = t.nodes("conversations")[0][2]
    assert [i["id"] for i in listing["items"]] == [second, first]
    assert [i["title"] for i in listing["items"]] == ["about dogs", "about cats"]
    assert listing["active"] == second and listing["path"] == f"/c/{second}"
    t.conversations_do("open", first)
    assert texts(t)[0] == "about cats"
    t.conversations_do("rename", [first, "Felines"])
    assert t.nodes("conversations")[0][2]["items"][1]["title"] == "Felines"
    t.conversations_do("search", "dogs")
    assert [i["id"] for i in t.nodes("conversations")[0][2]["items"]] == [second]
    t.conversations_do("search", "")
    t.conversations_do("delete", first)
    listing = t.nodes("conversations")[0][2]
    assert [i["id"] for i in listing["items"]] == [second] and listing["deleted"]["id"] == first
    assert t.conversation is None  # the shown one was deleted: a new chat
    t.conversations_do("restore", first)
    assert len(t.nodes("conversations")[0][2]["items"]) == 2


def test_conv_add_and_state_are_stored(write_app: Callable[[str], str], store: Store) -> None:
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            conv.add({"role": "system", "content": "noted: " + prompt})
            conv.state["count"] = conv.state.get("count", 0) + 1
            conv.title = "Custom"
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("a").send("b")
    assert texts(t.restart()) == ["a", "noted: a", "b", "noted: b"]
    found = store.get(t.owner, t.conversation)
    assert found is not None and found.state == {"count": 2} and found.title == "Custom"
    with pytest.raises(TypeError):
        store.set_state(t.owner, t.conversation, {"bad": object()})


def test_a_store_that_fails_puts_the_prompt_back_in_the_input(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store)
    t.send("kept")
    store.close()
    t.send("not lost")
    assert any("Could not save" in op[1] for op in t.ops if op[0] == NOTE)
    assert t.nodes("chat_input")[0][2].get("value") == "not lost"


def test_an_answer_cut_by_shutdown_is_stored_interrupted_and_one_stopped_by_the_user_stopped(
    write_app: Callable[[str], str], store: Store
) -> None:
    app = write_app("""
        import time
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            def tokens():
                yield "begun"
                while True:
                    time.sleep(0.01)
                    yield "."
            with conv.reply():
                rc.write_stream(tokens())
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("a", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"].startswith("begun"))
    t.stop().wait()
    assert store.path(t.owner, t.conversation or "")[-1].status == "stopped"
    t.send("b", wait=False)
    t.wait_for(lambda t: len(t.messages) == 4 and t.messages[3]["content"].startswith("begun"))
    t.close()  # as at server shutdown
    assert t.session.wait_idle(5)
    last = store.path(t.owner, t.conversation or "")[-1]
    assert last.status == "interrupted" and last.content.startswith("begun")


def test_a_prompt_to_a_conversation_deleted_in_another_tab_is_not_lost(app: str, store: Store) -> None:
    t = ChatTest.from_file(app, store=store, owner="alice")
    t.send("first")
    other = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    other.conversations_do("delete", t.conversation)
    t.send("after the delete")
    assert t.run_state == "done"  # the session lives on
    kept = t.nodes("chat_input")[0][2].get("value") == "after the delete"
    stored = any(
        m.content == "after the delete" for c in store.list(t.owner, "app") for m in store.path(t.owner, c.id)
    )
    assert kept or stored  # either back in the input, or stored (in a new conversation)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def test_attached_files_and_media_made_in_code_are_kept_and_show_after_a_restart(
    write_app: Callable[[str], str], store: Store
) -> None:
    app = write_app(f"""
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input(multimodal=True):
            with conv.reply():
                rc.markdown("Here is yours, and a chart:")
                rc.image({PNG!r}, alt="chart")
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("look", files=[("cat.png", PNG + b"cat", "image/png")])
    assert t.conversation is not None
    first, _ = (n[2]["src"] for n in t.nodes("image"))
    assert first.startswith("/_rc/files/")  # the attachment is served from the store at once
    t.restart()
    after = [n[2] for n in t.nodes("image")]
    assert after[0]["src"] == first and after[1]["src"].startswith("/_rc/files/")
    assert after[1]["alt"] == "chart"
    attached, text, answer = (m.content for m in store.path(t.owner, t.conversation))
    assert attached == {"file_id": first.rsplit("/", 1)[1], "name": "cat.png", "mime_type": "image/png",
                        "size": len(PNG) + 3}  # fmt: skip
    assert text == "look"
    assert answer[0] == "Here is yours, and a chart:" and answer[1]["alt_text"] == "chart"
    assert store.file(t.owner, attached["file_id"])[1] == PNG + b"cat"  # type: ignore[index]
    assert store.file(t.owner, answer[1]["file_id"])[1] == PNG  # type: ignore[index]
    assert store.file(store.user("someone else"), answer[1]["file_id"]) is None


def test_a_resent_prompt_keeps_its_files_once(write_app: Callable[[str], str], store: Store) -> None:
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        rc.chat_input(multimodal=True)
    """)
    t = ChatTest.from_file(app, store=store, owner="alice")
    t.send("look", files=[("a.txt", b"hello", "text/plain")])
    # After a restart the page resends what it had not seen confirmed: the same tab and event number.
    again = ChatTest.from_file(app, store=store, owner="alice", conversation=t.conversation)
    node_id = again.session.tree.find("chat_input")[0].id
    upload = again.upload("a.txt", b"hello", "text/plain")
    assert again.session.submit(Event(1, node_id, "submit", {"text": "look", "files": [upload]}), t._tab)
    again.wait()
    assert [m.role for m in store.path(t.owner, t.conversation or "")] == ["user", "user"]
    assert isinstance(store, SqlStore)
    with store.transaction(write=False) as tx:
        assert tx.one("SELECT count(*) FROM files") == (1,)


def test_conv_read_file_gives_an_attachments_bytes(write_app: Callable[[str], str], store: Store) -> None:
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        if rc.chat_input(multimodal=True):
            attached = conv.history[0]["content"]
            with conv.reply():
                rc.markdown(conv.read_file(attached).decode())
                try:
                    conv.read_file({"file_id": "01MISSING"})
                except LookupError as error:
                    rc.markdown(str(error))
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("read it", files=[("a.txt", b"hello", "text/plain")])
    assert texts(t)[-1] == "hello\n\nno file '01MISSING' in this user's conversations"


def test_keyed_widget_values_are_kept_with_each_conversation(
    write_app: Callable[[str], str], store: Store
) -> None:
    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        with rc.sidebar:
            model = rc.selectbox("Model", ["small", "large", "huge"], key="model")
            heat = rc.slider("Temperature", 0.0, 1.0, 0.5, key="temperature")
            rc.checkbox("Unkept", key=None)
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            with conv.reply():
                rc.markdown(f"{model} at {heat}")
    """)
    t = ChatTest.from_file(app, store=store, owner="ann")
    t.set("Model", "large").send("first")
    first = t.conversation
    assert first is not None and texts(t)[-1] == "large at 0.5"
    assert store.get(t.owner, first).state == {"model": "large", "temperature": 0.5}  # type: ignore[union-attr]
    t.conversations_do("new").set("Model", "huge").set("Temperature", 0.9).send("second")
    second = t.conversation
    assert second != first and texts(t)[-1] == "huge at 0.9"
    t.conversations_do("open", first)
    widgets = {w[2]["label"]: w[2].get("value") for w in t.nodes("sidebar")[0][3]}
    assert widgets["Model"] == 1 and widgets["Temperature"] == 0.5  # the first conversation's choices
    t.send("again")
    assert texts(t)[-1] == "large at 0.5"
    t.set("Temperature", 0.2).send("cooler")
    assert store.get(t.owner, first).state == {"model": "large", "temperature": 0.2}  # type: ignore[union-attr]
    after = ChatTest.from_file(app, store=store, owner="ann", conversation=second)  # a restart
    widgets = {w[2]["label"]: w[2].get("value") for w in after.nodes("sidebar")[0][3]}
    assert widgets["Model"] == 2 and widgets["Temperature"] == 0.9
    store.set_state(t.owner, second or "", {"model": "no such model", "temperature": 7})
    after = ChatTest.from_file(app, store=store, owner="ann", conversation=second)
    widgets = {w[2]["label"]: w[2].get("value") for w in after.nodes("sidebar")[0][3]}
    assert widgets["Model"] == 0 and widgets["Temperature"] == 1.0  # what does not fit is fitted or ignored


def test_retry_and_edit_in_a_script_make_new_versions_the_script_answers(
    write_app: Callable[[str], str], store: Store
) -> None:
    app = write_app("""
        import reactchat as rc
        rc.chat(retry=True, editable="user")
        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)
        if prompt := rc.chat_input():
            n = rc.session_state["n"] = rc.session_state.get("n", 0) + 1
            assert conv.history[-1] == {**conv.history[-1], "role": "user", "content": prompt}
            with conv.reply():
                rc.markdown(f"answer {n} to {prompt} after {len(conv.history)}")
    """)
    t = ChatTest.from_file(app, store=store)
    t.send("hi").send("next")
    t.retry(1)  # the first answer: the script answers "hi" again, with the history up to it
    assert texts(t) == ["hi", "answer 3 to hi after 1"]
    assert [n[2].get("branch") for n in t.nodes("message")] == [None, [2, 2]]
    t.branch(1, -1)
    assert texts(t) == ["hi", "answer 1 to hi after 1", "next", "answer 2 to next after 3"]
    t.edit(2, "then")  # a new version of the second prompt, answered
    assert texts(t) == ["hi", "answer 1 to hi after 1", "then", "answer 4 to then after 3"]
    t.edit(2, "saved only", answer=False)
    assert texts(t) == ["hi", "answer 1 to hi after 1", "saved only"]
    assert [n[2].get("branch") for n in t.nodes("message")] == [None, [1, 2], [3, 3]]
    t.branch(2, -1)
    assert texts(t.restart()) == ["hi", "answer 1 to hi after 1", "then", "answer 4 to then after 3"]


def test_a_reply_s_thoughts_are_stored_as_they_show_not_only_at_its_end(
    write_app: Callable[[str], str], store: Store
) -> None:
    release = threading.Event()
    app = write_app("""
        import reactchat as rc
        from langchain_core.messages import AIMessageChunk

        conv = rc.conversation()
        for m in conv.history:
            rc.message(m)

        def model():
            call = {"name": "get_weather", "args": '{"city": "Lima"}', "id": "c1", "index": 0}
            yield AIMessageChunk(content="", tool_call_chunks=[call])
            yield AIMessageChunk(content="Looking it up.")
            release.wait(10)
            yield AIMessageChunk(content=" Sunny.")

        if rc.chat_input():
            with conv.reply():
                rc.write_stream(model())
    """)
    t = ChatTest(app, store=store, names={"release": release})
    t.send("weather?", wait=False)
    t.wait_for(lambda t: len(t.thoughts) == 1)
    streaming = store.path(t.owner, t.conversation or "")[-1]
    assert streaming.status == "streaming"  # a crash now would keep the thought it showed
    assert [x["title"] for x in (streaming.metadata or {}).get("thoughts", [])] == ["get_weather"]
    release.set()
    t.wait()
    done = store.path(t.owner, t.conversation or "")[-1]
    assert done.status == "done" and [x["title"] for x in (done.metadata or {})["thoughts"]] == [
        "get_weather"
    ]
    assert len(t.restart().thoughts) == 1


def test_show_shows_what_declaring_each_message_of_the_history_shows(
    write_app: Callable[[str], str], store: Store
) -> None:
    loop = APP.replace("rc.chat(feedback=True)", "rc.chat(feedback=True, retry=True, editable='user')")
    apps = [
        write_app(loop),
        write_app(loop.replace("for m in conv.history:\n        rc.message(m)", "conv.show()")),
    ]
    assert "conv.show()" in open(apps[1]).read()
    seen = []
    for path in apps:
        t = ChatTest.from_file(path, store=open_store("memory"), owner="alice")
        t.send("one").send("two").feedback(1, "Like").retry(1).branch(1, -1).send("three").edit(
            2, "two, again"
        )
        t.send("four").undo().send("five")
        seen.append([(n[2]["role"], n[2].get("branch"), n[2].get("feedback"), m["content"])
                     for n, m in zip(t.nodes("message"), t.messages, strict=True)])  # fmt: skip
        before = t.messages
        assert t.restart().messages == before and not t.errors
    assert seen[0] == seen[1]
    assert [content for *_, content in seen[1]][-2:] == ["five", "You said: five (5 stored)"]


def test_show_remembers_each_message_by_its_stored_record_with_no_copy_of_its_dict_or_key(
    write_app: Callable[[str], str], store: Store
) -> None:
    t = ChatTest.from_file(write_app(APP.replace("for m in conv.history:\n        rc.message(m)", "conv.show()")),
                           store=store)  # fmt: skip
    t.send("one").send("two").send("three")
    nodes = [n for n in t.session.tree.root.children if n.kind == "message"]
    shown = nodes[:-1]  # the last is the reply this run wrote
    assert len(shown) == 5 and all(type(n.memo) is Message for n in shown)
    assert all(n.key == n.props["id"] == n.memo.id for n in shown)  # the key is the id itself, no "m:" copy
    before = len(t.ops)
    t.session.request_rerun()
    t.wait()
    assert [op for op in t.ops[before:] if op[0] in (INS, SET, DEL, REP)] == []  # taken as they were
    assert all(type(n.memo) is Message for n in t.session.tree.root.children[:6] if n.kind == "message")
