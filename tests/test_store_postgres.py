"""The PostgreSQL store: a bounded pool closed by close(), one migration for many openers, a server that is
down, and passwords kept out of messages."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from reactchat.migrations import latest
from reactchat.store import Store, StoreError, open_store
from reactchat.store_postgres import PostgresStore
from tests.db_proxy import DbProxy, answers
from tests.serving import wait_for
from tests.test_store import APP, in_threads


def test_a_server_that_is_down_is_named_without_its_password() -> None:
    url = "postgresql://chat:hunter2@127.0.0.1:1/chat"  # nothing listens on port 1
    with pytest.raises(StoreError) as raised:
        open_store(url)
    message = str(raised.value)
    assert message.startswith("postgresql://chat:***@127.0.0.1:1/chat: cannot connect: ")
    assert "hunter2" not in message and "\n" not in message


def test_the_pool_is_bounded_and_closed_with_the_store(postgres_url: str) -> None:
    store = open_store(postgres_url)
    assert isinstance(store, PostgresStore) and store.pool.max_size == 4
    owner = store.user("u")
    conversation = store.create(owner, APP)
    sizes: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(10):
            store.add(owner, conversation.id, role="user", content=str(i))
            store.path(owner, conversation.id)
            with lock:
                sizes.append(store.pool.get_stats()["pool_size"])

    in_threads(16, work)
    assert max(sizes) <= 4 and len(store.path(owner, conversation.id)) == 160
    store.close()
    assert store.pool.closed
    with pytest.raises(StoreError, match="closed"):
        store.get(owner, conversation.id)


def test_stores_opening_a_new_schema_together_migrate_it_once(postgres_url: str) -> None:
    stores: list[Store] = []
    in_threads(5, lambda i: stores.append(open_store(postgres_url)))
    try:
        assert len({s.secret() for s in stores}) == 1
        with psycopg.connect(postgres_url) as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert row == (str(latest("postgresql")),)
    finally:
        for store in stores:
            store.close()


def test_a_connection_the_server_dropped_is_replaced_unseen(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        assert isinstance(store, PostgresStore)
        owner = store.user("u")
        assert store.pool.get_stats()["pool_size"] == 1
        with store.pool.connection() as connection:
            pid = connection.info.backend_pid
        with psycopg.connect(
            postgres_url, autocommit=True
        ) as admin:  # the server drops the pool's connection
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert store.create(owner, APP).owner_id == owner  # the pool checked it and connected again


def test_processes_on_one_store_wake_each_other_with_ids_only(postgres_url: str) -> None:
    from reactchat.store_postgres import PostgresStore

    heard: list[tuple[str, str]] = []
    got = threading.Event()

    def receive(kind: str, ident: str) -> None:
        heard.append((kind, ident))
        got.set()

    with PostgresStore(postgres_url) as listener, PostgresStore(postgres_url) as teller:
        stop = listener.listen(receive)
        listener.notify("c", "mine")  # its own: not delivered back to it
        deadline = time.monotonic() + 10
        while not got.is_set():  # LISTEN takes effect once the listener's connection is up: tell until heard
            assert time.monotonic() < deadline, heard
            teller.notify("c", "01HXCONVERSATION")
            got.wait(0.2)
        assert set(heard) == {("c", "01HXCONVERSATION")}
        stop()


def test_telling_the_others_goes_on_after_the_database_was_away(postgres_url: str) -> None:
    # The teller's thread once died of the first failure while the database was away, and no later change
    # was ever told again.
    heard: list[str] = []
    proxy = DbProxy()
    with PostgresStore(postgres_url) as listener, PostgresStore(proxy.url(postgres_url)) as teller:
        stop = listener.listen(lambda kind, ident: heard.append(ident))
        try:
            wait_for(lambda: teller.notify("c", "before") or "before" in heard, 10)
            proxy.cut()
            teller.notify("c", "while away")  # its thread fails to send it (logged), and lives on
            wait_for(lambda: not answers(teller), 10)
            proxy.restore()
            wait_for(lambda: teller.notify("c", "after") or "after" in heard, 15)
        finally:
            stop()
            proxy.close()


def test_a_database_gone_away_is_said_at_once_and_served_again_when_back(postgres_url: str) -> None:
    proxy = DbProxy()
    store = open_store(proxy.url(postgres_url))
    try:
        owner = store.user("u")
        conversation = store.create(owner, APP)
        store.add(owner, conversation.id, role="user", content="before")
        proxy.cut()
        for _ in range(2):  # found out on a dead connection, then at once while it stays away
            with pytest.raises(
                StoreError, match="the database cannot be reached: connection failed"
            ) as raised:
                store.add(owner, conversation.id, role="user", content="while away")
            assert "after 30" not in str(raised.value)  # not the pool's wait for a connection
        proxy.restore()
        wait_for(lambda: _adds(store, owner, conversation.id), 15)
        assert [m.content for m in store.path(owner, conversation.id)] == ["before", "after"]
    finally:
        store.close()
        proxy.close()


def _adds(store: Store, owner: str, conversation_id: str) -> bool:
    try:
        store.add(owner, conversation_id, role="user", content="after")
    except StoreError:
        return False
    return True
