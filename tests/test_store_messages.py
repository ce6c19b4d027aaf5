"""Messages in the store, on every backend: the tree by parent, automatic titles, idempotent origins, streams
appended and folded, recovery after a crash, feedback."""

from __future__ import annotations

import itertools

import pytest

from reactchat.store import NotFound, Store
from tests.test_store import APP


def test_add_follows_the_active_leaf_and_branches(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    question = store.add(owner, conversation.id, role="user", content="Hi", metadata={"k": 1})
    answer = store.add(owner, conversation.id, role="assistant", content="Hello")
    assert answer.parent_id == question.id and question.parent_id is None
    retry = store.add(owner, conversation.id, role="assistant", content="Hey", parent_id=question.id)
    assert [m.id for m in store.path(owner, conversation.id)] == [question.id, retry.id]
    assert store.path(owner, conversation.id)[0].metadata == {"k": 1}
    assert retry.id > answer.id  # siblings by id are in creation order
    assert store.set_leaf(owner, conversation.id, answer.id)
    assert [m.content for m in store.path(owner, conversation.id)] == ["Hi", "Hello"]
    root = store.add(owner, conversation.id, role="user", content="Edited first", parent_id=None)
    assert [m.id for m in store.path(owner, conversation.id)] == [root.id]
    assert store.set_leaf(owner, conversation.id, None) and store.path(owner, conversation.id) == []
    assert not store.set_leaf(owner, conversation.id, "missing")
    with pytest.raises(NotFound):
        store.add(owner, conversation.id, role="user", content="x", parent_id="missing")
    with pytest.raises(ValueError, match="status"):
        store.add(owner, conversation.id, role="user", content="x", status="bogus")
    with pytest.raises(TypeError, match="content"):
        store.add(owner, conversation.id, role="user", content=b"bytes")


def test_add_sets_an_automatic_title_once(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    store.add(owner, conversation.id, role="system", content="You are helpful.")
    long = "Please summarise the following meeting notes for the whole team by Friday afternoon"
    store.add(owner, conversation.id, role="user", content=[{"type": "text", "text": long}])
    store.add(owner, conversation.id, role="user", content="A second question")
    got = store.get(owner, conversation.id)
    assert got is not None and got.title_source == "auto"
    assert got.title == "Please summarise the following meeting notes for the whole…"
    store.rename(owner, conversation.id, "Mine")
    store.add(owner, conversation.id, role="user", content="More")
    got = store.get(owner, conversation.id)
    assert got is not None and (got.title, got.title_source) == ("Mine", "user")


def test_adding_again_with_the_same_origin_changes_nothing(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    first = store.add(owner, conversation.id, role="user", content="Hi", origin="tab1:7")
    before = store.get(owner, conversation.id)
    again = store.add(owner, conversation.id, role="user", content="Hi (resent)", origin="tab1:7")
    assert again == first
    assert store.get(owner, conversation.id) == before
    assert [m.id for m in store.path(owner, conversation.id)] == [first.id]
    other = store.create(owner, APP)  # an origin is unique within its conversation
    assert store.add(owner, other.id, role="user", content="Hi", origin="tab1:7").id != first.id


def test_a_stream_grows_by_deltas_and_finish_folds_them(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    store.add(owner, conversation.id, role="user", content="Count")
    reply = store.add(owner, conversation.id, role="assistant", content="", status="streaming")
    for delta in ["one", ", two", "", ", three"]:
        store.append(owner, reply.id, delta)
    shown = store.path(owner, conversation.id)[-1]
    assert (shown.content, shown.status) == ("one, two, three", "streaming")
    done = store.finish(owner, reply.id, metadata={"tokens": 3})
    assert (done.content, done.status, done.metadata) == ("one, two, three", "done", {"tokens": 3})
    assert store.path(owner, conversation.id)[-1] == done
    with pytest.raises(ValueError, match="not streaming"):
        store.append(owner, reply.id, "late")
    assert store.path(owner, conversation.id)[-1].content == "one, two, three"
    assert [c.id for c in store.search(owner, APP, "three")] == [conversation.id]  # indexed once folded
    other = store.add(owner, conversation.id, role="assistant", content="Par", status="streaming")
    store.append(owner, other.id, "tial")
    stopped = store.finish(owner, other.id, status="stopped", content="Replaced")
    assert (stopped.content, stopped.status) == ("Replaced", "stopped")
    with pytest.raises(ValueError, match="status"):
        store.finish(owner, other.id, status="streaming")
    with pytest.raises(ValueError, match="str"):
        store.add(owner, conversation.id, role="assistant", content=[], status="streaming")


def test_append_many_is_all_or_nothing(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    a = store.add(owner, conversation.id, role="assistant", content="", status="streaming")
    b = store.add(owner, conversation.id, role="assistant", content="", status="streaming", parent_id=None)
    store.append_many([(owner, b.id, "b1"), (owner, a.id, "a1"), (owner, b.id, "b2")])
    with pytest.raises(NotFound):
        store.append_many([(owner, a.id, "a2"), (owner, "missing", "x")])
    assert store.finish(owner, a.id).content == "a1"
    assert store.finish(owner, b.id).content == "b1b2"


def test_recover_marks_streams_interrupted_keeping_their_text(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    store.add(owner, conversation.id, role="user", content="Tell me")
    reply = store.add(owner, conversation.id, role="assistant", content="Once", status="streaming")
    store.append(owner, reply.id, " upon a time")
    assert store.recover() == 1
    shown = store.path(owner, conversation.id)[-1]
    assert (shown.content, shown.status) == ("Once upon a time", "interrupted")
    assert store.recover() == 0


def test_feedback_is_the_owners_and_can_be_cleared(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    reply = store.add(owner, conversation.id, role="assistant", content="Hi")
    store.set_feedback(owner, reply.id, "Like")
    store.set_feedback(owner, reply.id, "Dislike")
    assert store.path(owner, conversation.id)[0].feedback == "Dislike"
    store.set_feedback(owner, reply.id, None)
    assert store.path(owner, conversation.id)[0].feedback is None


def test_a_file_kept_with_a_conversation_is_only_its_owners(store: Store) -> None:
    owner, other = store.user("u"), store.user("v")
    conversation = store.create(owner, APP)
    data = bytes(range(256)) * 4  # every byte value survives
    kept = store.add_file(owner, conversation.id, data=data, name="cat.png", mime="image/png")
    assert (kept.name, kept.mime, kept.size) == ("cat.png", "image/png", 1024)
    assert kept.part() == {"file_id": kept.id, "name": "cat.png", "mime_type": "image/png", "size": 1024}
    assert store.file(owner, kept.id) == (kept, data)
    assert store.file(other, kept.id) is None
    assert store.file(owner, "missing") is None
    with pytest.raises(NotFound):
        store.add_file(other, conversation.id, data=b"x", name="x", mime="text/plain")
    store.delete(owner, conversation.id)
    assert store.file(owner, kept.id) is None
    store.restore(owner, conversation.id)
    assert store.file(owner, kept.id) == (kept, data)


def test_a_file_larger_than_the_store_keeps_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import reactchat.store_messages

    monkeypatch.setattr(reactchat.store_messages, "MAX_FILE_BYTES", 8)
    owner = store.user("u")
    conversation = store.create(owner, APP)
    with pytest.raises(ValueError, match="a file of 9 bytes is larger than the store keeps"):
        store.add_file(owner, conversation.id, data=b"123456789", name="x", mime="text/plain")


def test_the_path_lists_each_messages_siblings_and_switch_remembers_each_branch(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP).id
    q = store.add(owner, c, role="user", content="Q")
    a1 = store.add(owner, c, role="assistant", content="A1")
    follow = store.add(owner, c, role="user", content="more on A1")
    store.set_leaf(owner, c, q.id)  # retry: a second answer beside the first
    a2 = store.add(owner, c, role="assistant", content="A2")
    path = store.path(owner, c)
    assert [m.content for m in path] == ["Q", "A2"]
    assert path[0].siblings == () and path[1].siblings == (a1.id, a2.id)
    assert store.switch(owner, c, a1.id)  # back to the first answer: its own continuation comes back
    assert [m.content for m in store.path(owner, c)] == ["Q", "A1", "more on A1"]
    assert store.path(owner, c)[2].id == follow.id
    assert store.switch(owner, c, a2.id)
    assert [m.content for m in store.path(owner, c)] == ["Q", "A2"]
    store.set_leaf(owner, c, None)  # an edit of the first prompt: a second root
    q2 = store.add(owner, c, role="user", content="Q, edited")
    assert store.path(owner, c)[0].siblings == (q.id, q2.id)
    assert store.switch(owner, c, q.id)  # the old prompt's branch as last seen: through A2
    assert [m.content for m in store.path(owner, c)] == ["Q", "A2"]
    assert not store.switch(store.user("v"), c, q.id) and not store.switch(owner, c, "missing")


def test_a_long_path_beside_a_longer_branch_is_read_whole_and_in_order(store: Store) -> None:
    # The path is under half of the tree: its rows are read by id, more of them than one statement takes.
    owner = store.user("u")
    c = store.create(owner, APP).id
    first = store.add(owner, c, role="user", content="0")
    path = [first.id] + [store.add(owner, c, role="user", content=str(i)).id for i in range(1, 601)]
    store.set_leaf(owner, c, first.id)
    aside = [store.add(owner, c, role="user", content=f"b{i}").id for i in range(700)]
    assert [m.id for m in store.path(owner, c)] == [first.id, *aside]
    assert store.switch(owner, c, path[1])
    found = store.path(owner, c)
    assert [m.id for m in found] == path and [m.content for m in found[-2:]] == ["599", "600"]
    assert found[1].siblings == tuple(sorted((path[1], aside[0]))) and found[2].siblings == ()


def test_remove_deletes_a_message_and_all_under_it(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP).id
    q = store.add(owner, c, role="user", content="Q")
    a = store.add(owner, c, role="assistant", content="A")
    q2 = store.add(owner, c, role="user", content="Q2")
    store.add(owner, c, role="assistant", content="A2")
    store.set_feedback(owner, a.id, "Like")
    with pytest.raises(NotFound):
        store.remove(store.user("v"), q2.id)
    assert len(store.remove(owner, q2.id)) == 2
    assert [m.content for m in store.path(owner, c)] == ["Q", "A"]  # shown up to the removed one's parent
    assert store.path(owner, c)[1].feedback == "Like"
    store.add(owner, c, role="user", content="Q3")
    assert store.path(owner, c)[2].siblings == ()  # nothing of the removed turn is left beside it
    assert store.remove(owner, q.id) and store.path(owner, c) == []


def test_append_each_writes_each_delta_it_may(store: Store) -> None:
    from reactchat.leases import Fence, LeaseLost
    from reactchat.store_messages import SqlMessageStore

    assert isinstance(store, SqlMessageStore)
    owner = store.user("u")
    held, taken = store.create(owner, APP).id, store.create(owner, APP).id
    fence = Fence(held, "a", store.take_lease(held, "a", 30) or 0)
    old = Fence(taken, "a", store.take_lease(taken, "a", 30) or 0)
    store.release_lease(taken, "a")
    assert store.take_lease(taken, "b", 30) == old.number + 1
    a = store.add(owner, held, role="assistant", content="", status="streaming")
    b = store.add(owner, taken, role="assistant", content="", status="streaming")
    done = store.add(owner, held, role="assistant", content="Done")
    outcomes = store.append_each([(owner, a.id, "one", fence), (owner, b.id, "lost", old),
                                  (owner, "missing", "x", None), (owner, done.id, "late", None),
                                  (owner, a.id, ", two", fence), (owner, a.id, "", None)])  # fmt: skip
    assert [type(o).__name__ for o in outcomes] == ["NoneType", "LeaseLost", "NotFound", "ValueError",
                                                    "NoneType", "NoneType"]  # fmt: skip
    assert isinstance(outcomes[1], LeaseLost) and isinstance(outcomes[2], NotFound)
    assert store.finish(owner, a.id).content == "one, two"
    assert store.finish(owner, b.id).content == ""


def test_a_path_s_messages_share_their_equal_strings(store: Store) -> None:
    # A tab holds its conversation's messages: one object for what repeats, not one per message.
    owner = store.user("u")
    conversation = store.create(owner, APP)
    for i in range(4):
        store.add(owner, conversation.id, role="user" if i % 2 == 0 else "assistant", content=f"m{i}")
    path = store.path(owner, conversation.id)
    assert [m.content for m in path] == ["m0", "m1", "m2", "m3"]
    assert all(m.parent_id is before.id for before, m in itertools.pairwise(path))
    assert all(m.conversation_id is path[0].conversation_id for m in path)
    assert path[2].role is path[0].role and path[3].role is path[1].role and path[3].status is path[0].status
