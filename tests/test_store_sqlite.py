"""The SQLite store: its file, its pragmas, two stores on one file, and the errors of a bad file or folder."""

from __future__ import annotations

import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator

import pytest

from reactchat.store import StoreError, open_store
from reactchat.store_sqlite import SqliteStore
from tests.test_store import APP, in_threads


def test_a_file_store_is_in_wal_mode_with_its_pragmas(tmp_path: pathlib.Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/a/b/chats.db") as store:
        assert isinstance(store, SqliteStore)
        with store.transaction(write=False) as tx:
            assert tx.one("PRAGMA journal_mode")[0] == "wal"
            assert tx.one("PRAGMA synchronous")[0] == 1  # NORMAL
            assert tx.one("PRAGMA foreign_keys")[0] == 1
            assert tx.one("PRAGMA busy_timeout")[0] >= 1000
    assert (tmp_path / "a" / "b" / "chats.db").is_file()


def test_a_relative_path_is_from_the_working_folder(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///data/chats.db") as store:
        store.user("u")
    assert (tmp_path / "data" / "chats.db").is_file()


def test_memory_stores_are_private() -> None:
    with open_store("memory") as one, open_store("memory") as two:
        owner = one.user("u")
        conversation = one.create(owner, APP)
        one.add(owner, conversation.id, role="user", content="hi")
        assert [m.content for m in one.path(owner, conversation.id)] == ["hi"]
        assert two.list(two.user("u"), APP) == [] and one.secret() != two.secret()


def test_two_stores_on_one_file_write_at_once(tmp_path: pathlib.Path) -> None:
    """Two Store objects are two processes' worth: separate writers, one file, SQLite's lock between them."""
    url = f"sqlite:///{tmp_path}/chats.db"
    with open_store(url) as first, open_store(url) as second:
        owner = first.user("u")
        shared = first.create(owner, APP)
        stream = first.add(owner, shared.id, role="assistant", content="", status="streaming")

        def work(i: int) -> None:
            store = (first, second)[i % 2]
            mine = store.create(owner, APP)
            for j in range(15):
                store.add(owner, mine.id, role="user", content=f"{i}-{j}")
                store.append(owner, stream.id, f"<{i}.{j}>")
                store.list(owner, APP)

        in_threads(8, work)
        text = second.finish(owner, stream.id).content
        assert all(f"<{i}.{j}>" in text for i in range(8) for j in range(15))
        assert len(first.list(owner, APP, limit=100)) == 9
        assert first.secret() == second.secret()


def test_the_search_index_follows_renames(tmp_path: pathlib.Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/chats.db") as store:
        owner = store.user("u")
        conversation = store.create(owner, APP, title="alpha")
        store.rename(owner, conversation.id, "beta")
        assert store.search(owner, APP, "alpha") == [] and len(store.search(owner, APP, "beta")) == 1
        with store.transaction(write=True) as tx:  # the external-content index is consistent
            tx.run("INSERT INTO conversation_fts(conversation_fts) VALUES ('integrity-check')")


def test_a_word_in_many_messages_finds_the_same_through_the_owners_conversations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with open_store("memory") as store:
        owner, stranger = store.user("u"), store.user("v")
        ids = []
        for n in range(6):
            conversation = store.create(owner, APP, title=f"chat {n}")
            store.add(owner, conversation.id, role="user", content="stream " * (n % 3 == 0) + "words")
            ids.append(conversation.id)
        theirs = store.create(stranger, APP)
        store.add(stranger, theirs.id, role="user", content="stream")
        store.delete(owner, ids[3])
        rare = [c.id for c in store.search(owner, APP, "stream")]
        monkeypatch.setattr("reactchat.store_sqlite.COMMON", 2)  # three messages hold it: a common word now
        assert [c.id for c in store.search(owner, APP, "stream")] == rare == [ids[0]]
        assert [c.id for c in store.search(owner, APP, "words", limit=2)] == [ids[5], ids[4]]


def test_a_folder_that_cannot_be_made_is_named(tmp_path: pathlib.Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    url = f"sqlite:///{tmp_path}/file/sub/chats.db"
    with pytest.raises(StoreError) as raised:
        open_store(url)
    message = str(raised.value)
    assert message.startswith(url) and "cannot create the folder" in message and "\n" not in message


def test_a_corrupt_file_is_refused(tmp_path: pathlib.Path) -> None:
    (tmp_path / "chats.db").write_bytes(os.urandom(8192))
    with pytest.raises(StoreError, match=r"^sqlite:///.*chats\.db: .*not a database"):
        open_store(f"sqlite:///{tmp_path}/chats.db")


def _open_as_nobody(url: str) -> str:
    """Open ``url`` in a child process without root's powers; what it printed (the error, or "opened")."""
    code = textwrap.dedent(f"""
        import os
        from reactchat.store import StoreError, open_store
        import reactchat.store_sqlite
        if os.getuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        try:
            open_store({url!r}).close()
            print("opened")
        except StoreError as error:
            print(error)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def open_folder() -> Iterator[pathlib.Path]:
    """A folder that anyone may enter and read (pytest's tmp_path is root's alone)."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="reactchat-store-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_a_read_only_file_is_refused(open_folder: pathlib.Path) -> None:
    url = f"sqlite:///{open_folder}/chats.db"
    open_store(url).close()
    (open_folder / "chats.db").chmod(0o444)
    message = _open_as_nobody(url)
    assert message.startswith(url + ": ") and "readonly" in message.replace("read-only", "readonly")
    assert "\n" not in message


def test_an_unwritable_folder_is_refused(open_folder: pathlib.Path) -> None:
    folder = open_folder / "locked"
    folder.mkdir(mode=0o555)
    url = f"sqlite:///{folder}/chats.db"
    message = _open_as_nobody(url)
    assert message.startswith(url + ": cannot open the database: unable to open database file")


def test_the_writer_is_closed_when_opening_fails(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path}/chats.db"
    open_store(url).close()
    with sqlite3.connect(tmp_path / "chats.db") as connection:
        connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer"):
        open_store(url)
    os.rename(tmp_path / "chats.db", tmp_path / "moved.db")  # nothing holds the file open


def test_json_columns_are_read_at_once_and_a_value_that_is_not_one_is_refused(tmp_path: pathlib.Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        assert isinstance(store, SqliteStore)
        values = [store.json_in(v) for v in ("text", {"a": [1, None]}, None, 'quote " and \\ and ,]')]
        assert store.json_all(values) == ["text", {"a": [1, None]}, None, 'quote " and \\ and ,]']
        with pytest.raises(ValueError, match="not one JSON value"):
            store.json_all(["1,2", "3"])  # (only a hand-made row could hold it)
