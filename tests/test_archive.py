"""Conversations outside the store: archives exported and imported (SQLite to PostgreSQL and back, trees equal),
the branch on screen as Markdown, and forks that copy a path (files too) and leave the original alone."""

from __future__ import annotations

import dataclasses
import io
import json
import pathlib
from typing import Any

import pytest

from reactchat.archive import archive, conversation_json, fork, import_archive, markdown, write_store
from reactchat.store import NotFound, Store, open_store
from tests.test_store import APP


def filled(store: Store) -> tuple[str, str]:
    """Alice's conversation with branches, feedback, metadata, state and a file; Bob's small one."""
    alice = store.user("alice", name="Alice", email="a@example.com", claims={"groups": ["x"]})
    c = store.create(alice, APP)
    kept = store.add_file(
        alice, c.id, data=bytes(range(256)), name="bytes.bin", mime="application/octet-stream"
    )
    q = store.add(alice, c.id, role="user", content=["Look", kept.part()], origin="tab:1:0")
    store.add(alice, c.id, role="assistant", content="first", metadata={"model": "m1"})
    retried = store.add(alice, c.id, role="assistant", content="second", parent_id=q.id)
    store.set_feedback(alice, retried.id, "Like")
    store.add(alice, c.id, role="user", content="edited", parent_id=None)
    streaming = store.add(alice, c.id, role="assistant", content="", status="streaming")
    store.append(alice, streaming.id, "cut")
    store.set_state(alice, c.id, {"model": "m2"})
    store.switch(alice, c.id, retried.id)
    bob = store.user("bob")
    store.add(bob, store.create(bob, "other.py").id, role="user", content="bob's")
    return alice, c.id


def export(store: Store, conversation_id: str | None = None) -> dict[str, Any]:
    out = io.StringIO()
    write_store(store, out, conversation_id=conversation_id)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def same(a: Store, a_owner: str, b: Store, b_owner: str, conversation_id: str) -> None:
    """The conversation is the same in both stores: tree, path, files, title, state, times."""
    tree_a, tree_b = a.tree(a_owner, conversation_id), b.tree(b_owner, conversation_id)
    # The one streaming when exported was cut short: it comes back interrupted, with what it had.
    fixed = [dataclasses.replace(m, status="interrupted") if m.status == "streaming" else m for m in tree_a]
    assert tree_b == fixed and len(tree_b) == 5
    assert [m.id for m in a.path(a_owner, conversation_id)] == [
        m.id for m in b.path(b_owner, conversation_id)
    ]
    ca, cb = a.get(a_owner, conversation_id), b.get(b_owner, conversation_id)
    assert ca is not None and cb is not None
    assert dataclasses.replace(ca, owner_id="") == dataclasses.replace(cb, owner_id="")
    files_a, files_b = a.files(a_owner, conversation_id), b.files(b_owner, conversation_id)
    assert files_a == files_b and len(files_b) == 1
    assert a.file(a_owner, files_a[0].id) == b.file(b_owner, files_b[0].id)


@pytest.mark.parametrize("direction", ["sqlite to postgresql", "postgresql to sqlite"])
def test_a_store_exported_and_imported_into_the_other_backend_has_equal_trees(
    direction: str, tmp_path: pathlib.Path, postgres_url: str
) -> None:
    sqlite = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    postgres = open_store(postgres_url)
    source, target = (sqlite, postgres) if direction.startswith("sqlite") else (postgres, sqlite)
    try:
        alice, cid = filled(source)
        data = json.loads(json.dumps(export(source)))  # through text, as a file would carry it
        assert len(data["conversations"]) == 2
        assert import_archive(target, data, report=pytest.fail) == (2, 0)
        owner = target.user("alice")
        same(source, alice, target, owner, cid)
        user = next(u for u in target.users() if u.identifier == "alice")
        assert (user.name, user.email, user.claims) == ("Alice", "a@example.com", {"groups": ["x"]})
        bob = target.user("bob")
        assert [m.content for m in target.path(bob, target.conversations(bob)[0].id)] == ["bob's"]
        said: list[str] = []
        assert import_archive(target, data, report=said.append) == (0, 2)  # a second time: ids taken
        assert all("already" in line for line in said) and len(said) == 2
    finally:
        sqlite.close()
        postgres.close()


def test_one_conversation_exports_alone_and_a_download_imports_for_a_named_user(store: Store) -> None:
    alice, cid = filled(store)
    data = export(store, cid)
    assert [c["id"] for c in data["conversations"]] == [cid] and data["conversations"][0]["owner"][
        "identifier"
    ]
    with pytest.raises(LookupError, match="no conversation 'missing'"):
        export(store, "missing")
    # What the page downloads has no owner: importing it needs one.
    one = conversation_json(store, alice, cid)
    assert one is not None and "owner" not in one
    assert one["messages"][2]["feedback"] == "Like" and one["messages"][1]["metadata"] == {"model": "m1"}
    assert one["files"][0]["data"] and one["state"] == {"model": "m2"}
    other = open_store("memory")
    said: list[str] = []
    assert import_archive(other, archive([one]), report=said.append) == (0, 1)
    assert "has no owner" in said[0] and cid in said[0]
    assert import_archive(other, archive([one]), owner="carol", report=pytest.fail) == (1, 0)
    same(store, alice, other, other.user("carol"), cid)
    assert conversation_json(store, store.user("bob"), cid) is None  # another owner's is missing


def test_a_broken_archive_is_refused_or_its_broken_conversation_left_out() -> None:
    store = open_store("memory")
    with pytest.raises(ValueError, match='"format": "reactchat"'):
        import_archive(store, {"conversations": []})
    with pytest.raises(ValueError, match="version 9"):
        import_archive(store, {"format": "reactchat", "version": 9, "conversations": []})
    said: list[str] = []
    good = {"id": "C2", "app": APP, "created_at": 1, "updated_at": 2, "owner": {"identifier": "u"},
            "messages": [{"id": "M2", "role": "user", "content": "ok", "status": "done", "created_at": 1,
                          "updated_at": 1}]}  # fmt: skip
    broken = {**good, "id": "C1", "messages": [{"id": "M1", "content": "no role"}]}
    bad_file = {**good, "id": "C3", "messages": [], "files": [{"id": "F", "data": "%%%", "name": "n", "mime": "m",
                                                              "created_at": 1}]}  # fmt: skip
    wrong_type = {**good, "id": 7}
    result = import_archive(store, archive([broken, good, "text", bad_file, wrong_type]), report=said.append)
    assert result == (1, 4)
    assert said[3] == "conversation 7 left out: id is 7, not a non-empty string"
    assert said[0].startswith("conversation 'C1' left out") and "has no 'role'" in said[0]
    assert said[1].startswith("conversations[2] left out") and said[2].startswith("conversation 'C3'")
    assert "base64" in said[2]
    owner = store.user("u")
    assert [m.content for m in store.path(owner, "C2")] == []  # no active leaf given: nothing on screen
    assert [m.content for m in store.tree(owner, "C2")] == ["ok"]


def test_markdown_is_the_branch_on_screen_under_each_role(store: Store) -> None:
    alice, cid = filled(store)
    conversation = store.get(alice, cid)
    assert conversation is not None
    text = markdown(conversation, store.path(alice, cid))
    assert text == "# Look\n\n## User\n\nLook\n\n[bytes.bin]\n\n## Assistant\n\nsecond\n"


def test_fork_copies_the_path_to_a_message_with_its_files_and_leaves_the_original(store: Store) -> None:
    alice, cid = filled(store)
    before = (store.tree(alice, cid), store.get(alice, cid), store.files(alice, cid))
    answer = store.path(alice, cid)[-1]
    made = fork(store, alice, cid, answer.id)
    assert (store.tree(alice, cid), store.get(alice, cid), store.files(alice, cid)) == before
    path = store.path(alice, made.id)
    assert [m.content if isinstance(m.content, str) else m.content[0] for m in path] == ["Look", "second"]
    assert path[-1].feedback == "Like" and store.tree(alice, made.id) == [dataclasses.replace(m, siblings=())
                                                                          for m in path]  # fmt: skip
    assert {m.id for m in path}.isdisjoint(m.id for m in before[0]) and path[0].origin is None
    copied = store.files(alice, made.id)
    assert len(copied) == 1 and copied[0].id != before[2][0].id
    assert path[0].content[1] == {**before[0][0].content[1], "file_id": copied[0].id}
    assert store.file(alice, copied[0].id)[1] == bytes(range(256))  # type: ignore[index]
    got = store.get(alice, made.id)
    assert got is not None and got.title == "Look (branch)" and got.state == {"model": "m2"}
    store.delete(alice, cid)  # the copy's files are its own
    assert store.file(alice, copied[0].id) is not None
    with pytest.raises(NotFound):
        fork(store, alice, made.id, answer.id)  # a message of another conversation
    with pytest.raises(NotFound):
        fork(store, store.user("bob"), made.id, path[0].id)


def test_a_fork_of_a_streaming_reply_holds_what_it_had_as_interrupted(store: Store) -> None:
    alice, cid = filled(store)
    streaming = next(m for m in store.tree(alice, cid) if m.status == "streaming")
    made = fork(store, alice, cid, streaming.id)
    assert [(m.content, m.status) for m in store.path(alice, made.id)] == [
        ("edited", "done"),
        ("cut", "interrupted"),
    ]
    assert store.files(alice, made.id) == []  # only the files the copied messages show


# -- in an app: "Branch off" on a message, and conv.tree() ----------------------------------------------------

TREE_APP = """
    import reactchat as rc
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        with conv.reply():
            rc.markdown(f"answer {len(conv.tree())} to {prompt}")
    rc.session_state["tree"] = [[m["content"], m["parent_id"], m["children"], m.get("branch")]
                                for m in conv.tree()]
"""


def shown_tree(t: Any) -> list[Any]:
    return t.session.state["tree"]  # type: ignore[no-any-return]


def test_conv_tree_is_every_branch_with_parents_children_and_versions(write_app: Any) -> None:
    from reactchat.testing import ChatTest

    t = ChatTest.from_file(write_app(TREE_APP))
    assert shown_tree(t) == []
    t.send("hi")  # the reply being written is not in the tree it counts: only the prompt
    store, owner, cid = t.store, t.owner, t.conversation or ""
    first = store.tree(owner, cid)
    other = store.add(owner, cid, role="assistant", content="another", parent_id=first[0].id)
    edited = store.add(owner, cid, role="user", content="hello", parent_id=None)
    t.reload()
    assert [m["content"] for m in t.messages] == ["hello"]  # the script's history: the branch on screen only
    assert shown_tree(t) == [
        ["hi", None, [first[1].id, other.id], [1, 2]],
        ["answer 1 to hi", first[0].id, [], [1, 2]],
        ["another", first[0].id, [], [2, 2]],
        ["hello", None, [], [2, 2]],
    ]
    assert edited.id == store.tree(owner, cid)[-1].id


def test_branch_off_opens_a_new_conversation_holding_the_path_up_to_the_message(write_app: Any) -> None:
    from reactchat.testing import ChatTest

    t = ChatTest.from_file(write_app(TREE_APP))
    t.send("one").send("two")
    original = t.conversation or ""
    before = t.store.tree(t.owner, original)
    t.fork(1)
    assert t.conversation not in (None, original)
    assert [m["content"] for m in t.messages] == ["one", "answer 1 to one"]
    assert t.nodes("conversations")[0][2]["path"] == f"/c/{t.conversation}"  # the address follows
    assert [c["id"] for c in t.nodes("conversations")[0][2]["items"]][:2] == [t.conversation, original]
    assert t.store.tree(t.owner, original) == before
    t.send("three")  # the copy goes on by itself
    assert [m["content"] for m in t.messages][-1] == "answer 3 to three"
    assert len(t.store.tree(t.owner, original)) == 4
    t._event(t._message(0).id, "fork", 7, True)  # a value is ignored; a fork of a fork
    assert [m["content"] for m in t.messages] == ["one"]


def test_branch_off_in_a_chat_interface_app_needs_no_code() -> None:
    from reactchat.testing import ChatTest

    seen: list[list[str]] = []

    def bot(message: str, history: list[dict[str, Any]]) -> str:
        seen.append([m["content"] for m in history])
        return f"answer to {message}"

    t = ChatTest.from_function(bot)
    t.send("one").send("two")
    original = t.conversation
    t.fork(1)
    assert t.conversation != original
    assert [m["content"] for m in t.messages] == ["one", "answer to one"]
    t.send("three")
    assert seen[-1] == ["one", "answer to one"]  # fn sees the copy's branch only
