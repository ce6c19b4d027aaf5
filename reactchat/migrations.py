"""The conversation store's schema: ordered migration scripts for each SQL dialect.

A database's ``meta.schema_version`` counts the scripts applied to it. A store applies the rest when it
opens, in one transaction under a lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so
processes starting together migrate once. A later change is a new script at the end of both lists: never
edit one that has shipped.
"""

from __future__ import annotations

import unicodedata

__all__ = ["FOLD_FROM", "FOLD_TO", "PRELUDE", "SCRIPTS", "latest", "pending"]


def _fold_table() -> tuple[str, str]:
    """Accented Latin letters and their plain ones, for PostgreSQL's ``translate`` (FTS5 folds by itself).
    Unicode never changes these decompositions, so scripts built from them stay the same."""
    pairs = [(chr(c), unicodedata.normalize("NFKD", chr(c))[0]) for c in range(0xC0, 0x180)]
    kept = [(char, base) for char, base in pairs if base != char and base.isascii() and base.isalpha()]
    return "".join(char for char, _ in kept), "".join(base for _, base in kept)


FOLD_FROM, FOLD_TO = _fold_table()

# Run before reading the version, inside the migration's transaction.
PRELUDE: dict[str, list[str]] = {
    "sqlite": ["CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"],
    "postgresql": [
        "SELECT pg_advisory_xact_lock(hashtext('reactchat.schema ' || coalesce(current_schema(), '')))",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
}

_STATUS_CHECK = "CHECK (status IN ('done', 'streaming', 'stopped', 'interrupted', 'error'))"


def _fts_triggers(table: str, column: str) -> list[str]:
    """Keep an external-content FTS5 index of ``table.column`` in step with the table."""
    index, old_del = f"{table[:-1]}_fts", f"INSERT INTO {table[:-1]}_fts({table[:-1]}_fts, rowid, {column})"
    return [
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.{column} IS NOT NULL BEGIN "
        f"INSERT INTO {index}(rowid, {column}) VALUES (new.rid, new.{column}); END",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {column} ON {table} BEGIN "
        f"{old_del} SELECT 'delete', old.rid, old.{column} WHERE old.{column} IS NOT NULL; "
        f"INSERT INTO {index}(rowid, {column}) SELECT new.rid, new.{column} WHERE new.{column} IS NOT NULL; "
        "END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.{column} IS NOT NULL BEGIN "
        f"{old_del} VALUES ('delete', old.rid, old.{column}); END",
    ]


# SQLite: JSON as TEXT, times as REAL seconds. Conversations and messages have an integer `rid` besides
# their id: FTS5's external-content tables need a stable integer rowid (VACUUM renumbers implicit ones).
SQLITE: list[list[str]] = [
    [
        """CREATE TABLE users (
            id TEXT PRIMARY KEY, identifier TEXT NOT NULL UNIQUE, provider TEXT NOT NULL, name TEXT,
            email TEXT, claims TEXT, password_hash TEXT, auth_epoch INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL, last_seen_at REAL NOT NULL)""",
        """CREATE TABLE conversations (
            rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner_id TEXT NOT NULL REFERENCES users(id),
            app TEXT NOT NULL, title TEXT, title_source TEXT CHECK (title_source IN ('auto', 'user')),
            active_leaf_id TEXT, state TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL,
            updated_at REAL NOT NULL, deleted_at REAL, lease_owner TEXT, lease_until REAL,
            fence INTEGER NOT NULL DEFAULT 0)""",
        """CREATE INDEX conversations_listing ON conversations (owner_id, app, updated_at DESC, id DESC)
            WHERE deleted_at IS NULL""",
        f"""CREATE TABLE messages (
            rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE, role TEXT NOT NULL,
            content TEXT NOT NULL, text TEXT, metadata TEXT, status TEXT NOT NULL {_STATUS_CHECK},
            author_id TEXT REFERENCES users(id), origin TEXT, created_at REAL NOT NULL,
            updated_at REAL NOT NULL, UNIQUE (conversation_id, origin))""",
        "CREATE INDEX messages_tree ON messages (conversation_id, parent_id, id)",
        "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
        """CREATE TABLE message_deltas (
            message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
            delta TEXT NOT NULL, PRIMARY KEY (message_id, seq)) WITHOUT ROWID""",
        """CREATE TABLE feedback (
            message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id), value TEXT NOT NULL, comment TEXT,
            updated_at REAL NOT NULL, PRIMARY KEY (message_id, user_id)) WITHOUT ROWID""",
        """CREATE VIRTUAL TABLE conversation_fts USING fts5(title, content='conversations',
            content_rowid='rid', tokenize='unicode61 remove_diacritics 2')""",
        """CREATE VIRTUAL TABLE message_fts USING fts5(text, content='messages', content_rowid='rid',
            tokenize='unicode61 remove_diacritics 2')""",
        *_fts_triggers("conversations", "title"),
        *_fts_triggers("messages", "text"),
    ],
    [  # 2: files kept with a conversation (attachments, media a message showed)
        """CREATE TABLE files (
            id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            name TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL,
            created_at REAL NOT NULL)""",
        "CREATE INDEX files_conversation ON files (conversation_id)",
    ],
    [  # 3: when a message was last the end of the branch on screen (each branch's memory)
        "ALTER TABLE messages ADD COLUMN viewed_at REAL",
    ],
    [  # 4: rendered message text kept with its conversation, so a new process opens it without rendering
        """CREATE TABLE renders (
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, key TEXT NOT NULL,
            props TEXT NOT NULL, used_at REAL NOT NULL, PRIMARY KEY (conversation_id, key)) WITHOUT ROWID""",
        "CREATE INDEX renders_used ON renders (used_at)",
    ],
]


def _tsvector(column: str) -> str:
    return f"to_tsvector('simple', translate(coalesce({column}, ''), '{FOLD_FROM}', '{FOLD_TO}'))"


# PostgreSQL: JSONB, BIGINT, times as DOUBLE PRECISION seconds; search by generated tsvector columns.
POSTGRESQL: list[list[str]] = [
    [
        """CREATE TABLE users (
            id TEXT PRIMARY KEY, identifier TEXT NOT NULL UNIQUE, provider TEXT NOT NULL, name TEXT,
            email TEXT, claims JSONB, password_hash TEXT, auth_epoch BIGINT NOT NULL DEFAULT 0,
            created_at DOUBLE PRECISION NOT NULL, last_seen_at DOUBLE PRECISION NOT NULL)""",
        f"""CREATE TABLE conversations (
            id TEXT PRIMARY KEY, owner_id TEXT NOT NULL REFERENCES users(id), app TEXT NOT NULL,
            title TEXT, title_source TEXT CHECK (title_source IN ('auto', 'user')), active_leaf_id TEXT,
            state JSONB NOT NULL DEFAULT '{{}}', created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL, deleted_at DOUBLE PRECISION, lease_owner TEXT,
            lease_until DOUBLE PRECISION, fence BIGINT NOT NULL DEFAULT 0,
            tsv tsvector GENERATED ALWAYS AS ({_tsvector("title")}) STORED)""",
        """CREATE INDEX conversations_listing ON conversations (owner_id, app, updated_at DESC, id DESC)
            WHERE deleted_at IS NULL""",
        "CREATE INDEX conversations_search ON conversations USING GIN (tsv)",
        f"""CREATE TABLE messages (
            id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE, role TEXT NOT NULL,
            content JSONB NOT NULL, text TEXT, metadata JSONB, status TEXT NOT NULL {_STATUS_CHECK},
            author_id TEXT REFERENCES users(id), origin TEXT, created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            tsv tsvector GENERATED ALWAYS AS ({_tsvector("text")}) STORED,
            UNIQUE (conversation_id, origin))""",
        "CREATE INDEX messages_tree ON messages (conversation_id, parent_id, id)",
        "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
        "CREATE INDEX messages_search ON messages USING GIN (tsv)",
        """CREATE TABLE message_deltas (
            message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, seq BIGINT NOT NULL,
            delta TEXT NOT NULL, PRIMARY KEY (message_id, seq))""",
        """CREATE TABLE feedback (
            message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id), value TEXT NOT NULL, comment TEXT,
            updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (message_id, user_id))""",
    ],
    [  # 2: files kept with a conversation (attachments, media a message showed)
        """CREATE TABLE files (
            id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            name TEXT NOT NULL, mime TEXT NOT NULL, size BIGINT NOT NULL, data BYTEA NOT NULL,
            created_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX files_conversation ON files (conversation_id)",
    ],
    [  # 3: when a message was last the end of the branch on screen (each branch's memory)
        "ALTER TABLE messages ADD COLUMN viewed_at DOUBLE PRECISION",
    ],
    [  # 4: rendered message text kept with its conversation (TEXT, not JSONB: it is only ever read whole)
        """CREATE TABLE renders (
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, key TEXT NOT NULL,
            props TEXT NOT NULL, used_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (conversation_id, key))""",
        "CREATE INDEX renders_used ON renders (used_at)",
    ],
]

SCRIPTS: dict[str, list[list[str]]] = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def latest(dialect: str) -> int:
    """The schema version this code writes for ``dialect``."""
    return len(SCRIPTS[dialect])


def pending(dialect: str, version: int) -> list[list[str]]:
    """The scripts a database at ``version`` still needs (none when it is newer: the caller refuses it)."""
    return SCRIPTS[dialect][version:]
