"""Migrations: ordered per dialect, applied when a store opens; a newer database is refused."""

from __future__ import annotations

import pytest

from reactchat.migrations import latest, pending
from reactchat.store import Store, StoreError, open_store
from tests.test_store import raw_execute


def test_a_newer_schema_is_refused(store: Store, store_url: str) -> None:
    store.close()
    raw_execute(store_url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schema version 99 is newer than this reactchat's \(1\)"):
        open_store(store_url)


def test_pending_lists_what_a_database_lacks_in_order() -> None:
    for dialect in ("sqlite", "postgresql"):
        assert len(pending(dialect, 0)) == latest(dialect) >= 1
        assert pending(dialect, latest(dialect)) == []
