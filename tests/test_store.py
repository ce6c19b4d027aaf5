"""The conversation store's contract, run on every backend (the ``store`` fixture: SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime
import itertools
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.store import NotFound, Store, StoreError, open_store

APP = "bot.py"


def raw_execute(url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run one statement on the store's database behind its back."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            connection.execute(sql, params)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


def in_threads(count: int, work: Callable[[int], None]) -> None:
    """Run ``work(i)`` in ``count`` threads started together; re-raise the first error."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- the pure rules


def test_unknown_scheme_is_named() -> None:
    with pytest.raises(StoreError, match="unknown store 'mysql'"):
        open_store("mysql://root@localhost/chat")
    with pytest.raises(StoreError, match="not a SQLite store URL"):
        open_store("sqlite://relative.db")


# --- users and the secret


def test_user_is_upserted_by_identifier(store: Store) -> None:
    alice = store.user("cookie-a", name="Alice")
    assert store.user("cookie-a") == alice  # the name is kept when not given
    assert store.user("cookie-b") != alice
    assert store.user("cookie-a", provider="oidc", email="a@example.org", claims={"groups": ["x"]}) == alice
    with pytest.raises(TypeError, match="claims"):
        store.user("cookie-a", claims={"when": datetime.date.today()})


def test_secret_is_made_once_and_shared_by_every_opening(store: Store, store_url: str) -> None:
    secret = store.secret()
    assert isinstance(secret, bytes) and len(secret) == 32
    with open_store(store_url) as again:
        assert again.secret() == secret


# --- conversations


def test_create_get_rename_delete_restore(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    assert store.get(owner, conversation.id) == conversation
    assert conversation.title is None and conversation.state == {} and conversation.deleted_at is None
    assert store.rename(owner, conversation.id, "  Plans  ")
    renamed = store.get(owner, conversation.id)
    assert renamed is not None and (renamed.title, renamed.title_source) == ("Plans", "user")
    with pytest.raises(ValueError, match="blank"):
        store.rename(owner, conversation.id, " ")
    assert store.delete(owner, conversation.id) and not store.delete(owner, conversation.id)
    assert store.get(owner, conversation.id) is None and store.list(owner, APP) == []
    assert not store.rename(owner, conversation.id, "x")
    assert store.restore(owner, conversation.id) and not store.restore(owner, conversation.id)
    assert store.list(owner, APP)[0].id == conversation.id
    titled = store.create(owner, APP, title="Given")
    assert (titled.title, titled.title_source) == ("Given", "user")
    with pytest.raises(NotFound):
        store.create("no-such-user", APP)


def test_list_pages_by_keyset_over_120_conversations(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = store.user("u")
    other = store.create(store.user("v"), APP)
    elsewhere = store.create(owner, "other.py")
    ticks = itertools.count()
    with monkeypatch.context() as patch:  # three conversations per timestamp: ties must break by id
        patch.setattr(time, "time", lambda: 1_000_000.0 + next(ticks) // 3)
        made = [store.create(owner, APP) for _ in range(120)]
    expected = [c.id for c in sorted(made, key=lambda c: (c.updated_at, c.id), reverse=True)]
    seen: list[str] = []
    before = None
    while page := store.list(owner, APP, limit=25, before=before):
        assert len(page) <= 25
        seen += [c.id for c in page]
        before = (page[-1].updated_at, page[-1].id)
    assert seen == expected
    assert other.id not in seen and elsewhere.id not in seen
    with pytest.raises(ValueError):
        store.list(owner, APP, limit=0)


def test_list_puts_the_conversation_with_the_newest_message_first(store: Store) -> None:
    owner = store.user("u")
    first, second = store.create(owner, APP), store.create(owner, APP)
    assert [c.id for c in store.list(owner, APP)] == [second.id, first.id]
    store.add(owner, first.id, role="user", content="back to this one")
    assert [c.id for c in store.list(owner, APP)] == [first.id, second.id]


def test_search_finds_titles_and_message_text_of_the_owner_only(store: Store) -> None:
    owner, stranger = store.user("u"), store.user("v")
    bread = store.create(owner, APP, title="Sourdough starter")
    trip = store.create(owner, APP)
    store.add(owner, trip.id, role="user", content="Plan a trip to Kyōto in spring")
    store.add(owner, trip.id, role="assistant", content=[{"type": "text", "text": "Cherry blossoms peak"}])
    theirs = store.create(stranger, APP, title="Sourdough secrets")
    store.add(stranger, theirs.id, role="user", content="cherry pie")

    def found(query: str, who: str = owner) -> list[str]:
        return [c.id for c in store.search(who, APP, query)]

    assert found("sourdough") == [bread.id]
    assert found("SOURD") == [bread.id]  # a prefix, any case
    assert found("cherry") == [trip.id]  # an assistant's text part
    assert found("kyoto spring") == found("Kyōto") == [trip.id]  # every word; accents folded
    assert found("cherry sourdough") == []
    assert found("sourdough", stranger) == [theirs.id]
    assert store.search(owner, "other.py", "sourdough") == []
    store.rename(owner, bread.id, "Rye bread")
    assert found("sourdough") == [] and found("rye") == [bread.id]
    store.delete(owner, trip.id)
    assert found("cherry") == []


@pytest.mark.parametrize(
    "query",
    ['"', "'", '"unclosed', "a AND OR NOT b", "*", "-x", "title:x", "NEAR(a b)", "(", "a & b | !c", "\\",
     "x:*", "'); DROP TABLE messages; --", "", "   ", "^start", "{a b}", "%_"],
)  # fmt: skip
def test_search_takes_any_text(store: Store, query: str) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP, title="start title x b c")
    results = store.search(owner, APP, query)
    assert results in ([], [store.get(owner, conversation.id)])


def test_state_is_kept_and_must_be_json(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    state = {"model": "small", "temperature": 0.5, "tags": ["a", None], "nested": {"on": True}}
    store.set_state(owner, conversation.id, state)
    got = store.get(owner, conversation.id)
    assert got is not None and got.state == state
    with pytest.raises(TypeError, match=r"state\['when'\] is a datetime"):
        store.set_state(owner, conversation.id, {"when": datetime.datetime.now()})
    with pytest.raises(TypeError, match=r"state\['ids'\] is a set"):
        store.set_state(owner, conversation.id, {"ids": {1, 2}})
    with pytest.raises(NotFound):
        store.set_state(owner, "missing", {})


# --- messages


def test_another_owners_ids_behave_like_missing_ones(store: Store) -> None:
    owner, stranger = store.user("u"), store.user("v")
    conversation = store.create(owner, APP, title="private")
    message = store.add(owner, conversation.id, role="user", content="secret")
    stream = store.add(owner, conversation.id, role="assistant", content="", status="streaming")
    assert store.get(stranger, conversation.id) is None
    assert store.path(stranger, conversation.id) == []
    assert store.list(stranger, APP) == [] and store.search(stranger, APP, "private secret") == []
    assert not store.rename(stranger, conversation.id, "mine")
    assert not store.delete(stranger, conversation.id)
    assert not store.set_leaf(stranger, conversation.id, message.id)
    store.delete(owner, conversation.id)
    assert not store.restore(stranger, conversation.id)
    store.restore(owner, conversation.id)
    for call in [
        lambda: store.add(stranger, conversation.id, role="user", content="x"),
        lambda: store.append(stranger, stream.id, "x"),
        lambda: store.finish(stranger, stream.id),
        lambda: store.set_feedback(stranger, message.id, "Like"),
        lambda: store.set_state(stranger, conversation.id, {"x": 1}),
    ]:
        with pytest.raises(NotFound):
            call()
    assert [m.content for m in store.path(owner, conversation.id)] == ["secret", ""]
    assert store.get(owner, conversation.id) is not None


# --- many threads


def test_100_threads_appending_at_once_lose_nothing(store: Store) -> None:
    owner = store.user("u")
    conversation = store.create(owner, APP)
    reply = store.add(owner, conversation.id, role="assistant", content="", status="streaming")
    in_threads(100, lambda i: [store.append(owner, reply.id, f"<{i}.{j}>") for j in range(3)])
    text = store.path(owner, conversation.id)[-1].content
    for i in range(100):  # every delta, each thread's in its order
        assert text.index(f"<{i}.0>") < text.index(f"<{i}.1>") < text.index(f"<{i}.2>")
    assert len(store.finish(owner, reply.id).content) == len(text)


def test_threads_writing_to_shared_and_own_conversations(store: Store) -> None:
    owner = store.user("u")
    shared = store.create(owner, APP)

    def work(i: int) -> None:
        mine = store.create(owner, APP)
        for j in range(10):
            store.add(owner, mine.id, role="user", content=f"{i}-{j}")
            store.add(owner, shared.id, role="user", content=f"{i}-{j}")
            assert len(store.path(owner, mine.id)) == j + 1

    in_threads(8, work)
    path = store.path(owner, shared.id)
    assert len(path) == 80  # one chain: each add followed the leaf the previous one left
    assert all(m.parent_id == p.id for p, m in itertools.pairwise(path))
    assert len(store.list(owner, APP, limit=100)) == 9


# --- the store itself


def test_a_closed_store_says_so(store: Store) -> None:
    owner = store.user("u")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.create(owner, APP)
    with pytest.raises(StoreError) as raised:
        store.list(owner, APP)
    assert str(raised.value).startswith(f"{store.name}: listing conversations failed")
