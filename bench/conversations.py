"""Section 6: stored conversations (``rc.conversation()``) on SQLite (a temporary file) and PostgreSQL
(``REACTCHAT_TEST_POSTGRES``, a fresh schema per store, dropped afterwards).

For each backend: a short turn at 1,000 stored messages (bytes, and the worker's CPU with the store's writes
in it); a 2,000-token reply streamed inside ``conv.reply()`` against the same stream without a store;
opening the 1,000-message conversation in a new tab (headless); and a store of 10,000 conversations built
with bulk SQL (1,000,000 messages on SQLite, 100,000 on PostgreSQL): the first page of the list, searches,
and opening a 100-message conversation there and in an otherwise empty store. Then 100 sessions streaming
at once on the default SQLite store (``.reactchat/<script>.db``), and the new tab in Chromium.

The bulk build writes the store's own tables directly, in one transaction, as ``Store.add`` would (ids,
parents, active leaf, automatic titles); it drops the search triggers or indexes for the load and makes
them again (a SQLite FTS5 ``rebuild``, PostgreSQL's ``CREATE INDEX``), then runs ``ANALYZE`` on PostgreSQL
as autovacuum would after such a load. Messages there are short (9 words): what is measured is the number
of rows, not their length.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import gc
import logging
import os
import random
import secrets
import sqlite3
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from bench import headless
from bench.apps import Apps
from bench.corpus import _WORDS, make_history, stream_tokens
from bench.report import Section, kb, median, ms, p90
from reactchat.appender import appender_for
from reactchat.listing import PAGE
from reactchat.markdown import forget
from reactchat.ops import NOTE, apply, empty_root
from reactchat.renders import TAIL, written
from reactchat.store import Store, default_url, open_store
from reactchat.store_base import auto_title, new_id, plain_text
from reactchat.store_sql import SqlStore
from reactchat.testing import ChatTest
from reactchat.transcript import Transcript

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"  # as tests/conftest.py

STORED = 1000  # messages in the conversation a turn adds to
WARMUP_TURNS = 3
TURNS = 30
BYTES_TARGET = 300
CPU_TARGET = 0.010
STREAM_TOKENS = 2000
STREAM_DELAY = 0.002  # as section 3
STREAM_RATIO_TARGET = 1.2
OPEN_TARGET = 0.300
OPEN_RUNS = 5
LONG = 10_000  # messages in the long transcript (SQLite only)
LONG_OPEN_TARGET = 1.0
LONG_TURNS = 10

BIG_OWNERS = 100
BIG_CONVERSATIONS = 10_000  # the probe among them
BIG_PER_CONVERSATION = {"sqlite": 100, "postgresql": 10}  # 1,000,000 and 100,000 messages
PROBE_MESSAGES = 100
RARE_WORDS = 5000
BIG_TEXTS = 10_007  # distinct synthetic texts; message n gets text hash(n) % BIG_TEXTS
LIST_TARGET = 0.020
SEARCH_TARGET = 0.100
OPEN_RATIO_TARGET = 1.5
QUERY_RUNS = 15

SESSIONS = 100
SESSION_TOKENS = 200
SESSIONS_TIMEOUT = 120.0
BROWSER_TIMEOUT = 90.0
BROWSER_PART_TIMEOUT = 300.0  # the Chromium rows in all: 1,000 messages three ways, 10,000 after a restart

# History seeds (bench.corpus) no earlier section renders, so a first open meets a cold render cache.
SEEDS = {"sqlite": 21, "postgresql": 22, "browser": 23, "probe": 24, "long": 25}


# -- stores -------------------------------------------------------------------------------------------------


def postgres_base() -> str:
    return os.environ.get("REACTCHAT_TEST_POSTGRES", POSTGRES_URL)


def postgres_unavailable(url: str) -> str | None:
    """Why PostgreSQL cannot be used here, or None."""
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as error:  # psycopg missing, or the server down
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"PostgreSQL is not reachable at {url} ({first}); `make postgres` starts the local one"
    return None


class Stores:
    """Fresh empty stores of one backend: files in a temporary folder, or schemas of their own (named in
    the URL's search_path and application_name) that ``close`` drops."""

    def __init__(self, dialect: str, folder: str) -> None:
        self.dialect = dialect
        self.folder = folder
        self.schemas: list[str] = []
        self.opened: list[Store] = []

    def url(self, name: str) -> str:
        if self.dialect == "sqlite":
            return f"sqlite:///{os.path.join(self.folder, name + '.db')}"
        import psycopg

        base = postgres_base()
        schema = f"bench_{secrets.token_hex(5)}_{name}"
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        joiner = "&" if "?" in base else "?"
        return f"{base}{joiner}options=-csearch_path%3D{schema}&application_name={schema}"

    def open(self, name: str) -> tuple[str, SqlStore]:
        url = self.url(name)
        store = cast(SqlStore, open_store(url))
        self.opened.append(store)
        return url, store

    def close(self) -> None:
        for store in self.opened:
            store.close()
        if self.schemas:
            import psycopg

            with psycopg.connect(postgres_base(), autocommit=True) as connection:
                for schema in self.schemas:
                    connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def application_name(url: str) -> str | None:
    marker = "application_name="
    return url.split(marker, 1)[1].split("&", 1)[0] if marker in url else None


class ServerCpu:
    """CPU time of the PostgreSQL server processes serving one store (by its application_name), read from
    /proc: None when the server runs on another machine."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tick = os.sysconf("SC_CLK_TCK")

    def sample(self) -> dict[int, float] | None:
        import psycopg

        with psycopg.connect(postgres_base(), autocommit=True) as connection:
            pids = [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.name,)
                ).fetchall()
            ]
        out: dict[int, float] = {}
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                return None
            out[pid] = (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
        return out

    @staticmethod
    def used(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
        if before is None or after is None:
            return None
        return sum(value - before.get(pid, 0.0) for pid, value in after.items())


@dataclass
class Meter:
    """Calls into one store, with their wall and thread CPU time (counted on whichever thread calls)."""

    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    METHODS = ("user", "create", "get", "list", "search", "path", "add", "append_many", "append_each",
               "finish", "set_state", "take_lease", "release_lease", "notify")  # fmt: skip

    @contextlib.contextmanager
    def on(self, store: Store) -> Iterator[Meter]:
        """Count ``store``'s calls inside the block (its methods wrapped on the instance, then unwrapped)."""
        for name in self.METHODS:
            setattr(store, name, self._wrap(getattr(store, name)))
        try:
            yield self
        finally:
            for name in self.METHODS:
                delattr(store, name)

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
                with self.lock:
                    self.calls += 1
                    self.wall += wall
                    self.cpu += cpu

        return timed

    def snapshot(self) -> tuple[int, float, float]:
        with self.lock:
            return self.calls, self.wall, self.cpu


# -- filling stores -----------------------------------------------------------------------------------------


def seed_conversation(
    store: SqlStore, owner: str, app: str, history: list[dict[str, str]], at: float | None = None
) -> str:
    """A conversation of ``owner`` holding ``history`` (one message after another, the last the active
    leaf), written in one transaction as ``Store.add`` writes each message; returns its id."""
    at = time.time() if at is None else at
    conversation_id = new_id()
    ids = [new_id() for _ in history]
    first_user = next((m["content"] for m in history if m["role"] == "user"), "")
    title = auto_title(first_user)
    with store.transaction(write=True) as tx:
        tx.run(
            "INSERT INTO conversations (id, owner_id, app, title, title_source, active_leaf_id, state, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (conversation_id, owner, app, title, "auto" if title else None, ids[-1] if ids else None,
             store.json_in({}), at, at + len(history) * 1e-3),
        )  # fmt: skip
        for i, message in enumerate(history):
            tx.run(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, status, "
                "author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?, ?)",
                (ids[i], conversation_id, ids[i - 1] if i else None, message["role"],
                 store.json_in(message["content"]), plain_text(message["content"]),
                 owner if message["role"] == "user" else None, at + i * 1e-3, at + i * 1e-3),
            )  # fmt: skip
    return conversation_id


@dataclass
class Corpus:
    """Short synthetic message texts: 8 common words (bench.corpus's) and one of RARE_WORDS rarer ones."""

    texts: list[str]
    rare: list[str]  # the rarer word of each text

    @classmethod
    def make(cls, seed: int = 5) -> Corpus:
        rng = random.Random(seed)
        consonants, vowels = "bcdfghjklmnpqrstvwxz", "aeiou"
        vocabulary = sorted(
            {
                "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(4))
                for _ in range(RARE_WORDS)
            }
        )
        texts, rare = [], []
        for _ in range(BIG_TEXTS):
            words = [rng.choice(_WORDS) for _ in range(8)]
            rare.append(rng.choice(vocabulary))
            words.insert(rng.randrange(9), rare[-1])
            texts.append(" ".join(words).capitalize() + ".")
        return cls(texts, rare)


def _ids(prefix: str, kind: str, n: int) -> str:
    """A bulk row's id: the time part of a ``new_id`` and a counter (26 characters, in creation order)."""
    return f"{prefix}{kind}{n:015d}"


def bulk_sqlite(path: str, app: str, corpus: Corpus, conversations: int, per: int, at: float) -> None:
    """Fill the (empty, closed) SQLite store at ``path``: BIG_OWNERS users ``bench:big:<i>`` and
    ``conversations`` of ``per`` messages each, generated inside SQLite in one transaction."""
    prefix = new_id()[:10]
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA cache_size = -1000000")  # this connection only: the store's use its own
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN IMMEDIATE")
        triggers = db.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name IN ('messages', 'conversations')"
        ).fetchall()
        for name, _ in triggers:
            db.execute(f"DROP TRIGGER {name}")
        db.execute("CREATE TEMP TABLE bench_texts (j INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        db.executemany("INSERT INTO bench_texts VALUES (?, ?)", list(enumerate(corpus.texts)))
        db.executemany(
            "INSERT INTO users (id, identifier, provider, created_at, last_seen_at) "
            "VALUES (?, ?, 'bench', ?, ?)",
            [(_ids(prefix, "U", o), f"bench:big:{o}", at, at) for o in range(BIG_OWNERS)],
        )
        params = {"p": prefix, "t": at - 1e6, "n": len(corpus.texts)}
        # Message n is the (n % per)-th of conversation n // per; its parent is message n - 1. Its text is
        # picked by Knuth's multiplicative hash of n, so no two conversations share a run of texts.
        db.execute(
            f"""WITH RECURSIVE k(n) AS (
                SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < {conversations * per - 1})
            INSERT INTO messages (id, conversation_id, parent_id, role, content, text, status, author_id,
                created_at, updated_at)
            SELECT printf('%sM%015d', :p, n), printf('%sC%015d', :p, n / {per}),
                CASE WHEN n % {per} = 0 THEN NULL ELSE printf('%sM%015d', :p, n - 1) END,
                CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END, json_quote(t.text), t.text, 'done',
                CASE WHEN n % 2 = 0 THEN printf('%sU%015d', :p, (n / {per}) % {BIG_OWNERS}) END,
                :t + n * 0.1, :t + n * 0.1
            FROM k JOIN bench_texts t ON t.j = n * 2654435761 % 4294967296 % :n""",
            params,
        )
        db.execute(
            f"""WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < {conversations - 1})
            INSERT INTO conversations (id, owner_id, app, title, title_source, active_leaf_id, state,
                created_at, updated_at)
            SELECT printf('%sC%015d', :p, n), printf('%sU%015d', :p, n % {BIG_OWNERS}), :app,
                substr(t.text, 1, 60), 'auto', printf('%sM%015d', :p, n * {per} + {per - 1}), '{{}}',
                :t + n * {per} * 0.1, :t + (n + 1) * {per} * 0.1
            FROM k JOIN bench_texts t ON t.j = n * 2654435761 % 4294967296 % :n""",
            {**params, "app": app},
        )
        db.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO conversation_fts(conversation_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            db.execute(sql)
        db.execute("COMMIT")
    finally:
        db.close()


def bulk_postgres(store: SqlStore, app: str, corpus: Corpus, conversations: int, per: int, at: float) -> None:
    """``bulk_sqlite`` on PostgreSQL: generated by the server in one transaction, the tree and search
    indexes made again after the load."""
    prefix = new_id()[:10]
    params = {"p": prefix, "t": at - 1e6, "n": len(corpus.texts), "app": app}

    def pid(kind: str, n: str) -> str:  # an id as the SQL expression of its counter
        return f"%(p)s || '{kind}' || lpad(({n})::text, 15, '0')"

    with store.transaction(write=True) as tx:
        cursor: Any = tx.cursor
        cursor.execute(
            "CREATE TEMP TABLE bench_texts (j INTEGER PRIMARY KEY, text TEXT NOT NULL) ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_texts (j, text) FROM STDIN") as copy:
            for row in enumerate(corpus.texts):
                copy.write_row(row)
        indexes = cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname IN ('messages_search', 'messages_tree')"
        ).fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            "INSERT INTO users (id, identifier, provider, created_at, last_seen_at) "
            f"SELECT {pid('U', 'n')}, 'bench:big:' || n, 'bench', %(t)s, %(t)s "
            f"FROM generate_series(0::bigint, {BIG_OWNERS - 1}) n",
            params,
        )
        cursor.execute(
            "INSERT INTO conversations (id, owner_id, app, title, title_source, active_leaf_id, state, "
            "created_at, updated_at) "
            f"SELECT {pid('C', 'n')}, {pid('U', f'mod(n, {BIG_OWNERS})')}, %(app)s, left(t.text, 60), "
            f"'auto', {pid('M', f'n * {per} + {per - 1}')}, '{{}}', %(t)s + n * {per} * 0.1, "
            f"%(t)s + (n + 1) * {per} * 0.1 FROM generate_series(0::bigint, {conversations - 1}) n "
            f"JOIN bench_texts t ON t.j = mod(mod(n * 2654435761, 4294967296), %(n)s)",
            params,
        )
        cursor.execute(
            "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, status, author_id, "
            "created_at, updated_at) "
            f"SELECT {pid('M', 'n')}, {pid('C', f'n / {per}')}, "
            f"CASE WHEN mod(n, {per}) = 0 THEN NULL ELSE {pid('M', 'n - 1')} END, "
            "CASE WHEN mod(n, 2) = 0 THEN 'user' ELSE 'assistant' END, to_jsonb(t.text), t.text, 'done', "
            f"CASE WHEN mod(n, 2) = 0 THEN {pid('U', f'mod(n / {per}, {BIG_OWNERS})')} END, "
            "%(t)s + n * 0.1, %(t)s + n * 0.1 "
            f"FROM generate_series(0::bigint, {conversations * per - 1}) n "
            "JOIN bench_texts t ON t.j = mod(mod(n * 2654435761, 4294967296), %(n)s)",
            params,
        )
        for _, sql in indexes:
            cursor.execute(sql)
    with store.transaction(write=True) as tx:
        tx.run("ANALYZE users, conversations, messages")  # this schema's (the URL's search_path)


def count_rows(store: SqlStore) -> tuple[int, int]:
    with store.transaction(write=False) as tx:
        return tx.one("SELECT COUNT(*) FROM conversations")[0], tx.one("SELECT COUNT(*) FROM messages")[0]


# -- measuring ----------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm-up: connections, statement caches
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def open_tab(path: str, store: Store, owner: str, conversation: str | None) -> tuple[ChatTest, float]:
    """A new headless tab showing ``conversation``, and the seconds until its first run was idle."""
    start = time.perf_counter()
    t = ChatTest(path, store=store, owner=owner, conversation=conversation, timeout=headless.TIMEOUT)
    return t, time.perf_counter() - start


@dataclass
class Label:
    """Row names of one backend: ``SQLite: ...``."""

    name: str

    def __call__(self, text: str) -> str:
        return f"{self.name}: {text}"


def turns_and_open(
    apps: Apps,
    store: SqlStore,
    dialect: str,
    url: str,
    echo_cpu: float | None,
    sec: Section,
    data: dict[str, Any],
    at: Label,
) -> None:
    """Parts 1 and 3: open a stored 1,000-message conversation in new tabs, then short turns in it."""
    path = apps.stored()
    app = os.path.splitext(os.path.basename(path))[0]
    identifier = f"bench:turns:{dialect}"
    owner = store.user(identifier)
    start = time.perf_counter()
    conversation = seed_conversation(store, owner, app, make_history(STORED, SEEDS[dialect]))
    data["seed_seconds"] = round(time.perf_counter() - start, 3)

    first, cold = open_tab(path, store, identifier, conversation)
    first.close()
    written(BROWSER_TIMEOUT)  # what that tab rendered is in the store, as after any earlier visit
    restarts: list[float] = []
    for i in range(OPEN_RUNS):  # a new process each time: nothing in memory, the renders kept in the store
        forget()
        t, seconds = open_tab(path, store, identifier, conversation)
        restarts.append(seconds)
        if i < OPEN_RUNS - 1:
            t.close()
    try:
        shown = len(t.messages)
        if shown != STORED:
            raise RuntimeError(f"the new tab shows {shown} messages, not {STORED}")
        first_bytes = t.bytes_sent
        client = min(timed(lambda: apply(empty_root(), t.ops), 3))  # the least: a GC pause is no cost of it
        warm: list[float] = []
        for _ in range(OPEN_RUNS):
            again, seconds = open_tab(path, store, identifier, conversation)
            again.close()
            warm.append(seconds)
        reads = timed(lambda: Transcript(store, owner, app).open(conversation), OPEN_RUNS)

        server = ServerCpu(application_name(url) or "") if dialect == "postgresql" else None
        headless.turns(t, WARMUP_TURNS, start=0)
        measured: list[headless.Turn] = []
        store_calls: list[tuple[int, float, float]] = []
        appender = appender_for(store)  # the threads that write streamed text and notify: the turn's CPU too

        def background() -> float:
            return appender.cpu + float(getattr(store, "notify_cpu", 0.0))

        appends: list[float] = []
        before_server = server.sample() if server else None
        with Meter().on(store) as meter:
            for i in range(TURNS):
                m0, a0 = meter.snapshot(), background()
                measured.append(headless.turn(t, headless.prompt(100 + i)))
                m1 = meter.snapshot()
                t.session.wait_idle(headless.TIMEOUT)
                time.sleep(0.02)  # the notifications the turn queued are sent
                appends.append(background() - a0)
                store_calls.append((m1[0] - m0[0], m1[1] - m0[1], m1[2] - m0[2]))
        server_cpu = ServerCpu.used(before_server, server.sample()) if server else None
        history_len = len(t.messages)
    finally:
        t.close()

    own = 0.0 if server_cpu is None else server_cpu / TURNS  # PostgreSQL's processes, a mean per turn
    cpu = [x.worker_cpu + x.encode_cpu + own + a for x, a in zip(measured, appends, strict=True)]
    walls = [x.wall for x in measured]
    scripts = [x.script_cpu for x in measured]
    data["open"] = {
        "messages": shown,
        "cold_ms": round(cold * 1e3, 2),
        "restart_median_ms": round(median(restarts) * 1e3, 2),
        "warm_median_ms": round(median(warm) * 1e3, 2),
        "store_read_median_ms": round(median(reads) * 1e3, 3),
        "test_client_apply_ms": round(client * 1e3, 2),
        "first_bytes": first_bytes,
    }
    data["turn"] = {
        "messages_during": history_len,
        "bytes_median": median([x.bytes for x in measured]),
        "bytes_max": max(x.bytes for x in measured),
        "cpu_median_ms": round(median(cpu) * 1e3, 3),
        "cpu_p90_ms": round(p90(cpu) * 1e3, 3),
        "script_cpu_median_ms": round(median(scripts) * 1e3, 3),
        "wall_median_ms": round(median(walls) * 1e3, 3),
        "wall_p90_ms": round(p90(walls) * 1e3, 3),
        "store_calls_per_turn": median([c[0] for c in store_calls]),
        "store_wall_median_ms": round(median([c[1] for c in store_calls]) * 1e3, 3),
        "store_cpu_median_ms": round(median([c[2] for c in store_calls]) * 1e3, 3),
        "server_cpu_per_turn_ms": None if server_cpu is None else round(server_cpu / TURNS * 1e3, 3),
    }
    d = data["turn"]
    sec.info(at(f"seeding {STORED:,} stored messages (one transaction)"), f"{data['seed_seconds']:.2f} s")
    sec.info(
        at(f"new tab on {STORED:,} stored messages -> idle, never rendered before (imported)"),
        f"{ms(cold)} (every text rendered: the page showed the last {TAIL} first, see Chromium's row)",
    )
    sec.check(
        at("  the same after a restart: renders kept in the store, none in memory (median)"),
        ms(median(restarts)),
        f"<= {OPEN_TARGET * 1e3:.0f} ms",
        median(restarts) <= OPEN_TARGET,
    )
    sec.check(
        at("  the same, warm render cache in memory (median)"),
        ms(median(warm)),
        f"<= {OPEN_TARGET * 1e3:.0f} ms",
        median(warm) <= OPEN_TARGET,
    )
    sec.info(at("  of which the store's read (get + path), median"), ms(median(reads)))
    sec.info(at("  of which the test client applying the frames (least of 3)"), ms(client))
    sec.info(at("  bytes of the new tab's first frames"), kb(first_bytes))
    sec.check(
        at(f"bytes per turn at {STORED:,} stored messages, median"),
        f"{d['bytes_median']:.0f} B",
        f"<= {BYTES_TARGET} B",
        d["bytes_median"] <= BYTES_TARGET,
    )
    what = "server CPU per turn with store writes" + (", PostgreSQL's too" if dialect != "sqlite" else "")
    for name, value in (("median", median(cpu)), ("p90", p90(cpu))):
        sec.check(at(f"{what}, {name}"), ms(value), "<= 10 ms", value <= CPU_TARGET)
    sec.info(at("  of which the script body (history, messages, reply)"), ms(median(scripts)))
    sec.info(
        at("  of which store calls: count / CPU / wall, median"),
        f"{d['store_calls_per_turn']:.0f} / {d['store_cpu_median_ms']:.2f}"
        f" / {d['store_wall_median_ms']:.2f} ms",
    )
    if dialect == "postgresql":
        shown_server = "n/a (not on this machine)" if server_cpu is None else ms(own)
        sec.info(at("  of which PostgreSQL's processes (mean per turn)"), shown_server)
    if echo_cpu is not None:
        sec.info(at("  section 2's echo turn at 1,000 messages, no store"), ms(echo_cpu))
    sec.info(
        at("submit -> idle wall time, median / p90"), f"{median(walls) * 1e3:.2f} / {p90(walls) * 1e3:.2f} ms"
    )


def long_transcript(apps: Apps, store: SqlStore, sec: Section, data: dict[str, Any], at: Label) -> None:
    """A 10,000-message transcript: a new tab on it (never rendered, then after a restart with its renders
    kept), and short turns in it."""
    path = apps.stored()
    app = os.path.splitext(os.path.basename(path))[0]
    identifier = "bench:long"
    owner = store.user(identifier)
    conversation = seed_conversation(store, owner, app, make_history(LONG, SEEDS["long"]))
    first, never = open_tab(path, store, identifier, conversation)
    first.close()
    written(BROWSER_TIMEOUT)
    forget()
    t, restart = open_tab(path, store, identifier, conversation)
    try:
        if len(t.messages) != LONG:
            raise RuntimeError(f"the new tab shows {len(t.messages)} messages, not {LONG}")
        first_bytes = t.bytes_sent
        headless.turns(t, WARMUP_TURNS, start=0)
        measured = [headless.turn(t, headless.prompt(200 + i)) for i in range(LONG_TURNS)]
    finally:
        t.close()
    cpu = median([x.worker_cpu + x.encode_cpu for x in measured])
    size = median([x.bytes for x in measured])
    data["long"] = {
        "messages": LONG,
        "never_rendered_ms": round(never * 1e3, 2),
        "restart_ms": round(restart * 1e3, 2),
        "first_bytes": first_bytes,
        "bytes_per_turn_median": size,
        "cpu_per_turn_median_ms": round(cpu * 1e3, 3),
    }
    sec.info(at(f"new tab on {LONG:,} stored messages -> idle, never rendered before"), ms(never))
    sec.check(
        at(f"new tab on {LONG:,} stored messages -> idle, after a restart (renders kept in the store)"),
        ms(restart),
        f"<= {LONG_OPEN_TARGET * 1e3:.0f} ms",
        restart <= LONG_OPEN_TARGET,
    )
    sec.info(at(f"  bytes of the first frames of the new tab on {LONG:,}"), kb(first_bytes))
    sec.check(
        at(f"bytes per turn at {LONG:,} stored messages, median of {LONG_TURNS}"),
        f"{size:.0f} B",
        f"<= {BYTES_TARGET} B",
        size <= BYTES_TARGET,
    )
    sec.check(
        at(f"server CPU per turn at {LONG:,} stored messages, median of {LONG_TURNS}"),
        ms(cpu),
        "<= 10 ms",
        cpu <= CPU_TARGET,
    )


def stream_with_store(
    apps: Apps, store: SqlStore, baseline: float, sec: Section, data: dict[str, Any], at: Label
) -> None:
    """Part 2: the 2,000-token stream inside conv.reply(), against ``baseline`` (the same stream shown
    with rc.message("assistant") and no store)."""
    text = "".join(stream_tokens(STREAM_TOKENS))
    t = ChatTest(apps.stored(STREAM_TOKENS, STREAM_DELAY), store=store, timeout=headless.TIMEOUT)
    try:
        with Meter().on(store) as meter:
            st = headless.stream_turn(t, text)
            calls, wall, cpu = meter.snapshot()
        stored = store.path(t.owner, t.conversation or "")[-1]
    finally:
        t.close()
    if stored.content != text or stored.status != "done":
        raise RuntimeError(f"the stored reply is {stored.status} with {len(stored.content)} characters")
    ratio = st.seconds / baseline
    data["stream"] = {
        "seconds": round(st.seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(ratio, 4),
        "store_calls": calls,
        "store_wall_ms": round(wall * 1e3, 2),
        "store_cpu_ms": round(cpu * 1e3, 2),
    }
    d = data["stream"]
    sec.check(
        at(f"{STREAM_TOKENS:,}-token stream in conv.reply() vs no store"),
        f"{st.seconds:.2f} / {baseline:.2f} s = {ratio:.3f}x",
        f"<= {STREAM_RATIO_TARGET}x",
        ratio <= STREAM_RATIO_TARGET,
    )
    sec.info(
        at("  store calls during it: count / CPU / wall"),
        f"{d['store_calls']} / {d['store_cpu_ms']:.1f} / {d['store_wall_ms']:.1f} ms",
    )


def big_store(stores: Stores, apps: Apps, sec: Section, data: dict[str, Any], at: Label) -> None:
    """Part 4: the list, searches and opening a conversation in a store of 10,000 conversations."""
    dialect = stores.dialect
    per = BIG_PER_CONVERSATION[dialect]
    path = apps.stored()
    app = os.path.splitext(os.path.basename(path))[0]
    corpus = Corpus.make()
    probe = make_history(PROBE_MESSAGES, SEEDS["probe"])
    now = time.time()

    start = time.perf_counter()
    url = stores.url("big")
    if dialect == "sqlite":
        open_store(url).close()  # the schema
        bulk_sqlite(url[len("sqlite:///") :], app, corpus, BIG_CONVERSATIONS - 1, per, now)
        store = cast(SqlStore, open_store(url))
        stores.opened.append(store)
    else:
        store = cast(SqlStore, open_store(url))
        stores.opened.append(store)
        bulk_postgres(store, app, corpus, BIG_CONVERSATIONS - 1, per, now)
    owner = store.user("bench:big:0")
    conversation = seed_conversation(store, owner, app, probe, now)
    built = time.perf_counter() - start
    conversations, messages = count_rows(store)
    owned = len(store.list(owner, app, limit=1000))

    _, small = stores.open("small")
    small_owner = small.user("bench:big:0")
    small_conversation = seed_conversation(small, small_owner, app, probe, now)

    listing = timed(lambda: store.list(owner, app, limit=PAGE + 1), QUERY_RUNS)
    queries = {
        "a common word": "stream",
        "a rare word": corpus.rare[0],  # in the owner's oldest conversation's first message
        "two word prefixes": "cach ser",
    }
    searches: dict[str, tuple[list[float], int]] = {}
    for label, query in queries.items():
        found = len(store.search(owner, app, query, limit=PAGE))
        searches[label] = (
            timed(functools.partial(store.search, owner, app, query, limit=PAGE), QUERY_RUNS),
            found,
        )
    big_open = timed(lambda: Transcript(store, owner, app).open(conversation), QUERY_RUNS)
    small_open = timed(lambda: Transcript(small, small_owner, app).open(small_conversation), QUERY_RUNS)
    tabs: dict[str, list[float]] = {"big": [], "small": []}
    for key, (s, c) in {"big": (store, conversation), "small": (small, small_conversation)}.items():
        for _ in range(3):
            t, seconds = open_tab(path, s, "bench:big:0", c)
            t.close()
            tabs[key].append(seconds)

    ratio = median(big_open) / median(small_open)
    data["big"] = {
        "conversations": conversations,
        "messages": messages,
        "owners": BIG_OWNERS,
        "owner_conversations": owned,
        "build_seconds": round(built, 2),
        "list_median_ms": round(median(listing) * 1e3, 3),
        "search_median_ms": {k: round(median(v[0]) * 1e3, 3) for k, v in searches.items()},
        "search_found": {k: v[1] for k, v in searches.items()},
        "open_big_median_ms": round(median(big_open) * 1e3, 3),
        "open_empty_median_ms": round(median(small_open) * 1e3, 3),
        "open_ratio": round(ratio, 3),
        "tab_big_median_ms": round(median(tabs["big"]) * 1e3, 2),
        "tab_empty_median_ms": round(median(tabs["small"]) * 1e3, 2),
    }
    sec.info(
        at("store: conversations / messages / owners"), f"{conversations:,} / {messages:,} / {BIG_OWNERS}"
    )
    sec.info(at("  built with bulk SQL, one transaction"), f"{built:.1f} s")
    sec.check(
        at(f"first list page ({PAGE}) of an owner of {owned}, median"),
        ms(median(listing)),
        f"<= {LIST_TARGET * 1e3:.0f} ms",
        median(listing) <= LIST_TARGET,
    )
    for label, query in queries.items():
        values, found = searches[label]
        sec.check(
            at(f"search {label} ({query!r}: {found} found), median"),
            ms(median(values)),
            f"<= {SEARCH_TARGET * 1e3:.0f} ms",
            median(values) <= SEARCH_TARGET,
        )
    sec.info(
        at(f"open a {PROBE_MESSAGES}-message conversation (get + path): here / alone"),
        f"{median(big_open) * 1e3:.2f} / {median(small_open) * 1e3:.2f} ms",
    )
    sec.check(
        at("  ratio, this store / an otherwise empty one"),
        f"{ratio:.2f}x",
        f"<= {OPEN_RATIO_TARGET}x",
        ratio <= OPEN_RATIO_TARGET,
    )
    sec.info(
        at("  a new tab on it -> idle, median: here / alone"),
        f"{median(tabs['big']) * 1e3:.1f} / {median(tabs['small']) * 1e3:.1f} ms",
    )


def concurrent_sessions(apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    """Part 5: SESSIONS tabs of one server (one store) streaming a reply into conv.reply() at once."""
    path = apps.stored(SESSION_TOKENS, STREAM_DELAY)
    url = default_url(path)
    text = "".join(stream_tokens(SESSION_TOKENS))
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("reactchat")
    logger.addHandler(handler)
    store = open_store(url)
    tabs: list[ChatTest] = []
    try:
        alone = ChatTest(path, store=store, timeout=SESSIONS_TIMEOUT)
        try:
            start = time.perf_counter()
            alone.send("Stream, please.")
            single = time.perf_counter() - start
        finally:
            alone.close()
        opened = time.perf_counter()
        for _ in range(SESSIONS):
            tabs.append(ChatTest(path, store=store, timeout=SESSIONS_TIMEOUT))
        opening = time.perf_counter() - opened
        start = time.perf_counter()
        for t in tabs:
            t.send("Stream, please.", wait=False)
        deadline = start + SESSIONS_TIMEOUT
        for t in tabs:
            t.session.wait_idle(max(0.1, deadline - time.perf_counter()))
        total = time.perf_counter() - start
        complete = errors = locked = 0
        for t in tabs:
            t.flush()
            notes = [str(op[1]) for op in t.ops if op[0] == NOTE]
            shown = [str(e.get("message", "")) for e in t.errors]
            errors += len(notes) + len(shown)
            locked += sum("locked" in x for x in notes + shown)
            kept = store.path(t.owner, t.conversation) if t.conversation else []
            if kept and kept[-1].status == "done" and kept[-1].content == text and t.run_state == "done":
                complete += 1
    finally:
        for t in tabs:
            t.close()
        store.close()
        logger.removeHandler(handler)
    logged = [r.getMessage() for r in records]
    locked += sum("locked" in x for x in logged)
    data["concurrent"] = {
        "store": "default SQLite file (.reactchat/<script>.db)",
        "sessions": SESSIONS,
        "tokens": SESSION_TOKENS,
        "delay_s": STREAM_DELAY,
        "complete": complete,
        "errors_shown": errors,
        "errors_logged": len(logged),
        "database_locked": locked,
        "seconds": round(total, 3),
        "alone_seconds": round(single, 3),
        "open_seconds": round(opening, 3),
    }
    sec.check(
        f"{SESSIONS} sessions streaming at once: complete and stored whole",
        f"{complete}/{SESSIONS}",
        f"{SESSIONS}/{SESSIONS}",
        complete == SESSIONS,
    )
    sec.check(
        "  errors shown / logged / 'database is locked'",
        f"{errors} / {len(logged)} / {locked}",
        "0 / 0 / 0",
        errors == 0 and not logged and locked == 0,
    )
    sec.info(
        f"  all {SESSIONS} streams, submit -> last idle (one alone)",
        f"{total:.2f} s ({single:.2f} s)",
    )
    sec.info(f"  opening the {SESSIONS} tabs (first runs)", f"{opening:.2f} s")


# -- Chromium -----------------------------------------------------------------------------------------------

# The last message on screen: the page builds a long transcript's older messages after its newest, so the
# element found here is checked afterwards (_ALL_BUILT_JS) to still be the last of all ``n``.
_LAST_VISIBLE_JS = """
([sel, n, role]) => {
  const app = document.querySelector(sel.app);
  if (!app || app.dataset.runState !== "idle") return false;
  const tr = document.querySelector(sel.transcript);
  const msgs = tr ? (tr.shadowRoot ?? tr).querySelectorAll(sel.message) : [];  // see frontend/src/shadow.ts
  if (!msgs.length) return false;
  const last = msgs[msgs.length - 1];
  const r = last.getBoundingClientRect();
  if (!(r.height > 0 && r.top < window.innerHeight && r.bottom > 0)) return false;
  if (last.dataset.role !== role || !last.textContent.trim()) return false;
  window.__benchLast = last;
  return performance.now();
}
"""
# The body of a function of ([sel, n]) (after bench.browser.DEEP_ALL), counting sealed messages too.
_ALL_BUILT_JS = """
  return deepAll(document, sel.message).length >= n && performance.now();
"""


BROWSER_SAMPLES = 5
"""Tabs per Chromium row of 1,000 messages (each a conversation of its own for 'never rendered', each after a
restart of its own for 'after a restart'): its median is the row (of 3 it moved ~15% from run to run)."""

LONG_SAMPLES = 3
"""Tabs on LONG messages, each after a restart (each waits ~30 s for all of them built)."""

WARM_LOADS = 3
"""Loads of ``/`` before the rows: Chromium compiles app.js on a first load and keeps its compiled code from a
later one, so the rows, which vary what the server holds, differ in that alone."""


def _in_browser(apps: Apps, url: str) -> dict[str, Any]:
    """The server is a ``reactchat run`` process of its own, as users run it (its own interpreter, frozen
    at start); this process seeds the store through a connection of its own and drives Chromium."""
    import pathlib

    from playwright.sync_api import sync_playwright
    from tornado.web import decode_signed_value

    from bench.browser import wait_idle
    from reactchat.identity import COOKIE
    from tests.browser.ui import CHROMIUM, CHROMIUM_ARGS
    from tests.nginx import Worker, free_ports

    path = apps.stored()
    app = os.path.splitext(os.path.basename(path))[0]
    out: dict[str, Any] = {}
    port = free_ports(1)
    base = f"http://127.0.0.1:{port}"
    logs = pathlib.Path(apps.folder)
    server = Worker(path, port, url, logs).wait()
    store = cast(SqlStore, open_store(url))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            out["chromium"] = browser.version
            context = browser.new_context()
            page = context.new_page()
            for _ in range(WARM_LOADS):  # every row with the browser's code cache as it is for a user who
                page.goto(base)  # came before: the script is compiled once, cached on a later load
                wait_idle(page, 0)
            cookie = next(c["value"] for c in context.cookies() if c["name"] == COOKIE)
            value = decode_signed_value(store.secret().hex(), COOKIE, cookie)
            if value is None:
                raise RuntimeError("the user cookie does not verify")
            owner = store.user(f"anonymous:{value.decode()}")
            # Never rendered: a conversation of texts no run rendered, one per sample (the first tab renders
            # them and keeps the renders in the store); a new process that has only the store's (a restart,
            # before each sample); then more tabs (warm).
            histories = [make_history(STORED, SEEDS["browser"] + 100 * k) for k in range(BROWSER_SAMPLES)]
            conversations = [seed_conversation(store, owner, app, h) for h in histories]
            history, conversation = histories[0], conversations[0]
            for key in ("cold", "restart", "warm"):
                for k in range(BROWSER_SAMPLES):
                    if key == "restart":
                        _kept(store, owner, conversation, history)
                        server.stop()
                        server = Worker(path, port, url, logs).wait()
                    shown = conversations[k] if key == "cold" else conversation
                    last_role = (histories[k] if key == "cold" else history)[-1]["role"]
                    for name, got in _open_in_tab(context, f"{base}/c/{shown}", last_role).items():
                        out.setdefault(f"{key}_{name}", []).append(got)
            # LONG messages, after a restart (a first tab renders them and keeps the renders): issue #16's "a
            # 10,000-message transcript opens in under a second", timed in the browser.
            history = make_history(LONG, SEEDS["long"])
            conversation = seed_conversation(store, owner, app, history)
            _open_in_tab(context, f"{base}/c/{conversation}", history[-1]["role"], LONG)
            for _ in range(LONG_SAMPLES):
                _kept(store, owner, conversation, history)
                server.stop()
                server = Worker(path, port, url, logs).wait()
                for name, got in _open_in_tab(
                    context, f"{base}/c/{conversation}", history[-1]["role"], LONG
                ).items():
                    out.setdefault(f"long_{name}", []).append(got)
            context.close()
        finally:
            server.stop()
            store.close()
            browser.close()
    return out


def _kept(store: SqlStore, owner: str, conversation: str, history: list[dict[str, str]]) -> None:
    """Wait until the renders of every text of ``history`` are kept in the store (a first tab made them)."""
    deadline = time.monotonic() + BROWSER_TIMEOUT
    texts = len({m["content"] for m in history})  # renders are kept per distinct text
    while len(store.renders(owner, conversation)) < texts:
        if time.monotonic() > deadline:
            raise RuntimeError("the first tab's renders were not kept in the store")
        time.sleep(0.05)


def _open_in_tab(context: Any, address: str, last_role: str, count: int = STORED) -> dict[str, float]:
    """A new tab at ``address`` (a conversation of ``count`` messages): when its last message was on screen,
    when all were built (ms from navigation), and how many there are."""
    from bench.browser import DEEP_ALL, SELECTORS

    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(address, wait_until="commit")
    shown = tab.wait_for_function(_LAST_VISIBLE_JS, arg=[SELECTORS, count, last_role], polling="raf",
                                  timeout=60_000)  # fmt: skip
    # Polled each frame, the walk of the whole page (400,000 nodes at 10,000 messages) slowed the building
    # it waits for past a minute on a loaded machine: a long transcript's is looked at four times a second.
    built = tab.wait_for_function(
        "([sel, n]) => {" + DEEP_ALL + _ALL_BUILT_JS + "}",
        arg=[SELECTORS, count],
        timeout=60_000,
        polling="raf" if count <= STORED else 250,
    )
    out = {"ms": float(shown.json_value()), "all_ms": float(built.json_value()),
           "messages": tab.locator(SELECTORS["message"]).count()}  # fmt: skip
    if not tab.evaluate(
        "(sel) => { const tr = document.querySelector(sel.transcript);"
        " return [...(tr.shadowRoot ?? tr).querySelectorAll(sel.message)].pop() === window.__benchLast; }",
        SELECTORS,
    ):
        raise RuntimeError("the message timed as the last on screen is not the last one")
    tab.close()
    return out


def browser_open(apps: Apps, folder: str, sec: Section, data: dict[str, Any]) -> None:
    """Part 3 in Chromium: a new tab at /c/<id> until the last of 1,000 stored messages is on screen."""
    from bench.browser import unavailable

    reason = unavailable()
    if reason:
        data["browser"] = {"skipped": reason}
        sec.info("Chromium: new tab on 1,000 stored messages", f"skipped: {reason}")
        return
    url = f"sqlite:///{os.path.join(folder, 'browser.db')}"
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="bench-browser") as pool:
        out = pool.submit(_in_browser, apps, url).result(timeout=BROWSER_PART_TIMEOUT)
    data["browser"] = out
    conditions = (
        ("cold", "never rendered before (imported)"),
        ("restart", "after a restart (renders kept in the store)"),
        ("warm", "warm, a third tab"),
    )
    for key, what in conditions:
        values = out[f"{key}_ms"]
        value = median(values) / 1e3
        count = min(out[f"{key}_messages"])
        sec.check(
            f"Chromium (SQLite): /c/<id> -> last of {count:,} messages on screen, {what}, median of"
            f" {len(values)}",
            f"{ms(value)} ({', '.join(f'{v:.0f}' for v in values)})",
            f"<= {OPEN_TARGET * 1e3:.0f} ms",
            value <= OPEN_TARGET,
        )
        sec.info(f"  then all {count:,} messages built (idle slices)", ms(median(out[f"{key}_all_ms"]) / 1e3))
    values = out["long_ms"]
    value = median(values) / 1e3
    sec.check(
        f"Chromium (SQLite): /c/<id> -> last of {min(out['long_messages']):,} stored messages on screen,"
        f" after a restart (renders kept in the store), median of {len(values)}",
        f"{ms(value)} ({', '.join(f'{v:.0f}' for v in values)})",
        f"<= {LONG_OPEN_TARGET * 1e3:.0f} ms",
        value <= LONG_OPEN_TARGET,
    )
    sec.info(f"  then all {LONG:,} messages built (idle slices)", ms(median(out["long_all_ms"]) / 1e3))


# -- the section --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _folder() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="reactchat-bench-store-") as folder:
        yield folder


def _stream_baseline(apps: Apps) -> float:
    text = "".join(stream_tokens(STREAM_TOKENS))
    t = headless.open_app(apps.stream(STREAM_DELAY, STREAM_TOKENS))
    try:
        return headless.stream_turn(t, text).seconds
    finally:
        t.close()


def _backend(
    dialect: str,
    folder: str,
    apps: Apps,
    baseline: float,
    echo_cpu: float | None,
    sec: Section,
    data: dict[str, Any],
) -> None:
    at = Label("SQLite" if dialect == "sqlite" else "PostgreSQL")
    stores = Stores(dialect, folder)
    try:
        url, store = stores.open("main")
        if dialect == "sqlite":
            data["version"] = sqlite3.sqlite_version
        else:
            with store.transaction(write=False) as tx:
                data["version"] = tx.one("SHOW server_version")[0]
        turns_and_open(apps, store, dialect, url, echo_cpu, sec, data, at)
        if dialect == "sqlite":
            long_transcript(apps, store, sec, data, at)
        stream_with_store(apps, store, baseline, sec, data, at)
        big_store(stores, apps, sec, data, at)
    finally:
        stores.close()


def run(apps: Apps, sec: Section, data: dict[str, Any], results: dict[str, Any]) -> None:
    """Measure section 6 into ``sec`` and ``data``; ``results`` are the earlier sections' (their conditions,
    and section 2's echo turn, for comparison)."""
    conditions = results.get("conditions", {})
    echo = results.get("cpu_per_turn", {}).get("worker_cpu", {}).get("median_ms")
    echo_cpu = echo / 1e3 if isinstance(echo, (int, float)) else None
    pg_url = postgres_base()
    pg_reason = postgres_unavailable(pg_url)
    sec.info(
        "conditions",
        f"{conditions.get('cpu_model', '?')}, {conditions.get('cores_usable', '?')} of"
        f" {conditions.get('cores', '?')} cores, SQLite {sqlite3.sqlite_version}",
    )
    failed: list[str] = []
    with _folder() as folder:
        baseline = _stream_baseline(apps)
        data["stream_baseline_seconds"] = round(baseline, 3)
        parts: list[tuple[str, Callable[[], None]]] = [
            (d, functools.partial(_backend, d, folder, apps, baseline, echo_cpu, sec, data.setdefault(d, {})))
            for d in ("sqlite", "postgresql")
        ]
        parts += [
            ("concurrent", lambda: concurrent_sessions(apps, sec, data)),
            ("browser", lambda: browser_open(apps, folder, sec, data)),
        ]
        for name, part in parts:
            if name == "postgresql" and pg_reason:
                data[name] = {"skipped": pg_reason}
                sec.info("PostgreSQL", f"skipped: {pg_reason}")
                continue
            started = time.perf_counter()
            # What earlier parts left alive is frozen out of the garbage collector: its full collections
            # walked that heap (100-700 ms each, measured) and landed in this part's timings at random.
            gc.collect()
            gc.freeze()
            try:
                part()
            except Exception as exc:  # the other parts still run; the section is marked failed at the end
                failed.append(f"{name}: {type(exc).__name__}: {exc}")
                sec.info(f"{name}", f"FAILED: {type(exc).__name__}: {str(exc)[:200]}")
                traceback.print_exc()
            data[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
    gc.unfreeze()
    pg = data.get("postgresql", {})
    where = pg_url.split("@")[-1]
    postgres = f"skipped ({where} unreachable)" if "skipped" in pg else f"{pg.get('version')} at {where}"
    sec.note(
        f"stores: SQLite files in {tempfile.gettempdir()} (WAL); PostgreSQL {postgres}, a fresh schema per"
        " store, dropped afterwards; client and server share this process; before each part, what the"
        " earlier ones left alive is frozen out of the garbage collector (gc.freeze)"
    )
    sec.note(
        "per turn: the app stores the prompt before its run and the reply as it streams (conv.reply());"
        " CPU = the session's worker thread (script, store calls, reconcile) + frame encoding, plus on"
        " PostgreSQL its server processes' CPU (/proc, a mean per turn: 10 ms ticks)"
    )
    sec.note(
        f"new tab: ChatTest(conversation=id) until its first run is idle; never rendered = texts no earlier"
        f" run rendered (a conversation written by bulk SQL: its last {TAIL} messages render in the run,"
        f" older ones show plain and render after it, newest first, before the tab is idle); after a"
        f" restart = the process's render cache"
        f" emptied, the renders that first tab kept in the store read back (median of {OPEN_RUNS}); warm ="
        f" median of {OPEN_RUNS} more tabs. Chromium: one tab each, timed from navigation to the last message"
        f" on screen (the page builds a long transcript's newest messages first), then to all of them built;"
        f" the server is a `reactchat run` process of its own (SQLite), restarted for 'after a restart'"
        f" (before each tab; {LONG:,} messages: one conversation, a first tab rendered its texts);"
        f" the browser loaded / {WARM_LOADS} times first (its compiled-code cache then is as for a returning"
        f" user, the same for every row)"
    )
    sec.note(
        f"big store: {BIG_OWNERS} owners, {BIG_CONVERSATIONS:,} conversations of"
        f" {BIG_PER_CONVERSATION['sqlite']} (SQLite) / {BIG_PER_CONVERSATION['postgresql']} (PostgreSQL)"
        f" messages of 9 words, one of them a {PROBE_MESSAGES}-message conversation of real texts; list and"
        f" search: wall time of the store call in this process, median of {QUERY_RUNS}"
    )
    sec.note(
        "PostgreSQL's store is scaled down: its generated tsvector columns fold accents with translate() over"
        " a 166-character table, about 0.6 us per character inserted, so 1,000,000 rows take a minute to load"
    )
    sec.note(
        f"{SESSIONS} sessions: {SESSION_TOKENS} tokens each, {STREAM_DELAY * 1e3:g} ms apart, into"
        " conv.reply() on one store, as one server's tabs share it; complete = the stored reply is the whole"
        " text, done"
    )
    if failed:
        raise RuntimeError("; ".join(failed))
