"""Test support for many workers: Debian's nginx run as this user in front of them (``Nginx``), worker
processes (``Worker``), free consecutive ports, and waits on a process's health and output."""

from __future__ import annotations

import http.cookiejar
import os
import pathlib
import random
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from reactchat.protocol import VERSION
from tests.serving import Client, ready, wait_for
from tests.signing import cookie_header

ROOT = pathlib.Path(__file__).resolve().parent.parent


def nginx_binary() -> str:
    """The path of nginx. Missing: the test is skipped, saying how to install it, except under CI (``CI``
    set), where it fails."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    reason = "nginx is not installed: 'make nginx' installs Debian's package"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive loopback ports that are free now, below the range the system
    takes outgoing connections' ports from: a port picked from that range (``bind(0)``) can be taken by any
    connection opened before the server binds it (a CI run saw a worker fail to start so)."""
    low = _ephemeral_low()
    for _ in range(200):
        first = random.randrange(10_000, low - count)
        held: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def _ephemeral_low() -> int:
    """The lowest port the system gives outgoing connections (Linux; else IANA's 49152)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return max(int(f.read().split()[0]), 12_000)
    except (OSError, ValueError, IndexError):
        return 49_152


def health(port: int) -> dict[str, object] | None:
    """What ``/_rc/health`` at ``port`` answers; None when nothing answers (or not with 200)."""
    import json

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_rc/health", timeout=2) as answer:
            return dict(json.loads(answer.read()))
    except (OSError, urllib.error.URLError, ValueError):
        return None


def wait_serving(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 30.0) -> None:
    """Wait until ``/_rc/health`` at ``port`` answers (failing at once if ``process`` exits first)."""

    def up() -> bool:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited with status {process.returncode}")
        return health(port) is not None

    wait_for(up, timeout)


def log_text(path: pathlib.Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def wait_log(path: pathlib.Path, condition: Callable[[str], bool], timeout: float = 30.0) -> str:
    """Wait until the text of the log at ``path`` meets ``condition``; that text."""
    try:
        wait_for(lambda: condition(log_text(path)), timeout)
    except TimeoutError:
        raise TimeoutError(f"{path.name} never met the condition:\n{log_text(path)}") from None
    return log_text(path)


class Worker:
    """``reactchat run SCRIPT --port PORT --store STORE --no-watch [flags]`` as a process of its own, its
    output in ``tmp/worker-PORT.log``; ``wait`` until it serves."""

    def __init__(self, script: str, port: int, store: str, tmp: pathlib.Path, *flags: str) -> None:
        self.port = port
        self.log = tmp / f"worker-{port}.log"
        command = [sys.executable, "-m", "reactchat", "run", script, "--port", str(port), "--store", store,
                   "--no-watch", *flags]  # fmt: skip
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait(self) -> Worker:
        try:
            wait_serving(self.port, self.process)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}:\n{log_text(self.log)}") from None
        return self

    def sessions(self) -> int:
        """The sessions it holds (0 when it does not answer)."""
        found = health(self.port)
        return int(found["sessions"]) if found is not None else 0  # type: ignore[call-overload]

    def kill(self) -> None:
        """``kill -9``: the worker dies at once, finishing nothing."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main_config(site: pathlib.Path, prefix: pathlib.Path) -> str:
    """A whole nginx.conf that runs as this user with everything under ``prefix`` and the generated
    ``site`` (what ``reactchat nginx-config`` prints) in its http block, as Debian's nginx.conf includes
    conf.d/*.conf."""
    temp = {name: prefix / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # As root, nginx's workers would run as nobody, who cannot enter the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} notice;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n"
        + "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items())
        + f"    include {site};\n"
        "}\n"
    )


class Nginx:
    """nginx in front of the workers, with the site ``config`` (the output of ``reactchat nginx-config``),
    run as this user under ``tmp/nginx``; ``port`` is where the config listens."""

    def __init__(self, config: str, port: int, tmp: pathlib.Path) -> None:
        self.binary = nginx_binary()
        self.port = port
        self.prefix = tmp / "nginx"
        self.prefix.mkdir(exist_ok=True)
        site = self.prefix / "reactchat.conf"
        site.write_text(config, encoding="utf-8")
        self.main = self.prefix / "nginx.conf"
        self.main.write_text(main_config(site, self.prefix), encoding="utf-8")
        self.error_log = self.prefix / "error.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-c", str(self.main), "-p", str(self.prefix), "-e", str(self.error_log), *extra]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` of the configuration."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def start(self) -> Nginx:
        """Start nginx and wait until it answers ``/_rc/health`` from a worker."""
        with (self.prefix / "stderr.log").open("wb") as out:
            self.process = subprocess.Popen(self.command("-g", "daemon off;"), stdout=out, stderr=out)

        def answers() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with {self.process.returncode}:\n{log_text(self.error_log)}"
                )
            return health(self.port) is not None

        wait_for(answers, 30)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # nginx's fast shutdown
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Visitor:
    """A browser's cookies, as a page through nginx sets them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> int:
        try:
            with self.opener.open(self.url + path, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return error.code

    def read(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=10) as answer:
            return str(answer.read().decode())

    async def tab(
        self, conversation: str | None = None, token: str | None = None, last_seq: int = -1
    ) -> Client:
        """A tab's WebSocket: a new one, or (``token``) one reconnecting as the page does."""
        cookies = cookie_header(self.jar)
        ws = self.url.replace("http://", "ws://") + "/_rc/ws"
        conn = await websocket_connect(HTTPRequest(ws, headers={"Origin": self.url, "Cookie": cookies}))
        client = Client(conn)
        await client.send(["hello", VERSION, token, last_seq, "", conversation])
        return await client.until(ready)


def messages(c: Client) -> list[tuple[str, str]]:
    return [(role, " ".join(text.split())) for role, text in c.texts()]
