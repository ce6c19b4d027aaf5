"""``reactchat run`` startup: spawn the CLI on a free port and time until ``GET /_rc/health`` answers, and
until a page is usable (``time_first_page``: its HTML, then its WebSocket's frame ending the first run)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.apps import REPO
from reactchat.protocol import VERSION
from tests.nginx import free_ports


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        conn.request("GET", "/_rc/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def reactchat_bin() -> str:
    """The ``reactchat`` console script next to this interpreter (the project's venv)."""
    return os.path.join(os.path.dirname(sys.executable), "reactchat")


def _spawn(script: str, port: int, err: Any, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``reactchat run SCRIPT`` on ``port``, its errors to ``err``."""
    command = [reactchat_bin(), "run", script, "--port", str(port), "--no-watch"]
    quiet = subprocess.DEVNULL
    return subprocess.Popen(command, cwd=REPO, stdin=quiet, stdout=quiet, stderr=err, env=env)


def time_startup(script: str = "examples/echo.py", timeout: float = 15.0) -> float:
    """Seconds from spawning ``reactchat run SCRIPT`` to the first successful health check."""
    last_error: Exception | None = None
    for _attempt in range(3):  # a free port can be taken between probing and binding it
        port = free_ports(1)
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = _spawn(script, port, err)
            try:
                while time.perf_counter() - start < timeout:
                    if proc.poll() is not None:
                        err.seek(0)
                        last_error = RuntimeError(
                            f"reactchat run exited with {proc.returncode}: {err.read().decode()[-500:]}"
                        )
                        break
                    if _healthy(port):
                        return time.perf_counter() - start
                    time.sleep(0.005)
                else:
                    raise TimeoutError(f"reactchat run did not answer /_rc/health within {timeout} s")
            finally:
                _stop(proc)
    raise RuntimeError(f"could not start reactchat run: {last_error}")


FINAL = ("done", "error", "stopped")


async def _first_page(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """As a browser opening the page does: GET / (polled until the server listens), then the WebSocket with
    the page's cookies, a hello, and frames until one ends the first run."""
    import asyncio

    import msgpack
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    from reactchat.ops import RUN

    base = f"http://127.0.0.1:{port}"
    client = AsyncHTTPClient(force_instance=True)
    deadline = time.perf_counter() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"reactchat run exited with {proc.returncode}")
            try:
                page = await client.fetch(base + "/", request_timeout=1.0)
                break
            except (OSError, HTTPClientError):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"reactchat run did not serve / within {timeout} s") from None
                await asyncio.sleep(0.005)
    finally:
        client.close()
    cookies = "; ".join(c.split(";", 1)[0] for c in page.headers.get_list("Set-Cookie"))
    headers = {"Origin": base, **({"Cookie": cookies} if cookies else {})}
    conn = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{port}/_rc/ws", headers=headers))
    try:
        await conn.write_message(msgpack.packb(["hello", VERSION, None, -1, "bench"]), binary=True)
        while True:
            data = await asyncio.wait_for(conn.read_message(), max(0.1, deadline - time.perf_counter()))
            if data is None:
                raise ConnectionError("the server closed the WebSocket")
            frame = msgpack.unpackb(data, raw=False)
            ops = frame[2] if isinstance(frame, list) and len(frame) == 3 else []
            if any(op[0] == RUN and op[1] in FINAL for op in ops if isinstance(op, list)):
                return
    finally:
        conn.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far, from /proc (10 ms resolution)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_bytecode: list[str] = []  # the folder of the spawned servers' compiled modules (time_first_page), once made


def _bytecode_folder() -> str:
    if not _bytecode:
        import atexit
        import shutil

        _bytecode.append(tempfile.mkdtemp(prefix="bench-pyc-"))
        atexit.register(shutil.rmtree, _bytecode[0], True)
    return _bytecode[0]


def time_first_page(
    script: str = "examples/echo.py", timeout: float = 15.0, bytecode: bool = True
) -> tuple[float, float]:
    """Seconds from spawning ``reactchat run SCRIPT`` to a usable page: its HTML, then its WebSocket's frame
    that ends the first run (the page drawn, its input ready); and the CPU seconds the server used by then
    (what a shared machine's load does not change).

    With ``bytecode``, modules are compiled once and kept (in a folder of this process's: the first spawn
    writes it), as an installed package's are; without, every reactchat module is compiled at each start
    (``PYTHONDONTWRITEBYTECODE`` in a source checkout)."""
    import asyncio

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = _bytecode_folder()
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"

    last_error: Exception | None = None
    for _attempt in range(3):  # a free port can be taken between probing and binding it
        port = free_ports(1)
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = _spawn(script, port, err, env)
            try:
                asyncio.run(_first_page(port, proc, timeout))
                return time.perf_counter() - start, cpu_seconds(proc.pid)
            except RuntimeError as error:
                err.seek(0)
                last_error = RuntimeError(f"{error}: {err.read().decode()[-500:]}")
            finally:
                _stop(proc)
    raise RuntimeError(f"could not start reactchat run: {last_error}")


def time_interpreter() -> float:
    """Seconds to spawn and exit the bare interpreter: the floor under any CLI startup."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def time_import(module: str) -> float:
    """Seconds to spawn the interpreter, import ``module`` and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=REPO)
    return time.perf_counter() - start
