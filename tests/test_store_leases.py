"""Leases on SQLite and PostgreSQL: one holder at a time, takeover when a lease runs out, fencing, and the
answers of a conversation whose writer is gone."""

from __future__ import annotations

import time

import pytest

from reactchat.leases import Fence, LeaseLost, fenced
from reactchat.store import Store


@pytest.fixture
def conversation(store: Store) -> tuple[str, str]:
    owner = store.user("anonymous:x")
    return owner, store.create(owner, "app").id


def test_one_holder_at_a_time(store: Store, conversation: tuple[str, str]) -> None:
    _, cid = conversation
    first = store.take_lease(cid, "a", 30)
    assert first is not None
    assert store.take_lease(cid, "b", 30) is None  # a's lease lasts
    assert store.take_lease(cid, "a", 30) == first  # a renewing keeps its number
    store.release_lease(cid, "b")  # not b's to release
    assert store.take_lease(cid, "b", 30) is None
    store.release_lease(cid, "a")
    second = store.take_lease(cid, "b", 30)
    assert second == first + 1


def test_a_lease_that_runs_out_is_taken_over(store: Store, conversation: tuple[str, str]) -> None:
    _, cid = conversation
    first = store.take_lease(cid, "a", 0.05)
    assert first is not None
    deadline = time.monotonic() + 5
    while (taken := store.take_lease(cid, "b", 30)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert taken == first + 1
    assert store.renew_leases("a", [cid], 30) == [cid]  # a learns it lost it
    assert store.renew_leases("b", [cid], 30) == []
    assert store.renew_leases("b", [], 30) == []


def test_a_fenced_out_writer_writes_nothing(store: Store, conversation: tuple[str, str]) -> None:
    owner, cid = conversation
    old = store.take_lease(cid, "a", 0.05)
    assert old is not None
    reply = store.add(owner, cid, role="assistant", content="", status="streaming")
    with fenced(Fence(cid, "a", old)):
        store.append(owner, reply.id, "written while a held it. ")
    deadline = time.monotonic() + 5
    while (new := store.take_lease(cid, "b", 30)) is None:  # a froze; b takes over
        assert time.monotonic() < deadline
        time.sleep(0.01)
    with fenced(Fence(cid, "a", old)), pytest.raises(LeaseLost, match=f"fence {new}, this writer's {old}"):
        store.append(owner, reply.id, "a woke up")
    with fenced(Fence(cid, "a", old)), pytest.raises(LeaseLost, match=f"fence {new}, this writer's {old}"):
        store.add(owner, cid, role="user", content="nor this")
    with fenced(Fence(cid, "a", old)), pytest.raises(LeaseLost, match=f"fence {new}, this writer's {old}"):
        store.finish(owner, reply.id, content="nor its end")
    with fenced(Fence(cid, "a", old)), pytest.raises(LeaseLost):  # a missing message: the fence first
        store.finish(owner, "missing")
    (message,) = store.path(owner, cid)  # taking it over, b marked what a left streaming
    assert (message.status, message.content) == ("interrupted", "written while a held it. ")
    with fenced(Fence(cid, "b", new)):
        store.add(owner, cid, role="user", content="b writes")
    assert [m.content for m in store.path(owner, cid)] == ["written while a held it. ", "b writes"]


def test_recover_a_conversation_only_when_nobody_writes_it(
    store: Store, conversation: tuple[str, str]
) -> None:
    owner, cid = conversation
    store.take_lease(cid, "a", 30)
    reply = store.add(owner, cid, role="assistant", content="", status="streaming")
    store.append(owner, reply.id, "half an answ")
    assert store.recover_conversation(cid) == 0  # a still writes it
    assert store.recover() == 0  # nor does a restarting process touch it
    store.release_lease(cid, "a")
    assert store.recover_conversation(cid) == 1
    (message,) = store.path(owner, cid)
    assert (message.status, message.content) == ("interrupted", "half an answ")
    assert store.recover_conversation(cid) == 0


def test_taking_a_lease_marks_what_its_last_holder_left_streaming(
    store: Store, conversation: tuple[str, str]
) -> None:
    owner, cid = conversation
    store.take_lease(cid, "dead", 30)
    reply = store.add(owner, cid, role="assistant", content="", status="streaming")
    store.append(owner, reply.id, "as far as it got")
    assert store.take_lease(cid, "alive", 30) is None  # the dead one's lease still lasts: untouched
    assert store.path(owner, cid)[-1].status == "streaming"
    store.release_lease(cid, "dead")  # (or it runs out)
    assert store.take_lease(cid, "alive", 30) is not None
    (message,) = store.path(owner, cid)
    assert (message.id, message.status, message.content) == (reply.id, "interrupted", "as far as it got")
