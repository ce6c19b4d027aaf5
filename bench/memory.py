"""Section 9 (issue #16): server memory per session holding 1,000 messages.

Three ``reactchat run`` processes (subprocesses, so /proc's VmRSS is the server's alone), each serving the
echo app of ``bench/apps.py`` whose sessions each make a 1,000-message history in ``rc.session_state``: one
that shows it (``rc.history``) and its baseline, which only holds it, both with each session's own
conversation (different texts, as different users have: every session renders its own markdown); and one
that shows the same conversation in every session (its renders shared through the process's cache, so a
session holds only its tree). ``TABS`` browsers open a tab each; the resident memory they add, per tab, is
the session's cost; the difference between the first two is what showing the history costs reactchat (the
tree, its props, the renders and what rendering leaves in the allocator; the tabs acknowledge their frames,
as a browser does, so the replay buffer holds none), apart from the app's own copy of its history.
"""

from __future__ import annotations

import asyncio
import pathlib
import statistics
import tempfile
import time
from typing import Any

from tornado.httpclient import AsyncHTTPClient

from bench.apps import Apps
from bench.report import Section
from bench.tabs import status
from bench.workers import OPEN_AT_ONCE, Browser, Tab, open_browsers, open_tabs
from tests.nginx import Worker, free_ports

TABS = 20
HISTORY = 1000
TARGET = 400 * 1024  # bytes a session may add for showing its 1,000 messages


async def _open(url: str, pid: int, at_once: bool) -> tuple[int, int, list[float]]:
    """RSS before and after ``TABS`` tabs opened (``at_once``, else each once the one before is ready) and
    idle, and the seconds after which each tab was ready (from when they started opening)."""
    AsyncHTTPClient.configure(None, max_clients=OPEN_AT_ONCE)
    warm = await open_tabs(await open_browsers(url, 1, first=TABS + 1))  # imports, caches: not per session
    await asyncio.sleep(0.5)
    before, _ = status(pid)
    browsers = await open_browsers(url, TABS)
    started = time.perf_counter()
    ready: list[float] = []

    async def one(browser: Browser) -> Tab:
        tab = await browser.tab()
        ready.append(time.perf_counter() - started)
        return tab

    tabs = list(await asyncio.gather(*map(one, browsers))) if at_once else [await one(b) for b in browsers]
    for tab in tabs:  # as a browser does: what it applied needs no replay
        await tab.send(["ack", tab.last_seq])
    await asyncio.sleep(1.0)  # their first runs' threads end
    after, _ = status(pid)
    for tab in [*warm, *tabs]:
        tab.close()
    return before, after, sorted(ready)


def _per_tab(script: str, at_once: bool = True) -> tuple[float, list[float]]:
    port = free_ports(1)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        server = Worker(script, port, "memory", pathlib.Path(folder), "--trusted-proxy", "127.0.0.1").wait()
        try:
            url = f"http://127.0.0.1:{port}"
            before, after, ready = asyncio.run(asyncio.wait_for(_open(url, server.process.pid, at_once), 300))
        finally:
            server.stop()
    return (after - before) / TABS, ready


def run(sec: Section, data: dict[str, Any]) -> None:
    """Measure section 9 into ``sec`` and ``data``."""
    apps = Apps()
    try:
        shown, ready = _per_tab(apps.echo(HISTORY, history_seed=None))
        one_by_one, _ = _per_tab(apps.echo(HISTORY, history_seed=None), at_once=False)
        held, _ = _per_tab(apps.echo(HISTORY, baseline=True, history_seed=None))
        alike, _ = _per_tab(apps.echo(HISTORY))
    finally:
        apps.cleanup()
    own = shown - held
    data.update(tabs=TABS, ready_s=[round(t, 3) for t in ready], per_session_kb=round(shown / 1024, 1),
                app_history_kb=round(held / 1024, 1), reactchat_kb=round(own / 1024, 1),
                same_texts_kb=round((alike - held) / 1024, 1),
                one_by_one_kb=round((one_by_one - held) / 1024, 1))  # fmt: skip
    sec.info(
        f"a session holding {HISTORY:,} messages of its own: RSS per tab, in all", f"{shown / 1024:,.0f} KB"
    )
    sec.info(
        "  of which the app's own history (a process that holds it, shows none)", f"{held / 1024:,.0f} KB"
    )
    sec.check(
        f"server memory per session showing {HISTORY:,} messages (reactchat's part)",
        f"{own / 1024:,.0f} KB",
        f"<= {TARGET // 1024} KB",
        own <= TARGET,
    )
    sec.info(
        f"  the {TABS} tabs opened at once: ready after, first / median / last",
        " / ".join(f"{t:.2f}" for t in (ready[0], statistics.median(ready), ready[-1])) + " s",
    )
    sec.info(
        "  the same, the tabs opened one after another (no run allocating while others render)",
        f"{(one_by_one - held) / 1024:,.0f} KB",
    )
    sec.info(
        "  the same, every session showing the same messages (renders shared: the tree alone)",
        f"{(alike - held) / 1024:,.0f} KB",
    )
    sec.note(
        f"{TABS} tabs opened after one warm-up tab, each its own browser (their first runs take turns:"
        f" reactchat/gate.py); VmRSS of the `reactchat run`"
        f" process before and 1 s after (pymalloc keeps freed arenas: an upper bound); echo app of"
        f" bench/apps.py, {HISTORY:,} messages of bench.corpus (~0.75 KB of text each) per session, each"
        f" session its own conversation unless said"
    )
