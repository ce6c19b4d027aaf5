"""``reactchat run`` startup: spawn the CLI on a free port and time until ``GET /_rc/health`` answers."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time

from bench.apps import REPO


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def time_startup(script: str = "examples/echo.py", timeout: float = 15.0) -> float:
    """Seconds from spawning ``reactchat run SCRIPT`` to the first successful health check."""
    last_error: Exception | None = None
    for _attempt in range(3):  # a free port can be taken between probing and binding it
        port = free_port()
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [reactchat_bin(), "run", script, "--port", str(port), "--no-watch"],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
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
