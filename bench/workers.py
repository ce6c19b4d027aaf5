"""Section 7 (issue #12): workers behind a real nginx on one PostgreSQL store.

``reactchat run app.py --workers W`` (the supervisor and its W worker processes) behind Debian's nginx with
the configuration ``reactchat nginx-config`` prints, on a fresh PostgreSQL schema per run. N simulated
browsers each fetch ``/`` (their own cookies), open a WebSocket through nginx and submit one prompt whose
answer streams ``TOKENS`` tokens, ``DELAY`` seconds apart. One asyncio process plays every browser.

Token lag: every ``STAMP_EVERY``-th token the app writes ``ts<milliseconds>``, the server's clock when it
yields that token; the client notes when the first frame carrying each stamp arrives (same machine, same
clock). The lag is that difference: the framework's frame coalescing, the store, nginx and the client's own
queueing. The client's CPU share is printed next to it: near 100 % means the client, not the server, is the
bottleneck.

Chaos: 3 workers, sessions asking ``CHAOS_ROUNDS`` prompts each in a row, a random worker ``kill -9``\\ ed
every ``KILL_EVERY`` seconds (the supervisor starts it again). A tab whose socket closes reconnects through
nginx with the conversation its page showed (as a reloaded ``/c/<id>`` page does), and sends its prompt
again, under the same event number, unless the conversation shows it answered (as the page sends the events
the server has not confirmed). From the store at the end: answers completed or marked interrupted, prompts
lost, stored twice or never answered; and the time from a socket closing to the reconnected tab's first
frame.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgpack
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from bench.apps import REPO
from bench.conversations import postgres_base, postgres_unavailable
from bench.report import Section, median, percentile
from reactchat.nginx_config import nginx_config
from reactchat.ops import ERR, HELLO, NOTE, RUN, Op, walk
from reactchat.protocol import VERSION
from reactchat.store import open_store
from tests.nginx import free_ports
from tests.serving import Client, ready

TOKENS = 300
DELAY = 0.020  # seconds per token: an answer streams for about 6 s
STAMP_EVERY = 10
COUNTS = (50, 200, 500)
WORKER_COUNTS = (1, 3)
RUN_LIMIT = 120.0  # seconds the next count's run may be expected to take (linearly); past it, skipped
CHAOS_SESSIONS = 300
CHAOS_ROUNDS = 2
KILL_EVERY = 20.0
CHAOS_LIMIT = 300.0  # seconds after which a session gives up (an error)
FIRST_KILL = 3.0  # seconds after the first prompts, so answers are mid-stream
OPEN_AT_ONCE = 50  # tabs opening at the same time (a page load each)
ANSWER_TIMEOUT = 180.0

APP = f"""
import time
import reactchat as rc

conv = rc.conversation()
conv.show()

def tokens():
    for i in range({TOKENS}):
        time.sleep({DELAY})
        # the server's clock, in milliseconds, when it yields this token: the client measures the lag
        yield f"ts{{int(time.time() * 1000)}} " if i % {STAMP_EVERY} == 0 else f"w{{i}} "

if prompt := rc.chat_input():
    with conv.reply():
        rc.write_stream(tokens())
"""

_STAMP = re.compile(rb"ts(\d{13})")


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    return found


def unavailable() -> str | None:
    """Why the section cannot run here (nginx or PostgreSQL missing), or None."""
    if nginx_binary() is None:
        return "nginx is not installed (`make nginx` installs Debian's package)"
    return postgres_unavailable(postgres_base())


def lag_text(lags: list[float]) -> str:
    if not lags:
        return "n/a"
    return f"{median(lags) * 1e3:.0f} / {percentile(lags, 0.99) * 1e3:.0f} ms"


@contextmanager
def schema() -> Iterator[str]:
    """A store URL whose search_path is a fresh schema, dropped after."""
    import psycopg

    base = postgres_base()
    name = f"bench_{secrets.token_hex(5)}_workers"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


# -- processes ----------------------------------------------------------------------------------------------


class Cluster:
    """``reactchat run --workers N`` on a fresh schema behind nginx; ``url`` is nginx's address."""

    def __init__(self, folder: str, store: str, workers: int) -> None:
        from tests.nginx import Nginx

        self.folder = folder
        self.store = store
        self.count = workers
        script = os.path.join(folder, "app.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(APP))
        self.port = free_ports(workers)
        listen = free_ports(1)
        self.log = open(os.path.join(folder, f"workers-{self.port}.log"), "wb")
        command = [sys.executable, "-m", "reactchat", "run", script, "--workers", str(workers),
                   "--port", str(self.port), "--store", store, "--no-watch",
                   "--trusted-proxy", "127.0.0.1"]  # fmt: skip
        self.supervisor = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO)
        self.nginx: Nginx | None = None
        try:
            self.wait_workers(60)
            nginx = Nginx(nginx_config(workers, self.port, listen=f"127.0.0.1:{listen}"), listen, self._tmp())
            # Room for every tab twice over (a client and an upstream connection each).
            nginx.main.write_text(
                nginx.main.read_text().replace("worker_connections 256", "worker_connections 8192")
            )
            self.nginx = nginx.start()
        except BaseException:
            self.stop()
            raise
        self.url = nginx.url

    def _tmp(self) -> Any:
        import pathlib

        path = pathlib.Path(self.folder) / f"nginx-{self.port}"
        path.mkdir(exist_ok=True)
        return path

    def children(self) -> list[int]:
        """The pids of the supervisor's worker processes now."""
        pid = self.supervisor.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def serving(self) -> int:
        from tests.nginx import health

        return sum(health(p) is not None for p in range(self.port, self.port + self.count))

    def wait_workers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.serving() < self.count:
            if self.supervisor.poll() is not None:
                raise RuntimeError(
                    f"reactchat run --workers {self.count} exited with {self.supervisor.returncode}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count} workers did not all serve within {timeout:g} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        if self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGTERM)
            try:
                self.supervisor.wait(40)
            except subprocess.TimeoutExpired:
                self.supervisor.kill()
                self.supervisor.wait()
        self.log.close()


# -- browsers -----------------------------------------------------------------------------------------------


class Tab(Client):
    """A tab's WebSocket (tests/serving.py's ``Client``) that also notes when each server stamp arrives."""

    def __init__(self, conn: Any) -> None:
        super().__init__(conn)
        self.stamps: dict[int, float] = {}  # server ms -> arrival (time.time())
        self.errors: list[str] = []
        self.first_frame: float | None = None

    async def recv(self, timeout: float = 5.0) -> tuple[int | None, list[Op]] | None:
        data = await asyncio.wait_for(self.conn.read_message(), timeout)
        now = time.time()
        if data is None:
            self.closed = True
            return None
        assert isinstance(data, bytes)
        if self.first_frame is None:
            self.first_frame = time.monotonic()
        for stamp in _STAMP.findall(data):
            self.stamps.setdefault(int(stamp), now)
        _, seq, ops = msgpack.unpackb(data, raw=False)
        for op in ops:
            if op[0] == HELLO:
                self.token, self.last_ev_seq = op[1], op[2]
            elif op[0] == NOTE:
                self.notes.append(str(op[1]))
            elif op[0] == RUN:
                self.run_state = op[1]
            elif op[0] == ERR and op[1] is not None:
                self.errors.append(str(op[1]))
        if seq is not None:
            self.last_seq = seq
        self.replica.apply(ops)
        return seq, ops

    def active(self) -> str | None:
        """The stored conversation the tab shows."""
        for node in walk(self.tree):
            if node[1] == "conversations":
                return node[2].get("active")  # type: ignore[no-any-return]
        return None

    def lags(self) -> list[float]:
        return [arrived - ms / 1000 for ms, arrived in self.stamps.items()]


class Browser:
    """One user's browser: its own cookies (from a first ``GET /``) and its own address, which nginx passes
    on in X-Forwarded-For (so the workers' per-address session cap sees distinct users, as in production)."""

    def __init__(self, url: str, number: int) -> None:
        self.url = url
        self.address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255 or 1}"
        self.cookies = ""
        self.tab_id = secrets.token_hex(12)  # as the page's: its events are numbered per tab

    async def load(self) -> None:
        answer = await AsyncHTTPClient().fetch(
            self.url + "/", headers={"X-Forwarded-For": self.address}, request_timeout=60
        )
        self.cookies = "; ".join(c.split(";", 1)[0] for c in answer.headers.get_list("Set-Cookie"))

    async def tab(self, conversation: str | None = None, until: Callable[[Client], bool] = ready) -> Tab:
        ws = self.url.replace("http://", "ws://") + "/_rc/ws"
        headers = {"Origin": self.url, "Cookie": self.cookies, "X-Forwarded-For": self.address}
        conn = await websocket_connect(
            HTTPRequest(ws, headers=headers, connect_timeout=30, request_timeout=30)
        )
        tab = Tab(conn)
        await tab.send(["hello", VERSION, None, -1, self.tab_id, conversation])
        try:
            await tab.until(until, timeout=60)
        except ConnectionError:
            raise ConnectionError(
                f"closed ({conn.close_code} {conn.close_reason}) before the tab was ready"
            ) from None
        return tab


def shown(tab: Client) -> list[str]:
    return [text for _, text in tab.texts()]


def answered(tab: Client, question: str) -> bool:
    """The tab shows ``question`` followed by an answer, and no run going."""
    texts = tab.texts()
    return question in [t for _, t in texts] and texts[-1][0] == "assistant" and tab.run_state != "running"


async def open_browsers(url: str, count: int, first: int = 1) -> list[Browser]:
    browsers = [Browser(url, first + i) for i in range(count)]
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def load(b: Browser) -> None:
        async with gate:
            await b.load()

    await asyncio.gather(*(load(b) for b in browsers))
    return browsers


async def open_tabs(browsers: list[Browser]) -> list[Tab]:
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(b: Browser) -> Tab:
        async with gate:
            return await b.tab()

    return list(await asyncio.gather(*(one(b) for b in browsers)))


# -- one streaming run --------------------------------------------------------------------------------------


def expected_words(text: str) -> bool:
    words = text.split()
    return len(words) == TOKENS and all(
        w == f"w{i}" if i % STAMP_EVERY else _STAMP.fullmatch(w.encode()) is not None
        for i, w in enumerate(words)
    )


async def streaming_run(url: str, count: int) -> dict[str, Any]:
    AsyncHTTPClient.configure(None, max_clients=OPEN_AT_ONCE)
    started = time.perf_counter()
    browsers = await open_browsers(url, count)
    tabs = await open_tabs(browsers)
    opening = time.perf_counter() - started
    errors: list[str] = []
    cpu0 = time.process_time()
    start = time.perf_counter()

    async def ask(i: int, tab: Tab) -> None:
        question = f"stream {i}"
        try:
            await tab.submit(tab.input_id(), question)
            await tab.until(lambda c: answered(c, question), timeout=ANSWER_TIMEOUT)
            reply = shown(tab)[-1]
            if not expected_words(reply):
                errors.append(
                    f"tab {i}: the answer shown is not the whole answer ({len(reply.split())} words)"
                )
        except (ConnectionError, TimeoutError) as error:
            errors.append(f"tab {i}: {type(error).__name__}: {str(error)[:120]}")
        errors.extend(f"tab {i}: shown {e}" for e in tab.errors)

    await asyncio.gather(*(ask(i, t) for i, t in enumerate(tabs)))
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    for tab in tabs:
        tab.close()
    lags = [lag for tab in tabs for lag in tab.lags()]
    return {"sessions": count, "open_seconds": round(opening, 2), "seconds": round(total, 2),
            "lag_p50_ms": round(median(lags) * 1e3, 1), "lag_p99_ms": round(percentile(lags, 0.99) * 1e3, 1),
            "stamps": len(lags), "errors": len(errors), "error_samples": errors[:5],
            "client_cpu_share": round(cpu / total, 2)}  # fmt: skip


def stored_answers(store_url: str) -> list[tuple[str, str, str]]:
    """Every stored message as (role, status, content)."""
    with open_store(store_url) as store:
        return [
            (m.role, m.status, m.content)
            for user in store.users()
            for c in store.conversations(user.id)
            for m in store.tree(c.owner_id, c.id)
        ]


def scaling_row(folder: str, workers: int, count: int) -> dict[str, Any]:
    """One row of the scaling table: ``workers`` workers on a fresh schema streaming to ``count`` sessions."""
    with schema() as store_url:
        cluster = Cluster(folder, store_url, workers)
        try:
            row = asyncio.run(asyncio.wait_for(streaming_run(cluster.url, count), 600))
        finally:
            cluster.stop()
        kept = [m for m in stored_answers(store_url) if m[0] == "assistant"]
    row["stored_whole"] = sum(s == "done" and expected_words(c) for _, s, c in kept)
    return row


def scaling(sec: Section, data: dict[str, Any], folder: str) -> None:
    for workers in WORKER_COUNTS:
        skip_rest = ""
        for count in COUNTS:
            key = f"{workers}w_{count}"
            if skip_rest:
                data[key] = {"skipped": skip_rest}
                continue
            row = data[key] = scaling_row(folder, workers, count)
            whole = row["stored_whole"]
            label = f"{workers} worker{'s' if workers > 1 else ''}, {count} sessions"
            print(f"  [workers] {label}: {row}", file=sys.stderr, flush=True)  # progress, if cut short
            sec.info(f"{label}: all answers complete", f"{row['seconds']:.1f} s")
            sec.info("  token lag p50 / p99", f"{row['lag_p50_ms']:.0f} / {row['lag_p99_ms']:.0f} ms")
            sec.check(
                f"  {label}: errors; answers stored whole",
                f"{row['errors']}; {whole}/{count}",
                f"0; {count}/{count}",
                row["errors"] == 0 and whole == count,
            )
            sec.info("  opening the tabs (GET / + socket + first run)", f"{row['open_seconds']:.1f} s")
            sec.info(
                "  the client process's CPU share while streaming", f"{row['client_cpu_share'] * 100:.0f} %"
            )
            for sample in row["error_samples"]:
                sec.note(f"{label}: {sample}")
            following = [c for c in COUNTS if c > count]
            expected = (row["open_seconds"] + row["seconds"]) * following[0] / count if following else 0.0
            if expected > RUN_LIMIT:
                skip_rest = (
                    f"{count} sessions took {row['open_seconds'] + row['seconds']:.0f} s: {following[0]}"
                    f" would take about {expected:.0f} s (> {RUN_LIMIT:g} s)"
                )
        ran = [c for c in COUNTS if "skipped" not in data[f"{workers}w_{c}"]]
        if skip_rest:
            sec.note(
                f"{workers} worker(s): ran {', '.join(map(str, ran))} sessions; larger skipped: {skip_rest}"
            )


# -- chaos --------------------------------------------------------------------------------------------------


async def chaos_run(cluster: Cluster, count: int) -> dict[str, Any]:
    AsyncHTTPClient.configure(None, max_clients=OPEN_AT_ONCE)
    browsers = await open_browsers(cluster.url, count)
    tabs = await open_tabs(browsers)
    sent: list[str] = []
    unanswered: list[str] = []
    errors: list[str] = []
    recovered: list[float] = []
    reconnects_failed = 0
    kills: list[float] = []
    finished = asyncio.Event()
    remaining = [count]
    start = time.perf_counter()

    async def reconnect(browser: Browser, conversation: str | None) -> Tab:
        nonlocal reconnects_failed
        closed = time.monotonic()
        while True:
            try:
                tab = await browser.tab(conversation, until=lambda c: c.first_frame is not None)  # type: ignore[attr-defined]
                assert tab.first_frame is not None
                recovered.append(tab.first_frame - closed)
                await tab.until(ready, timeout=60)
                return tab
            except (OSError, ConnectionError, TimeoutError) as error:  # nginx found no worker yet: try again
                reconnects_failed += 1
                if time.monotonic() - closed > 60:
                    raise TimeoutError(f"no worker served the tab again within 60 s: {error}") from None
                await asyncio.sleep(0.25)
            except Exception as error:  # a 502 from nginx while every upstream is marked failed
                reconnects_failed += 1
                if time.monotonic() - closed > 60:
                    raise TimeoutError(f"no worker served the tab again within 60 s: {error}") from None
                await asyncio.sleep(0.25)

    async def session(i: int, browser: Browser, tab: Tab) -> None:
        try:
            for round_ in range(CHAOS_ROUNDS):
                question = f"chaos {i}-{round_}"
                sent.append(question)
                send = True
                while True:
                    if time.perf_counter() - start > CHAOS_LIMIT:
                        raise TimeoutError(f"{question} not answered within {CHAOS_LIMIT:g} s of the start")
                    try:
                        if send:  # the event under the same number each time, as the page sends it again
                            await tab.submit(tab.input_id(), question, ev_seq=round_ + 1)
                        await tab.until(lambda c, q=question: answered(c, q), timeout=ANSWER_TIMEOUT)  # type: ignore[misc]
                        break
                    except ConnectionError:  # its worker died: the page reconnects, to another
                        errors.extend(f"tab {i}: shown {e}" for e in tab.errors)
                        tab = await reconnect(browser, tab.active())
                        texts = shown(tab)
                        if texts[-1:] == [question] and tab.run_state != "running":
                            unanswered.append(question)  # stored, its worker died before the answer began
                        # Not applied yet (no EVACK came): the page sends its pending events again, and the
                        # server stores a prompt once and answers one it holds without an answer.
                        send = not answered(tab, question)
            errors.extend(f"tab {i}: shown {e}" for e in tab.errors)
            tab.close()
        except (TimeoutError, ConnectionError) as error:
            errors.append(f"tab {i}: {type(error).__name__}: {str(error)[:120]}")
        finally:
            remaining[0] -= 1
            if not remaining[0]:
                finished.set()

    async def killer() -> None:
        rng = random.Random(12)
        try:
            await asyncio.wait_for(finished.wait(), FIRST_KILL)
            return
        except TimeoutError:
            pass
        while not finished.is_set():
            pids = cluster.children()
            if pids:
                os.kill(rng.choice(pids), signal.SIGKILL)
                kills.append(time.perf_counter() - start)
            try:
                await asyncio.wait_for(finished.wait(), KILL_EVERY)
            except TimeoutError:
                pass

    await asyncio.gather(
        killer(), *(session(i, b, t) for i, (b, t) in enumerate(zip(browsers, tabs, strict=True)))
    )
    seconds = time.perf_counter() - start
    return {"sent": sent, "unanswered": unanswered, "errors": errors, "recovered": recovered, "kills": kills,
            "reconnect_attempts_failed": reconnects_failed, "seconds": seconds}  # fmt: skip


def settle(store_url: str, timeout: float) -> int:
    """Wait until no answer is left streaming in the store (their workers' leases run out and a worker marks
    them interrupted); how many still are at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        left = sum(s == "streaming" for _, s, _ in stored_answers(store_url))
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(1)


def chaos(sec: Section, data: dict[str, Any], folder: str) -> None:
    with schema() as store_url:
        cluster = Cluster(folder, store_url, 3)
        try:
            result = asyncio.run(asyncio.wait_for(chaos_run(cluster, CHAOS_SESSIONS), 900))
            left_streaming = settle(store_url, 30)
        finally:
            cluster.stop()
        kept = stored_answers(store_url)
    questions = Counter(c for r, _, c in kept if r == "user")
    statuses = Counter(s for r, s, _ in kept if r == "assistant")
    whole = sum(s == "done" and expected_words(c) for r, s, c in kept if r == "assistant")
    lost = [q for q in result["sent"] if questions[q] == 0]
    twice = [q for q, n in questions.items() if n > 1]
    sent = len(result["sent"])
    recovered = result["recovered"]
    data["chaos"] = {
        "sessions": CHAOS_SESSIONS, "rounds": CHAOS_ROUNDS,
        "kills_at_s": [round(k, 1) for k in result["kills"]],
        "prompts_sent": sent, "lost": len(lost), "stored_twice": len(twice), "answers": dict(statuses),
        "answers_whole": whole, "left_streaming": left_streaming, "errors": len(result["errors"]),
        "error_samples": result["errors"][:5], "reconnects": len(recovered),
        "served_again_p50_ms": round(median(recovered) * 1e3, 1) if recovered else None,
        "served_again_p99_ms": round(percentile(recovered, 0.99) * 1e3, 1) if recovered else None,
        "reconnect_attempts_failed": result["reconnect_attempts_failed"],
        "seconds": round(result["seconds"], 1),
    }  # fmt: skip
    kills = ", ".join(f"{k:.0f}" for k in result["kills"])
    sec.info(
        f"chaos: 3 workers, {CHAOS_SESSIONS} sessions x {CHAOS_ROUNDS} prompts", f"{result['seconds']:.0f} s"
    )
    sec.info("  workers killed -9 (at seconds)", f"{len(result['kills'])} ({kills})")
    sec.info("  answers completed whole / marked interrupted",
             f"{whole} / {statuses.get('interrupted', 0)} of {sum(statuses.values())}")  # fmt: skip
    other = {s: n for s, n in statuses.items() if s not in ("done", "interrupted")}
    sec.check("  answers left streaming / other states", f"{left_streaming} / {other or 0}", "0 / 0",
              left_streaming == 0 and not other)  # fmt: skip
    sec.check("  prompts lost / stored twice", f"{len(lost)} / {len(twice)} of {sent}", "0 / 0",
              not lost and not twice)  # fmt: skip
    no_answer = sum(questions.values()) - sum(statuses.values())
    data["chaos"]["stored_without_answer"] = no_answer
    data["chaos"]["tabs_saw_unanswered"] = len(result["unanswered"])
    sec.info("  prompts a tab found stored without an answer after its worker died, and sent again",
             str(len(result["unanswered"])))  # fmt: skip
    sec.check("  prompts stored with no answer at all", str(no_answer), "0", no_answer == 0)
    sec.check("  errors (shown, or a tab never served again)", str(len(result["errors"])), "0",
              not result["errors"])  # fmt: skip
    sec.info(f"  served again after its worker died, p50 / p99 (n={len(recovered)})", lag_text(recovered))
    sec.info(
        "  reconnect attempts that failed (retried after 0.25 s)", str(result["reconnect_attempts_failed"])
    )
    for sample in result["errors"][:5]:
        sec.note(f"chaos: {sample}")


def run(sec: Section, data: dict[str, Any]) -> None:
    """Section 7: 1 vs 3 workers streaming, then chaos."""
    reason = unavailable()
    if reason:
        data["skipped"] = reason
        sec.note(f"NOT RUN: {reason}")
        return
    data["cores"] = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        scaling(sec, data, folder)
        chaos(sec, data, folder)
    sec.note(
        f"each session: GET / (own cookies, own X-Forwarded-For), a WebSocket through nginx (hash of the"
        f" cookie), one prompt whose answer streams {TOKENS} tokens {DELAY * 1e3:.0f} ms apart"
        f" (~{TOKENS * DELAY:.0f} s alone); all prompts sent at once; time = first submit to the last"
        " answer shown complete"
    )
    sec.note(
        f"token lag: every {STAMP_EVERY}th token carries the server's time.time() when yielded; lag = arrival"
        " of the first frame carrying it at the client (same clock) minus that; includes frame coalescing,"
        " the store, nginx and the client's own queueing (its CPU share is printed: ~100 % = client-bound)"
    )
    sec.note(
        "chaos: served again = socket closed -> first frame of the reconnected tab (a new WebSocket through"
        " nginx naming the conversation the page showed); a prompt is sent again only if the conversation"
        " does not show it; answers counted from the store after the leases of killed workers ran out"
    )


if __name__ == "__main__":  # one row alone: python -m bench.workers WORKERS SESSIONS
    import json

    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        print(json.dumps(scaling_row(folder, int(sys.argv[1]), int(sys.argv[2]))))
