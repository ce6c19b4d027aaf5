"""Migrations: ordered per dialect, applied when a store opens; a newer database is refused."""

from __future__ import annotations

import pytest

from reactchat.migrations import latest, pending
from reactchat.store import Store, StoreError, open_store
from tests.test_store import raw_execute


def test_a_newer_schema_is_refused(store: Store, store_url: str) -> None:
    store.close()
    raw_execute(store_url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    newest = latest("sqlite")
    with pytest.raises(StoreError, match=rf"schema version 99 is newer than this reactchat's \({newest}\)"):
        open_store(store_url)


def test_a_database_of_an_earlier_version_is_brought_up_to_date_keeping_its_data(
    store: Store, store_url: str
) -> None:
    owner = store.user("ann")
    conversation = store.create(owner, "app")
    store.add(owner, conversation.id, role="user", content="hello")
    store.close()
    raw_execute(store_url, "DROP TABLE renders")  # as version 1 left it
    raw_execute(store_url, "DROP TABLE files")
    raw_execute(store_url, "ALTER TABLE messages DROP COLUMN viewed_at")
    raw_execute(store_url, "UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with open_store(store_url) as again:
        assert [m.content for m in again.path(owner, conversation.id)] == ["hello"]
        kept = again.add_file(owner, conversation.id, data=b"x", name="x.txt", mime="text/plain")
        assert again.file(owner, kept.id) == (kept, b"x")
        again.keep_renders(owner, conversation.id, {"k": "<p>hello</p>"})
        assert again.renders(owner, conversation.id) == {"k": "<p>hello</p>"}


def test_pending_lists_what_a_database_lacks_in_order() -> None:
    for dialect in ("sqlite", "postgresql"):
        assert len(pending(dialect, 0)) == latest(dialect) >= 1
        assert pending(dialect, latest(dialect)) == []
