"""The appender: streamed text of many runs written a batch at a time, each delta under its own run's fence,
each caller told of its own delta's fate once its batch is committed."""

from __future__ import annotations

import contextlib
import threading

import pytest

from reactchat.appender import appender_for
from reactchat.leases import Fence, LeaseLost, fenced
from reactchat.store import NotFound, Store, open_store


def streaming(store: Store, owner: str, holder: str | None = None) -> tuple[str, Fence | None]:
    """A new conversation with a streaming reply (its lease taken by ``holder``, if given): the reply's id and
    the fence to write it under."""
    conversation = store.create(owner, "app").id
    number = store.take_lease(conversation, holder, 30) if holder else None
    reply = store.add(owner, conversation, role="assistant", content="", status="streaming")
    return reply.id, None if number is None else Fence(conversation, holder or "", number)


def last_text(store: Store, owner: str) -> str:
    conversation = store.list(owner, "app")[0].id
    return str(store.path(owner, conversation)[-1].content)


def test_every_runs_text_is_stored_whole_and_in_order(store: Store) -> None:
    owner = store.user("u")
    appender = appender_for(store)
    assert appender_for(store) is appender
    runs = [streaming(store, owner, f"worker-{i}") for i in range(8)]
    failures: list[BaseException] = []

    def run(reply: str, fence: Fence | None) -> None:
        try:
            with fenced(fence) if fence else contextlib.nullcontext():
                for i in range(25):
                    appender.append(owner, reply, f"<{i}>")
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=r) for r in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    expected = "".join(f"<{i}>" for i in range(25))
    assert [store.finish(owner, reply).content for reply, _ in runs] == [expected] * len(runs)


def test_an_append_returns_once_another_store_object_reads_it(store_url: str) -> None:
    with open_store(store_url) as writer, open_store(store_url) as reader:
        owner = writer.user("u")
        reply, _ = streaming(writer, owner)
        appender_for(writer).append(owner, reply, "committed")
        assert last_text(reader, owner) == "committed"


def test_each_delta_has_its_own_fate(store: Store) -> None:
    owner = store.user("u")
    appender = appender_for(store)
    kept, kept_fence = streaming(store, owner, "a")
    lost, lost_fence = streaming(store, owner, "a")
    assert kept_fence is not None and lost_fence is not None
    store.release_lease(lost_fence.conversation_id, "a")
    assert store.take_lease(lost_fence.conversation_id, "b", 30) == lost_fence.number + 1  # b took it over
    with fenced(kept_fence):
        appender.append(owner, kept, "mine")
    with fenced(lost_fence), pytest.raises(LeaseLost, match="refused: the lease of conversation"):
        appender.append(owner, lost, "a froze, and woke up")
    with pytest.raises(NotFound):
        appender.append(owner, "missing", "x")
    with pytest.raises(NotFound):
        appender.append(store.user("stranger"), kept, "not theirs")
    assert store.finish(owner, kept).content == "mine"
    with pytest.raises(ValueError, match="not streaming"):
        appender.append(owner, kept, "late")


def test_a_closed_store_fails_the_append(store_url: str) -> None:
    store = open_store(store_url)
    owner = store.user("u")
    reply, _ = streaming(store, owner)
    store.close()
    with pytest.raises(Exception, match="closed"):  # told, not left waiting
        appender_for(store).append(owner, reply, "x")
