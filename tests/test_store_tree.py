"""Whole conversations in the store, on every backend: the tree of every branch, the files, users and an
owner's conversations, ``load`` (ids, times, feedback and files kept), and a property test that random
send / retry / edit / undo / switch sequences keep every message reachable and the path equal to the chain
of parents from the active leaf."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactchat.records import Conversation, Message, StoredFile
from reactchat.store import NotFound, Store
from reactchat.store_tree import parents_first
from tests.test_store import APP


def branched(store: Store, owner: str) -> tuple[str, dict[str, Message]]:
    """A conversation with a retried answer and an edited first prompt: q1 → (a1 | a1b), q1b → a2."""
    c = store.create(owner, APP)
    q1 = store.add(owner, c.id, role="user", content="q1", metadata={"k": 1})
    a1 = store.add(owner, c.id, role="assistant", content="a1")
    a1b = store.add(owner, c.id, role="assistant", content="a1b", parent_id=q1.id)
    q1b = store.add(owner, c.id, role="user", content="q1b", parent_id=None)
    a2 = store.add(owner, c.id, role="assistant", content="a2")
    return c.id, {"q1": q1, "a1": a1, "a1b": a1b, "q1b": q1b, "a2": a2}


def test_tree_holds_every_branch_by_parent_in_creation_order(store: Store) -> None:
    owner = store.user("u")
    cid, m = branched(store, owner)
    store.set_feedback(owner, m["a1"].id, "Like")
    tree = store.tree(owner, cid)
    assert [t.content for t in tree] == ["q1", "a1", "a1b", "q1b", "a2"]
    assert [t.parent_id for t in tree] == [None, m["q1"].id, m["q1"].id, None, m["q1b"].id]
    assert tree[1].feedback == "Like" and tree[0].metadata == {"k": 1}
    assert all(t.siblings == () for t in tree)
    assert [t.content for t in store.path(owner, cid)] == ["q1b", "a2"]  # reading the tree moves nothing
    other = store.user("other")
    assert store.tree(other, cid) == [] and store.tree(owner, "missing") == []
    store.delete(owner, cid)
    assert store.tree(owner, cid) == []


def test_tree_shows_a_streaming_reply_as_far_as_it_was_written(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    store.add(owner, c.id, role="user", content="count")
    reply = store.add(owner, c.id, role="assistant", content="", status="streaming")
    store.append(owner, reply.id, "one, two")
    assert (store.tree(owner, c.id)[-1].content, store.tree(owner, c.id)[-1].status) == (
        "one, two",
        "streaming",
    )


def test_files_users_and_conversations_list_what_an_export_reads(store: Store) -> None:
    alice, bob = store.user("alice", name="Alice", email="a@example.com"), store.user("bob")
    first, second = store.create(alice, APP), store.create(alice, "other.py")
    store.create(bob, APP)
    gone = store.create(alice, APP)
    store.delete(alice, gone.id)
    kept = store.add_file(alice, first.id, data=b"\x89PNG..", name="cat.png", mime="image/png")
    assert store.files(alice, first.id) == [kept] and store.files(bob, first.id) == []
    assert store.files(alice, second.id) == []
    users = store.users()
    assert [(u.id, u.identifier, u.name, u.email) for u in users] == [
        (alice, "alice", "Alice", "a@example.com"), (bob, "bob", None, None)
    ]  # fmt: skip
    assert [c.id for c in store.conversations(alice)] == [first.id, second.id]  # every app, not the deleted


def test_load_keeps_ids_times_feedback_and_files_and_refuses_a_taken_id(store: Store) -> None:
    owner = store.user("u")
    cid, m = branched(store, owner)
    store.set_feedback(owner, m["a1b"].id, "Dislike")
    kept = store.add_file(owner, cid, data=b"bytes", name="a.txt", mime="text/plain")
    original, tree = store.get(owner, cid), store.tree(owner, cid)
    assert original is not None
    files = [(kept, b"bytes")]
    with pytest.raises(ValueError, match="already"):
        store.load(owner, original, tree, files)
    copy = dataclasses.replace(original, id="C" + cid[1:])
    copies = [dataclasses.replace(t, id="X" + t.id[1:], conversation_id=copy.id,
                                  parent_id=t.parent_id and "X" + t.parent_id[1:]) for t in tree]  # fmt: skip
    copy = dataclasses.replace(copy, active_leaf_id="X" + (original.active_leaf_id or "")[1:])
    store.load(
        owner, copy, list(reversed(copies)), [(dataclasses.replace(kept, id="F" + kept.id[1:]), b"bytes")]
    )
    assert store.tree(owner, copy.id) == copies  # parents were written first, whatever the order given
    got = store.get(owner, copy.id)
    assert got is not None and (got.title, got.created_at, got.updated_at, got.state) == (
        original.title, original.created_at, original.updated_at, original.state
    )  # fmt: skip
    assert [x.content for x in store.path(owner, copy.id)] == ["q1b", "a2"]
    assert store.file(owner, "F" + kept.id[1:]) == (
        StoredFile("F" + kept.id[1:], copy.id, "a.txt", "text/plain", 5, kept.created_at),
        b"bytes",
    )
    assert {c.id for c in store.search(owner, APP, "a1b")} == {cid, copy.id}  # loaded text is searchable
    assert store.switch(owner, copy.id, "X" + m["q1"].id[1:])  # the branches work as in the original
    assert [x.content for x in store.path(owner, copy.id)] == ["q1", "a1b"]


def test_load_refuses_what_is_not_a_tree_and_writes_nothing(store: Store) -> None:
    owner = store.user("u")
    c = Conversation("CONV", owner, APP, "t", "user", None, {}, 1.0, 2.0, None)

    def msg(mid: str, parent: str | None, **kw: object) -> Message:
        return Message(mid, "CONV", parent, "user", "x", None, "done", None, None, 1.0, 1.0, **kw)  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="'B' has the parent 'Z'"):
        store.load(owner, c, [msg("A", None), msg("B", "Z")])
    with pytest.raises(ValueError, match="cycle"):
        store.load(owner, c, [msg("A", "B"), msg("B", "A")])
    with pytest.raises(ValueError, match="active leaf 'Q'"):
        store.load(owner, dataclasses.replace(c, active_leaf_id="Q"), [msg("A", None)])
    with pytest.raises(TypeError, match="content of message 'A'"):
        store.load(owner, c, [dataclasses.replace(msg("A", None), content=b"raw")])
    with pytest.raises(NotFound, match="no user"):
        store.load("nobody", c, [msg("A", None)])
    assert store.get(owner, "CONV") is None


def test_remove_deletes_a_subtree_and_moves_the_branch_on_screen_up_when_it_ran_through_it(
    store: Store,
) -> None:
    owner = store.user("u")
    cid, m = branched(store, owner)  # q1 → (a1 | a1b), q1b → a2; the screen shows q1b → a2
    store.set_feedback(owner, m["a1"].id, "Like")
    store.set_leaf(owner, cid, m["a1"].id)
    assert store.remove(owner, m["a1b"].id) == [m["a1b"].id]  # a branch off screen: the screen stays
    assert [x.content for x in store.path(owner, cid)] == ["q1", "a1"] and store.path(owner, cid)[
        1
    ].siblings == ()
    assert store.remove(owner, m["q1"].id) == [m["q1"].id, m["a1"].id]  # the branch on screen: up to the root
    assert store.path(owner, cid) == [] and store.get(owner, cid).active_leaf_id is None  # type: ignore[union-attr]
    assert [x.content for x in store.tree(owner, cid)] == ["q1b", "a2"]
    assert store.search(owner, APP, "a1") == []  # gone from search too
    with pytest.raises(NotFound):
        store.remove(owner, m["q1"].id)
    with pytest.raises(NotFound):
        store.remove(store.user("other"), m["a2"].id)
    assert store.switch(owner, cid, m["q1b"].id)
    assert [x.content for x in store.path(owner, cid)] == ["q1b", "a2"]
    assert store.remove(owner, m["a2"].id) == [m["a2"].id]
    assert [x.content for x in store.path(owner, cid)] == ["q1b"]


def test_remove_takes_a_deep_branch_in_one_go(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    first = store.add(owner, c.id, role="user", content="0")
    for i in range(1, 1200):  # more than one batch of deletes
        store.add(owner, c.id, role="user" if i % 2 == 0 else "assistant", content=str(i))
    removed = store.remove(owner, first.id)
    assert len(removed) == 1200 and removed[0] == first.id
    assert store.tree(owner, c.id) == [] and store.path(owner, c.id) == []


def test_parents_first_orders_depth_first_keeping_sibling_order() -> None:
    def msg(mid: str, parent: str | None) -> Message:
        return Message(mid, "c", parent, "user", "", None, "done", None, None, 0.0, 0.0)

    given_order = [msg("d", "b"), msg("c", "a"), msg("b", "a"), msg("a", None), msg("e", None)]
    assert [m.id for m in parents_first(given_order)] == ["a", "c", "b", "d", "e"]
    assert parents_first([]) == []


# -- the property: whatever the user does, nothing is lost and the path is the chain of parents ------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["send", "retry", "edit", "undo", "switch", "page", "remove"]), st.integers(0, 1000)
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_branching_keeps_every_message_reachable_and_the_path_the_chain_to_the_leaf(
    store: Store, ops: list[tuple[str, int]]
) -> None:
    owner = store.user("u")
    cid = store.create(owner, APP).id
    added: set[str] = set()

    def add(role: str) -> None:  # after the active leaf, as the session adds
        added.add(store.add(owner, cid, role=role, content=f"{role} {len(added)}").id)

    for op, pick in ops:
        path = store.path(owner, cid)
        users = [m for m in path if m.role == "user"]
        if op == "send" or not users:
            add("user")
            add("assistant")
        elif op == "retry":  # the script answers the same prompt again: a sibling of its answer
            assert store.set_leaf(owner, cid, users[pick % len(users)].id)
            add("assistant")
        elif op == "edit":  # a new prompt beside the old one
            assert store.set_leaf(owner, cid, users[pick % len(users)].parent_id)
            add("user")
            add("assistant")
        elif op == "undo":  # back a turn: the branch stays stored
            assert store.set_leaf(owner, cid, users[-1].parent_id)
        elif op == "switch":
            target = sorted(added)[pick % len(added)]
            assert store.switch(owner, cid, target)
            assert target in [m.id for m in store.path(owner, cid)]
        elif op == "remove":  # a message and everything under it go; nothing else does
            target = sorted(added)[pick % len(added)]
            removed = store.remove(owner, target)
            assert removed[0] == target and set(removed) <= added
            added -= set(removed)
        else:  # page: the next version of a message with siblings, wrapping around
            forks = [m for m in path if m.siblings] or path
            m = forks[pick % len(forks)]
            versions = m.siblings or (m.id,)
            assert store.switch(owner, cid, versions[(versions.index(m.id) + 1) % len(versions)])
        tree = store.tree(owner, cid)
        assert {m.id for m in tree} == added  # nothing lost, nothing made up
        assert len(parents_first(tree)) == len(tree)  # every message reachable from a root
        by_id = {m.id: m for m in tree}
        conversation = store.get(owner, cid)
        assert conversation is not None
        chain: list[str] = []
        at = conversation.active_leaf_id
        while at is not None:
            chain.append(at)
            at = by_id[at].parent_id
        path = store.path(owner, cid)
        assert [m.id for m in path] == chain[::-1]
        for m in path:  # the pager's versions are the children of the same parent, oldest first
            siblings = tuple(t.id for t in tree if t.parent_id == m.parent_id)
            assert m.siblings == (siblings if len(siblings) > 1 else ())


def test_renders_are_kept_with_their_conversation_for_its_owner_only(store: Store, store_url: str) -> None:
    owner, other = store.user("u"), store.user("other")
    c = store.create(owner, APP)
    assert store.renders(owner, c.id) == {}
    store.keep_renders(owner, c.id, {"a": "<p>a</p>", "b": "<p>b</p>"})
    store.keep_renders(owner, c.id, {"b": "<p>B</p>"})  # the same key again replaces it
    assert store.renders(owner, c.id) == {"a": "<p>a</p>", "b": "<p>B</p>"}
    assert store.renders(other, c.id) == {} and store.renders(owner, "missing") == {}
    store.keep_renders(other, c.id, {"x": "<p>theirs</p>"})  # another owner's: nothing is kept
    store.keep_renders(owner, "missing", {"x": "<p>x</p>"})
    assert store.renders(owner, c.id) == {"a": "<p>a</p>", "b": "<p>B</p>"}
    store.delete(owner, c.id)
    assert store.renders(owner, c.id) == {}
    store.keep_renders(owner, c.id, {"x": "<p>x</p>"})  # deleted: nothing more is kept
    store.restore(owner, c.id)
    assert store.renders(owner, c.id) == {"a": "<p>a</p>", "b": "<p>B</p>"}


def test_renders_unused_for_long_are_dropped_from_every_conversation(store: Store, store_url: str) -> None:
    from reactchat.store_base import RENDERS_UNUSED
    from tests.test_store import raw_execute

    owner = store.user("u")
    c, d = store.create(owner, APP), store.create(owner, APP)
    store.keep_renders(owner, c.id, {"old": "1", "used": "2", "new": "3"})
    store.keep_renders(owner, d.id, {"old": "4"})
    long_ago = time.time() - RENDERS_UNUSED - 60
    raw_execute(store_url, "UPDATE renders SET used_at = ? WHERE key <> 'new'", (long_ago,))
    store.keep_renders(owner, c.id, {}, used=["used", "missing"])  # "used" is noted as used just now
    assert store.renders(owner, c.id) == {"used": "2", "new": "3"}
    assert store.renders(owner, d.id) == {}
