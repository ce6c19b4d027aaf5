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
from reactchat.store_base import auto_title, check_json, display_url, new_id, plain_text

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


def test_ids_are_unique_and_sort_in_creation_order() -> None:
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 26 for i in ids)


def test_auto_title_is_one_line_of_at_most_60_characters_cut_at_a_word() -> None:
    assert auto_title("  Hello\n  there ") == "Hello there"
    assert auto_title(" \n ") is None
    long = "How do I bake a sourdough bread at home with rye flour and a very old starter?"
    title = auto_title(long)
    assert title == "How do I bake a sourdough bread at home with rye flour and…"
    assert title is not None and len(title) <= 60 and long.startswith(title[:-1])
    assert auto_title("x" * 100) == "x" * 59 + "…"
    assert auto_title("a" * 60) == "a" * 60


def test_check_json_names_the_key() -> None:
    check_json({"a": [1, 2.5, None, True, {"b": "c"}]}, "state")
    with pytest.raises(TypeError, match=r"state\['a'\]\[1\]\['when'\] is a datetime"):
        check_json({"a": [0, {"when": datetime.datetime.now()}]}, "state")
    with pytest.raises(TypeError, match="nan"):
        check_json({"x": float("nan")}, "state")
    with pytest.raises(TypeError, match="the key 1"):
        check_json({1: "x"}, "state")


def test_plain_text_of_parts() -> None:
    assert plain_text("hi") == "hi"
    assert plain_text(["a", {"type": "text", "text": "b"}, {"type": "image", "url": "x"}]) == "a\nb"


def test_display_url_hides_passwords() -> None:
    assert display_url("postgresql://bob:s3cret@db:5432/chat") == "postgresql://bob:***@db:5432/chat"
    assert display_url("host=db password=s3cret") == "host=db password=***"
    assert display_url("sqlite:///a.db") == "sqlite:///a.db"


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


def test_a_newer_schema_is_refused(store: Store, store_url: str) -> None:
    store.close()
    raw_execute(store_url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 99 is newer than this reactchat's \(1\)"):
        open_store(store_url)


def test_a_closed_store_says_so(store: Store) -> None:
    owner = store.user("u")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.create(owner, APP)
    with pytest.raises(StoreError) as raised:
        store.list(owner, APP)
    assert str(raised.value).startswith(f"{store.name}: listing conversations failed")
