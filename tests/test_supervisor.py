"""``reactchat run --workers N``: real worker processes on PostgreSQL, one killed and started again, all
stopped by SIGTERM; the flags it refuses; a worker that cannot start."""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from reactchat.nginx_config import nginx_config
from tests.nginx import ROOT, Nginx, Visitor, free_ports, health, log_text, messages, wait_log, wait_serving
from tests.serving import STORED_SLOW, Client, ready, run, wait_for

CLI = [sys.executable, "-m", "reactchat"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30, cwd=ROOT)


@pytest.mark.parametrize(
    ("store", "shown"),
    [("memory", "memory"), ("sqlite:///x.db", "sqlite:///x.db"), ("", "the default SQLite file")],
)
def test_many_workers_need_a_postgresql_store(store: str, shown: str) -> None:
    done = subprocess.run([*CLI, "run", "examples/echo.py", "--workers", "2", "--store", store],
                          capture_output=True, text=True, timeout=30, cwd=ROOT,
                          env={**os.environ, "REACTCHAT_STORE": ""})  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        "reactchat: error: --workers 2 needs a PostgreSQL store that every worker shares"
        f" (--store postgresql://...), got {shown}\n"
    )


def test_more_workers_than_the_database_has_connections_for_are_refused(postgres_url: str) -> None:
    from reactchat.store_postgres import PROCESS_CONNECTIONS, PostgresStore

    with PostgresStore(postgres_url) as store:
        room = store.connections_left()
    count = room // PROCESS_CONNECTIONS + 1
    done = run_cli(
        "run", "examples/echo.py", "--workers", str(count), "--port", "20000", "--store", postgres_url
    )
    assert done.returncode == 1
    assert f"--workers {count} needs {count * PROCESS_CONNECTIONS} database connections" in done.stderr
    assert "raise max_connections, or run fewer workers" in done.stderr


def test_bad_worker_counts_and_ports_are_named() -> None:
    done = run_cli("run", "examples/echo.py", "--workers", "0")
    assert done.returncode == 2 and done.stderr == "reactchat: error: --workers must be at least 1, got 0\n"
    done = run_cli(
        "run", "examples/echo.py", "--workers", "3", "--port", "65534", "--store", "postgresql://x"
    )
    assert done.returncode == 2
    assert done.stderr == "reactchat: error: --port 65534 with --workers 3 needs ports 65534 to 65536\n"
    done = run_cli("run", "nope.py", "--workers", "2", "--store", "postgresql://x")
    assert done.returncode == 2 and done.stderr == "reactchat: error: script not found: nope.py\n"


class Supervised:
    """``reactchat run SCRIPT --workers N`` as a process, its output in ``tmp/supervisor.log``."""

    def __init__(
        self, tmp: pathlib.Path, count: int, port: int, store: str, script: str = "examples/echo.py"
    ) -> None:
        self.log = tmp / "supervisor.log"
        command = [*CLI, "run", script, "--workers", str(count), "--port", str(port),
                   "--store", store, "--no-watch"]  # fmt: skip
        with self.log.open("wb") as out:
            # A process group of its own, as in a terminal, where Ctrl-C goes to the whole group.
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
            )

    def serving(self, *ports: int) -> None:
        """Wait until a worker answers on each of ``ports``; if the supervisor ends first, say what it logged."""
        try:
            for port in ports:
                wait_serving(port, self.process)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}:\n{log_text(self.log)}") from None

    def pids(self, port: int) -> list[int]:
        """The pids the worker on ``port`` was started with, in order."""
        found = re.findall(rf"worker on port {port} started \(pid (\d+)\)", log_text(self.log))
        return [int(pid) for pid in found]

    def stop(self) -> None:
        """Kill the supervisor and every worker it started (what a failed test leaves)."""
        ports = re.findall(r"worker on port (\d+) started", log_text(self.log))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for pid in {pid for port in ports for pid in self.pids(int(port))}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def supervised(tmp_path: pathlib.Path) -> Iterator[list[Supervised]]:
    made: list[Supervised] = []
    yield made
    for one in made:
        one.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_is_started_again_and_sigterm_stops_them_all(
    tmp_path: pathlib.Path, postgres_url: str, supervised: list[Supervised]
) -> None:
    port = free_ports(2)
    sup = Supervised(tmp_path, 2, port, postgres_url)
    supervised.append(sup)
    sup.serving(port, port + 1)
    [victim] = sup.pids(port + 1)
    [other] = sup.pids(port)
    os.kill(victim, signal.SIGKILL)
    wait_log(sup.log, lambda text: len(re.findall(rf"worker on port {port + 1} started", text)) == 2)
    assert f"worker on port {port + 1} (pid {victim}) exited with status -9: starting it again in 0.5 s" in (
        log_text(sup.log)
    )
    [_, again] = sup.pids(port + 1)
    assert again != victim
    sup.serving(port + 1)
    assert health(port) is not None and sup.pids(port) == [other]  # the other worker was left alone

    sup.process.send_signal(signal.SIGTERM)
    assert sup.process.wait(30) == 0
    text = log_text(sup.log)
    assert "stopping 2 workers" in text and text.count("reactchat: shutting down") == 2, text
    assert not alive(other) and not alive(again)
    assert health(port) is None and health(port + 1) is None


def test_ctrl_c_stops_every_worker_once(
    tmp_path: pathlib.Path, postgres_url: str, supervised: list[Supervised]
) -> None:
    port = free_ports(2)
    sup = Supervised(tmp_path, 2, port, postgres_url)
    supervised.append(sup)
    sup.serving(port, port + 1)
    os.killpg(sup.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert sup.process.wait(30) == 0
    text = log_text(sup.log)
    assert "starting it again" not in text and text.count("started (pid") == 2, text
    assert not any(alive(pid) for p in (port, port + 1) for pid in sup.pids(p))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_lets_running_answers_finish_and_a_second_stops_them(
    tmp_path: pathlib.Path, postgres_url: str, supervised: list[Supervised], signum: int
) -> None:
    script = tmp_path / "slow.py"
    script.write_text(STORED_SLOW, encoding="utf-8")
    port = free_ports(2)
    sup = Supervised(tmp_path, 2, port, postgres_url, str(script))
    supervised.append(sup)
    sup.serving(port, port + 1)

    async def answer(stop_again: bool) -> str:
        c = await Client.connect(f"ws://127.0.0.1:{port}/_rc/ws")
        await c.until(ready)
        await c.submit(c.input_id(), "go")
        await c.until(lambda c: len(c.texts()) == 2 and "w3 " in c.texts()[1][1])
        os.killpg(sup.process.pid, signum)  # the terminal's whole group, or just the supervisor
        if stop_again:
            wait_log(sup.log, lambda text: "letting 1 running answers finish" in text)
            os.killpg(sup.process.pid, signum)
        with contextlib.suppress(ConnectionError):  # the worker closes the tab once its answer is over
            await c.until(lambda c: c.run_state != "running", timeout=20)
        return c.texts()[1][1]

    assert run(answer(stop_again=False)).endswith("w39")  # the worker was told once: it let it finish
    assert sup.process.wait(30) == 0
    assert log_text(sup.log).count("letting 1 running answers finish") == 1

    sup = Supervised(tmp_path, 2, port, postgres_url, str(script))
    supervised.append(sup)
    sup.serving(port, port + 1)
    assert not run(answer(stop_again=True)).endswith("w39")  # told twice: it stopped the answer
    sup.process.wait(30)


def test_a_worker_that_cannot_start_stops_them_all(
    tmp_path: pathlib.Path, postgres_url: str, supervised: list[Supervised]
) -> None:
    port = free_ports(2)
    with socket.socket() as taken:  # the second worker's port is taken: it exits at each start
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        sup = Supervised(tmp_path, 2, port, postgres_url)
        supervised.append(sup)
        assert sup.process.wait(60) == 1
    text = log_text(sup.log)
    assert (
        f"reactchat: error: the worker on port {port + 1} exited with status 1 before serving, 3 times in a"
        " row (its error is above): stopping every worker"
    ) in text
    assert f"port {port + 1} on 127.0.0.1 is already in use" in text
    [first] = sup.pids(port)
    wait_for(lambda: not alive(first))
    assert health(port) is None


def test_behind_nginx_a_killed_workers_tab_goes_on_at_the_other_and_the_worker_comes_back(
    tmp_path: pathlib.Path, postgres_url: str, supervised: list[Supervised]
) -> None:
    port = free_ports(2)
    sup = Supervised(tmp_path, 2, port, postgres_url, "examples/conversations.py")
    supervised.append(sup)
    sup.serving(port, port + 1)
    listen = free_ports(1)
    nginx = Nginx(nginx_config(2, port, listen=f"127.0.0.1:{listen}"), listen, tmp_path).start()
    try:
        visitor = Visitor(nginx.url)
        assert visitor.get("/") == 200
        said = [("user", "one"), ("assistant", "You wrote one (message 1 of this conversation).")]

        async def first() -> tuple[str, str, int]:
            c = await visitor.tab()
            await c.submit(c.input_id(), "one")
            await c.until(lambda c: messages(c) == said and c.run_state == "done")
            c.close()
            assert c.token is not None
            return str(c.nodes("conversations")[0][2]["active"]), c.token, c.last_seq

        conversation, token, last_seq = run(first())
        [served] = [p for p in (port, port + 1) if (health(p) or {}).get("sessions") == 1]
        [pid] = sup.pids(served)
        os.kill(pid, signal.SIGKILL)

        async def again() -> (
            None
        ):  # at once, while the worker is down or starting: nginx finds one that serves
            c = await visitor.tab(conversation, token, last_seq)
            await c.until(lambda c: messages(c) == said)
            await c.submit(c.input_id(), "two")
            await c.until(lambda c: len(messages(c)) == 4 and c.run_state == "done")
            assert messages(c)[2:] == [
                ("user", "two"),
                ("assistant", "You wrote two (message 3 of this conversation)."),
            ]
            c.close()

        run(again())
        wait_log(sup.log, lambda text: len(re.findall(rf"worker on port {served} started", text)) == 2)
        sup.serving(served)
    finally:
        nginx.stop()
    sup.process.send_signal(signal.SIGTERM)
    assert sup.process.wait(30) == 0
