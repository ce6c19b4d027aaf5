"""The conversation store's front door: ``open_store(url)`` picks the backend; the records, errors and the
Store API are re-exported here, so callers import from this module only.

    store = open_store("sqlite:///chats.db")      # or "memory", or "postgresql://user@host/db"
    owner = store.user(cookie_id)
    conversation = store.create(owner, "bot.py")
    store.add(owner, conversation.id, role="user", content="Hello")
"""

from __future__ import annotations

import os

from reactchat.store_base import Conversation, Message, NotFound, Store, StoreError, display_url

__all__ = ["Conversation", "Message", "NotFound", "Store", "StoreError", "default_url", "open_store"]


def default_url(script_path: str) -> str:
    """The store an app gets without ``--store``: ``.reactchat/<script name>.db`` next to the script."""
    folder = os.path.join(os.path.dirname(os.path.abspath(script_path)), ".reactchat")
    name = os.path.splitext(os.path.basename(script_path))[0]
    return "sqlite:///" + os.path.join(folder, f"{name}.db")


def open_store(url: str) -> Store:
    """Open (creating or migrating as needed) the store at ``url``.

    Args:
        url: ``"memory"`` for a private in-memory SQLite database; ``"sqlite:///relative/path.db"`` or
            ``"sqlite:////absolute/path.db"`` for a file (its folder is created);
            ``"postgresql://user:password@host:port/db"`` (the ``postgres`` extra).

    Raises:
        StoreError: the scheme is unknown, or the store cannot be opened; the message says why.
    """
    if url == "memory" or url.startswith("sqlite:"):
        from reactchat.store_sqlite import SqliteStore, sqlite_path

        try:
            sqlite_path(url)
        except ValueError as error:
            raise StoreError(str(error)) from None
        return SqliteStore(url)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from reactchat.store_postgres import PostgresStore
        except ImportError as error:
            raise StoreError(
                f"{display_url(url)}: PostgreSQL needs psycopg ({error}): pip install 'reactchat[postgres]'"
            ) from None
        return PostgresStore(url)
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise StoreError(
        f"{display_url(url)}: unknown store {scheme!r}: use memory, sqlite:///path.db or postgresql://..."
    )
