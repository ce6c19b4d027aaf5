"""Section 8 (issue #16): many tabs on one server process.

One ``reactchat run`` process (a subprocess, so its /proc numbers are the server's alone; no store needed:
the app keeps its history in ``rc.session_state``). ``IDLE_TABS`` simulated browsers each fetch ``/`` and
open a WebSocket whose first run completes; then the process's resident memory (VmRSS) and thread count
(/proc/PID/status) are read, next to the same numbers before any tab. Then ``STREAMING`` of those tabs
submit a prompt at once, each answer streaming ``TOKENS`` tokens ``DELAY`` s apart, while the others stay
connected: total time, token lag (server stamps, as section 7 measures it), errors, and the process's
threads at their peak while streaming (checked against the server's run threads, ``--run-threads``, plus a
few of its own) and once idle again. ``REACTCHAT_RUN_THREADS=50`` in the environment runs the server with
fewer run threads than streaming tabs: runs then wait in line and streams give their pumps back.

Each browser sends its own X-Forwarded-For (the server trusts 127.0.0.1 as a proxy), so the per-address
session cap sees distinct users, as it would in production.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from typing import Any

from tornado.httpclient import AsyncHTTPClient

from bench.apps import REPO
from bench.report import Section, median, percentile
from bench.workers import (
    ANSWER_TIMEOUT,
    DELAY,
    OPEN_AT_ONCE,
    STAMP_EVERY,
    TOKENS,
    Tab,
    answered,
    expected_words,
    open_browsers,
    open_tabs,
    shown,
)
from tests.nginx import free_ports

IDLE_TABS = 1000
STREAMING = 100
FIXED_THREADS = 8  # threads a server has besides its run threads: the loop's, the executor's, timers

APP = f"""
import time
import reactchat as rc

rc.session_state.setdefault("history", [])
for m in rc.session_state.history:
    rc.message(m)

def tokens():
    for i in range({TOKENS}):
        time.sleep({DELAY})
        # the server's clock, in milliseconds, when it yields this token: the client measures the lag
        yield f"ts{{int(time.time() * 1000)}} " if i % {STAMP_EVERY} == 0 else f"w{{i}} "

if prompt := rc.chat_input():
    rc.message("user", prompt)
    with rc.message("assistant"):
        reply = rc.write_stream(tokens())
    rc.session_state.history += [
        {{"role": "user", "content": prompt}},
        {{"role": "assistant", "content": reply}},
    ]
"""


def status(pid: int) -> tuple[int, int]:
    """The process's resident memory (bytes) and thread count, from /proc/PID/status."""
    rss = threads = 0
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def health(port: int) -> dict[str, Any]:
    from tests.nginx import health

    found = health(port)
    return dict(found) if found is not None else {}


class Peak:
    """The most threads the process had, sampled every 50 ms in a thread of its own until ``stop``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.threads = 0
        self.rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            rss, threads = status(self.pid)
            self.threads, self.rss = max(self.threads, threads), max(self.rss, rss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


async def measure(url: str, pid: int, port: int) -> dict[str, Any]:
    AsyncHTTPClient.configure(None, max_clients=OPEN_AT_ONCE)
    data: dict[str, Any] = {}
    data["before_rss"], data["before_threads"] = status(pid)
    started = time.perf_counter()
    browsers = await open_browsers(url, IDLE_TABS)
    tabs: list[Tab] = await open_tabs(browsers)
    data["open_seconds"] = round(time.perf_counter() - started, 2)
    await asyncio.sleep(1.0)  # the first runs' threads end once their runs are done: let them
    data["idle_rss"], data["idle_threads"] = status(pid)
    data["sessions"] = health(port).get("sessions", -1)

    errors: list[str] = []
    peak = Peak(pid)
    start = time.perf_counter()

    async def ask(i: int, tab: Tab) -> None:
        question = f"stream {i}"
        try:
            await tab.submit(tab.input_id(), question)
            await tab.until(lambda c: answered(c, question), timeout=ANSWER_TIMEOUT)
            if not expected_words(shown(tab)[-1]):
                errors.append(f"tab {i}: the answer shown is not the whole answer")
        except (ConnectionError, TimeoutError) as error:
            errors.append(f"tab {i}: {type(error).__name__}: {str(error)[:120]}")
        errors.extend(f"tab {i}: shown {e}" for e in tab.errors)

    streaming = tabs[:: IDLE_TABS // STREAMING][:STREAMING]
    await asyncio.gather(*(ask(i, t) for i, t in enumerate(streaming)))
    data["stream_seconds"] = round(time.perf_counter() - start, 2)
    peak.stop()
    data["peak_threads"], data["peak_rss"] = peak.threads, peak.rss
    data["runs"] = health(port).get("runs", {})  # the pool: its bound, its peak, abandoned runs
    await asyncio.sleep(1.0)
    data["after_rss"], data["after_threads"] = status(pid)
    lags = [lag for tab in streaming for lag in tab.lags()]
    data["lag_p50_ms"] = round(median(lags) * 1e3, 1)
    data["lag_p99_ms"] = round(percentile(lags, 0.99) * 1e3, 1)
    data["errors"] = len(errors)
    data["error_samples"] = errors[:5]
    # The idle ones: still connected, shown no error.
    data["idle_closed"] = sum(t.closed for t in tabs)
    data["idle_errors"] = sum(len(t.errors) for t in tabs if t not in streaming)
    for tab in tabs:
        tab.close()
    return data


def run(sec: Section, data: dict[str, Any]) -> None:
    """Section 8: 1,000 idle tabs (RSS, threads), 100 of them streaming at once."""
    with tempfile.TemporaryDirectory(prefix="bench-tabs-") as folder:
        script = os.path.join(folder, "app.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(APP))
        port = free_ports(1)
        log = open(os.path.join(folder, "server.log"), "wb")
        command = [
            sys.executable,
            "-m",
            "reactchat",
            "run",
            script,
            "--port",
            str(port),
            "--no-watch",
            "--trusted-proxy",
            "127.0.0.1",
        ]  # as behind a proxy: each browser's own X-Forwarded-For
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        try:
            from tests.nginx import wait_serving

            wait_serving(port, server)
            result = asyncio.run(asyncio.wait_for(measure(f"http://127.0.0.1:{port}", server.pid, port), 600))
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    data.update(result)
    mb = 1 << 20
    per_tab = (result["idle_rss"] - result["before_rss"]) / IDLE_TABS
    data["per_tab_kb"] = round(per_tab / 1024, 1)
    sec.info("server process before any tab: RSS / threads",
             f"{result['before_rss'] / mb:.0f} MB / {result['before_threads']}")  # fmt: skip
    sec.info(f"opening {IDLE_TABS:,} tabs (GET / + socket + first run)", f"{result['open_seconds']:.1f} s")
    sec.info("  sessions the server holds", str(result["sessions"]))
    sec.check(f"{IDLE_TABS:,} idle tabs: RSS (per tab)",
              f"{result['idle_rss'] / mb:.0f} MB ({per_tab / 1024:.0f} KB)", "<= 150 MB",
              result["idle_rss"] <= 150 * mb)  # fmt: skip
    sec.check(f"{IDLE_TABS:,} idle tabs: threads", str(result["idle_threads"]), "<= 20",
              result["idle_threads"] <= 20)  # fmt: skip
    sec.info(f"{STREAMING} of them streaming {TOKENS} tokens at once: all complete",
             f"{result['stream_seconds']:.1f} s")  # fmt: skip
    sec.info("  token lag p50 / p99", f"{result['lag_p50_ms']:.0f} / {result['lag_p99_ms']:.0f} ms")
    sec.check("  errors (streaming tabs; idle tabs closed or shown one)",
              f"{result['errors']}; {result['idle_closed']} / {result['idle_errors']}", "0; 0 / 0",
              result["errors"] == 0 and not result["idle_closed"] and not result["idle_errors"])  # fmt: skip
    runs = result["runs"]
    bound = runs.get("run_threads", 0) + FIXED_THREADS
    sec.check(f"  threads at the peak while streaming (run threads: {runs.get('run_threads')})",
              str(result["peak_threads"]), f"<= {bound} (run threads + {FIXED_THREADS})",
              0 < result["peak_threads"] <= bound)  # fmt: skip
    sec.info("  threads idle again after; run threads busy at once at the peak / abandoned",
             f"{result['after_threads']}; {runs.get('peak')} / {runs.get('abandoned')}")  # fmt: skip
    sec.info("  RSS at the peak / idle again after",
             f"{result['peak_rss'] / mb:.0f} / {result['after_rss'] / mb:.0f} MB")  # fmt: skip
    for sample in result["error_samples"]:
        sec.note(sample)
    sec.note(
        f"one `reactchat run` process, no store (history in rc.session_state); the client is one asyncio"
        f" process; each answer {TOKENS} tokens {DELAY * 1e3:.0f} ms apart (~{TOKENS * DELAY:.0f} s alone);"
        " the streaming tabs are every 10th of the idle ones; /proc/PID/status read 1 s after the tabs"
        " settle; token lag as in section 7 (server stamps every 10th token)"
    )
