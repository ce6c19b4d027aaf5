"""``reactchat run bot.py --workers N --port P``: N worker processes, each a ``reactchat run`` of the same
script with the same flags on port P+i, kept running by this one.

A worker that dies is started again, after a pause that doubles while it keeps dying (0.5 s up to 30 s,
back to 0.5 s once it has served a minute). A worker that exits before it ever answers ``/_rc/health``
three times in a row is a script or a setting that cannot work: every worker is stopped and the exit
status is 1. SIGTERM, SIGINT and SIGHUP go to every worker (SIGHUP as SIGTERM), which finish as
``reactchat run`` does, letting running answers end; a second one stops them at once. The workers have a
session of their own, so a terminal's Ctrl-C reaches them once, through the supervisor, which waits for
them.

The workers share one PostgreSQL store: SQLite (a file, or memory) is refused, since its answers would be
split among processes that cannot see each other's (a file) or would vanish with each (memory).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

__all__ = ["Supervisor", "Worker", "add_arguments", "supervise"]

FIRST_PAUSE = 0.5
"""Seconds before a dead worker is started again the first time; doubled for each death in a row."""
LONGEST_PAUSE = 30.0
SETTLED = 60.0
"""Seconds a worker must serve before its deaths stop counting towards a longer pause."""
START_ATTEMPTS = 3
"""Exits before serving, in a row, after which the supervisor gives up."""
STOP_WAIT = 60.0
"""Seconds the workers get to finish after SIGTERM before they are killed: longer than their own wait for
running answers (``Config.drain_grace``) and for a run that ignores being stopped (``Config.stop_grace``)."""


def add_arguments(run: argparse.ArgumentParser) -> None:
    """Add ``--workers`` (and the hidden flag the supervisor starts its workers with) to ``reactchat run``."""
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve with N processes on ports PORT to PORT+N-1, restarted when they die; needs a"
        " PostgreSQL --store (see `reactchat nginx-config` for the proxy in front; default: 1)",
    )


def _fail(message: str, code: int) -> int:
    print(f"reactchat: error: {message}", file=sys.stderr, flush=True)
    return code


def _say(message: str) -> None:
    print(f"reactchat: {message}", flush=True)


@dataclasses.dataclass
class Worker:
    """One worker process: its port, the command that starts it, and how it has fared."""

    port: int
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    serving: bool = False
    started: float = 0.0
    failed_starts: int = 0
    deaths: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        # A session of its own: the terminal's Ctrl-C goes to the supervisor alone, which passes it on once (a
        # worker told twice stops its running answers rather than let them finish).
        self.process = subprocess.Popen(self.command, start_new_session=True)
        self.started = time.monotonic()
        self.serving = False
        self.restart_at = None
        _say(f"worker on port {self.port} started (pid {self.process.pid})")


class Supervisor:
    """Starts the workers, restarts the ones that die, and stops them all on SIGTERM or SIGINT.

    Args:
        workers: The workers, not started yet.
        health_host: The address their ``/_rc/health`` answers at.
    """

    def __init__(self, workers: Sequence[Worker], health_host: str) -> None:
        self.workers = list(workers)
        self.health_host = health_host
        self.stopping = threading.Event()
        self.again = threading.Event()
        self.signal = signal.SIGTERM

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signal = signal.SIGTERM if signum == signal.SIGHUP else signal.Signals(signum)
        if self.stopping.is_set():
            self.again.set()
        self.stopping.set()

    def _healthy(self, worker: Worker) -> bool:
        import urllib.error  # here: a server that is not a supervisor never loads urllib's client
        import urllib.request

        host = f"[{self.health_host}]" if ":" in self.health_host else self.health_host
        try:
            with urllib.request.urlopen(f"http://{host}:{worker.port}/_rc/health", timeout=1) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def run(self) -> int:
        """Supervise until a signal (exit status 0 when every worker then exits cleanly) or until a worker
        cannot start (1)."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        for worker in self.workers:
            worker.start()
        try:
            while not self.stopping.wait(0.1):
                failure = self._check()
                if failure:
                    self._stop_all(signal.SIGTERM)
                    return _fail(failure, 1)
        finally:
            if self.stopping.is_set():
                _say(f"stopping {len(self.workers)} workers")
        return self._stop_all(self.signal)

    def _check(self) -> str | None:
        """Look at every worker once: restart the dead, note the newly serving; a message when one cannot
        start."""
        now = time.monotonic()
        for worker in self.workers:
            if self.stopping.is_set():
                return None  # a stop came: no worker is started again (it would miss the signal)
            process = worker.process
            if worker.restart_at is not None:
                if now >= worker.restart_at:
                    worker.start()
                continue
            if process is None:
                continue
            status = process.poll()
            if status is None:
                if not worker.serving and self._healthy(worker):
                    worker.serving = True
                    worker.failed_starts = 0
                continue
            if worker.serving:
                if now - worker.started > SETTLED:
                    worker.deaths = 0
                worker.deaths += 1
            else:
                worker.failed_starts += 1
                worker.deaths += 1
                if worker.failed_starts >= START_ATTEMPTS:
                    return (
                        f"the worker on port {worker.port} exited with status {status} before serving,"
                        f" {worker.failed_starts} times in a row (its error is above): stopping every worker"
                    )
            pause = min(FIRST_PAUSE * 2 ** (worker.deaths - 1), LONGEST_PAUSE)
            worker.restart_at = now + pause
            _say(f"worker on port {worker.port} (pid {process.pid}) exited with status {status}:"
                 f" starting it again in {pause:g} s")  # fmt: skip
        return None

    def _stop_all(self, signum: signal.Signals) -> int:
        """Send ``signum`` to every running worker, and each later signal too, and wait for them (killing
        the ones that outstay ``STOP_WAIT``); 0 when every one exited cleanly."""
        running = [w.process for w in self.workers if w.process is not None and w.process.poll() is None]
        for process in running:
            process.send_signal(signum)
        deadline = time.monotonic() + STOP_WAIT
        while any(p.poll() is None for p in running) and time.monotonic() < deadline:
            if self.again.wait(0.1):
                self.again.clear()
                for process in running:
                    if process.poll() is None:
                        process.send_signal(self.signal)
        clean = True
        for process in running:
            if process.poll() is None:
                _say(f"worker pid {process.pid} did not stop within {STOP_WAIT:g} s: killing it")
                process.kill()
            clean = process.wait() == 0 and clean
        return 0 if clean else 1


def supervise(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``reactchat run SCRIPT --workers N ...``: check the flags and that the database takes N workers'
    connections, then run N workers (``argv``: the command line's arguments, given to each worker with its
    own port)."""
    from reactchat.store import StoreError, open_store
    from reactchat.store_base import display_url
    from reactchat.store_postgres import PROCESS_CONNECTIONS, PostgresStore

    count, port, store_url = args.workers, args.port, args.store
    if not os.path.isfile(args.script):
        return _fail(f"script not found: {args.script}", 2)
    if count < 1:
        return _fail(f"--workers must be at least 1, got {count}", 2)
    if not 0 < port or port + count - 1 > 65535:
        return _fail(f"--port {port} with --workers {count} needs ports {port} to {port + count - 1}", 2)
    if not store_url.startswith(("postgresql://", "postgres://")):
        shown = display_url(store_url) if store_url else "the default SQLite file"
        return _fail(
            f"--workers {count} needs a PostgreSQL store that every worker shares (--store postgresql://...),"
            f" got {shown}",
            2,
        )
    try:  # say so now, once, rather than in each worker's restarts
        with open_store(store_url) as store:
            room = store.connections_left() if isinstance(store, PostgresStore) else None
    except StoreError as error:
        return _fail(f"cannot open the conversation store: {error}", 1)
    if room is not None and count * PROCESS_CONNECTIONS > room:
        return _fail(
            f"--workers {count} needs {count * PROCESS_CONNECTIONS} database connections"
            f" ({PROCESS_CONNECTIONS} a worker), but the server has {room} free for them:"
            " raise max_connections, or run fewer workers",
            1,
        )
    base = [sys.executable, "-m", "reactchat", *argv]
    # argparse keeps a flag's last value: these override the command line's.
    ports = range(port, port + count)
    workers = [Worker(p, [*base, "--workers", "1", "--port", str(p)]) for p in ports]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(args.host, args.host)
    return Supervisor(workers, host).run()
