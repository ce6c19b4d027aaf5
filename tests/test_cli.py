from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from reactchat import __version__
from tests.nginx import free_ports
from tests.serving import Browser, Client, ready, run

CLI = [sys.executable, "-m", "reactchat.cli"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30)


def test_version() -> None:
    result = run_cli("version")
    assert result.returncode == 0 and result.stdout.strip() == f"reactchat {__version__}"


def test_missing_script_is_a_one_line_error() -> None:
    result = run_cli("run", "nope.py")
    assert result.returncode == 2
    assert result.stderr.strip() == "reactchat: error: script not found: nope.py"


def test_bad_flag_names_the_flag() -> None:
    result = run_cli("run", "examples/echo.py", "--bogus")
    assert result.returncode == 2 and "unrecognized arguments: --bogus" in result.stderr


def test_bad_session_grace() -> None:
    result = run_cli("run", "examples/echo.py", "--session-grace", "0")
    assert (
        result.returncode == 2
        and "--session-grace must be a positive number of seconds, got 0.0" in result.stderr
    )


def test_bad_port_value() -> None:
    result = run_cli("run", "examples/echo.py", "--port", "70000")
    assert result.returncode == 2 and "--port must be between 1 and 65535, got 70000" in result.stderr


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_taken_port_is_a_one_line_error(taken_port: int) -> None:
    result = run_cli("run", "examples/echo.py", "--port", str(taken_port), "--no-watch")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"reactchat: error: port {taken_port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_run_prints_the_url_and_serves() -> None:
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "run", "examples/echo.py", "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == f"reactchat: serving examples/echo.py at http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_rc/health", timeout=5) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_bad_allowed_host_names_the_value() -> None:
    result = run_cli("run", "examples/echo.py", "--allowed-host", "https://chat.example.com/")
    assert result.returncode == 2
    assert (
        "--allowed-host takes a host name (e.g. chat.example.com), got 'https://chat.example.com/'"
        in result.stderr
    )


def test_allowed_host_admits_a_name_and_others_are_still_refused() -> None:
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "run", "examples/echo.py", "--port", str(port), "--no-watch", "--allowed-host", "chat.example",
         "--allowed-host", "other.example"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/_rc/health"
        for host in ("chat.example", f"other.example:{port}"):
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": host}), timeout=5) as r:
                assert r.status == 200
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "evil.example"}), timeout=5)
        assert err.value.code == 403
    finally:
        proc.terminate()
        proc.wait(10)


def test_bad_max_memory_names_the_value() -> None:
    result = run_cli("run", "examples/echo.py", "--max-memory", "lots")
    assert result.returncode == 2
    assert "--max-memory: not a size: 'lots' (write e.g. 512MB or 2GB)" in result.stderr


SHUTDOWN_APP = """
import time
import reactchat as rc
def endless():
    try:
        while True:
            time.sleep(0.01)
            yield "."
    finally:
        open({marker!r}, "w").close()
if msg := rc.chat_input("attach", multimodal=True):
    with rc.message("assistant"):
        rc.write_stream(endless())
"""
"""A multimodal app whose answer streams until stopped, then leaves a marker file."""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_shuts_down_cleanly_stopping_runs_and_removing_uploads(
    tmp_path: pathlib.Path, signum: int
) -> None:
    app, marker = tmp_path / "app.py", tmp_path / "stopped"
    app.write_text(SHUTDOWN_APP.format(marker=str(marker)))
    temp = tmp_path / "temp"
    temp.mkdir()
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "run", str(app), "--port", str(port), "--no-watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )  # fmt: skip
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"

        async def tab() -> None:
            c = await Client.connect(url.replace("http", "ws") + "/_rc/ws")
            await c.until(ready)
            status, body = Browser(url).upload(c.input_id(), c.token, b"hello", "a.txt", "text/plain")
            assert status == 200 and body["size"] == 5
            assert [p.name[:18] for p in temp.iterdir()] == ["reactchat-uploads-"]
            await c.submit(c.input_id(), {"text": "go", "files": [body["id"]]})  # type: ignore[arg-type]
            await c.until(lambda c: c.run_state == "running" and "." in str(c.tree))
            proc.send_signal(signum)

        run(tab())
        assert proc.stdout.readline().startswith("reactchat: shutting down")
        assert "letting 1 running answers finish" in proc.stdout.readline()  # this one never would
        proc.send_signal(signum)  # asked again: stop it
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err  # once, SIGTERM killed it at once (-15)
    assert "Traceback" not in err
    assert list(temp.iterdir()) == []  # the uploaded file and its folder are gone
    assert marker.exists()  # the running answer was stopped: its generator's cleanup ran


def test_sigterm_lets_a_running_answer_finish_before_the_server_stops(tmp_path: pathlib.Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "import time\nimport reactchat as rc\n"
        "def tokens():\n    for i in range(30):\n        time.sleep(0.02)\n        yield f'{i} '\n"
        "if rc.chat_input():\n    with rc.message('assistant'):\n        rc.write_stream(tokens())\n"
    )
    port = free_ports(1)
    proc = subprocess.Popen([*CLI, "run", str(app), "--port", str(port), "--no-watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()

        async def tab() -> None:
            c = await Client.connect(f"ws://127.0.0.1:{port}/_rc/ws")
            await c.until(ready)
            await c.submit(c.input_id(), "go")
            await c.until(
                lambda c: c.run_state == "running" and len(c.texts()) == 1 and c.texts()[0][1] != ""
            )
            proc.send_signal(signal.SIGTERM)  # a rolling restart reaches this worker mid-answer
            await c.until(lambda c: c.run_state == "done", timeout=15)
            assert c.texts()[0][1] == " ".join(str(i) for i in range(30))  # whole, not cut short
            while await c.recv() is not None:  # then the tab is sent on (to another worker)
                pass
            assert c.conn.close_code == 1012

        run(tab())
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "letting 1 running answers finish" in out and "Traceback" not in err


def test_run_fills_the_example_cache_at_start_and_prints_a_line_per_example(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "bot.py"
    script.write_text(
        "import reactchat as rc\n"
        "rc.chat_interface(lambda m, h: m[::-1], examples=['abc', 'xyz'], cache_examples=True)\n"
    )
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "run", str(script), "--port", str(port), "--no-watch"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        assert lines[0].startswith("reactchat: serving")
        assert lines[1:] == [
            "reactchat: caching example 1/2: 'abc'",
            "reactchat: caching example 2/2: 'xyz'",
            f"reactchat: 2 example answers cached in {tmp_path / '.reactchat' / 'bot.examples.json'}",
        ]
        kept = json.loads((tmp_path / ".reactchat" / "bot.examples.json").read_text())
        assert sorted(entry["value"] for entry in kept["entries"].values()) == ["cba", "zyx"]
    finally:
        proc.terminate()
        proc.wait(10)


FAILING_APP = """\
import reactchat as rc
def bot(message, history):
    raise RuntimeError("model down: " + message)
rc.chat_interface(bot)
"""


def test_errors_are_logged_once_with_the_user_s_traceback(tmp_path: pathlib.Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(FAILING_APP)
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "run", str(app), "--port", str(port), "--no-watch", "--store", "memory", "--log-level", "info"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"

        async def in_the_browser() -> None:
            c = await Client.connect(f"ws://127.0.0.1:{port}/_rc/ws")
            await c.until(ready)
            await c.submit(c.input_id(), "from the page")
            await c.until(lambda c: c.run_state == "error")

        run(in_the_browser())
        request = urllib.request.Request(url + "/api/chat", data=b'{"message": "from the api"}', method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=5)
        assert err.value.code == 500
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    for where in ("from the page", "from the api"):
        assert stderr.count(f"RuntimeError: model down: {where}") == 1, stderr
    assert stderr.count(f'File "{app}", line 3, in bot') == 2, stderr
    assert "app.py raised:" in stderr and "reactchat/runner.py" not in stderr  # the page's error: user frames


def test_log_level_is_checked() -> None:
    result = run_cli("run", "examples/echo.py", "--log-level", "loud")
    assert result.returncode == 2 and "--log-level: invalid choice: 'loud'" in result.stderr


def test_version_flag() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"reactchat {__version__}"


def test_hello_serves_the_tour_and_head_answers() -> None:
    port = free_ports(1)
    proc = subprocess.Popen(
        [*CLI, "hello", "--port", str(port), "--no-watch"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and "tour/hello.py" in proc.stdout.readline()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", method="HEAD")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200 and response.read() == b""
            assert response.headers["Content-Type"].startswith("text/html")
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_tour_shows_each_feature_it_offers() -> None:
    from reactchat.cli import TOUR
    from reactchat.testing import ChatTest

    t = ChatTest.from_file(TOUR)
    t.set("Speed", 4.0)
    examples = t.nodes("chat")[0][2]["examples"]
    for i in range(len(examples)):
        t.click_example(i)
    assert t.errors == [] and len(t.messages) == 2 * len(examples)
    assert [x["status"] for x in t.thoughts] == ["done"] and t.nodes("chat_input")


def test_export_then_import_moves_a_store_from_sqlite_to_postgresql(
    tmp_path: pathlib.Path, postgres_url: str
) -> None:
    from reactchat.store import open_store
    from tests.test_archive import filled, same

    source_url = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(source_url) as source:
        alice, cid = filled(source)
    dump = tmp_path / "dump.json"
    result = run_cli("export", "--store", source_url)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "reactchat: exported 2 conversations"
    dump.write_text(result.stdout, encoding="utf-8")
    result = run_cli("import", "--store", postgres_url, str(dump))
    assert result.returncode == 0 and result.stderr.strip() == "reactchat: imported 2 conversations"
    with open_store(source_url) as source, open_store(postgres_url) as target:
        same(source, alice, target, target.user("alice"), cid)
    again = run_cli("import", "--store", postgres_url, str(dump))  # ids taken: each one named, status 1
    assert again.returncode == 1 and again.stderr.count("left out: the store holds a conversation") == 2
    assert again.stderr.strip().endswith("imported 0 conversations, left out 2")


def test_one_conversation_exports_and_a_download_imports_from_stdin_for_an_owner(
    tmp_path: pathlib.Path,
) -> None:
    from reactchat.store import open_store
    from tests.test_archive import filled

    source_url, target_url = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    with open_store(source_url) as source:
        _, cid = filled(source)
    result = run_cli("export", "--store", source_url, "--conversation", cid)
    data = json.loads(result.stdout)
    assert result.returncode == 0 and [c["id"] for c in data["conversations"]] == [cid]
    del data["conversations"][0]["owner"]  # as the page downloads it
    markdown = run_cli("export", "--store", source_url, "--conversation", cid, "--markdown")
    assert markdown.returncode == 0 and markdown.stdout.startswith("# ") and "## " in markdown.stdout
    assert run_cli("export", "--store", source_url, "--markdown").returncode == 2  # one conversation only
    loaded = subprocess.run([*CLI, "import", "--store", target_url, "--owner", "carol", "-"], input=json.dumps(data),
                            capture_output=True, text=True, timeout=30)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    with open_store(target_url) as target:
        assert [c.id for c in target.conversations(target.user("carol"))] == [cid]


def test_export_and_import_errors_are_one_line(tmp_path: pathlib.Path) -> None:
    env_free = {k: v for k, v in os.environ.items() if k != "REACTCHAT_STORE"}
    result = subprocess.run([*CLI, "export"], capture_output=True, text=True, timeout=30, env=env_free)
    assert (
        result.returncode == 2
        and result.stderr.strip() == "reactchat: error: export needs --store URL (or $REACTCHAT_STORE)"
    )
    url = f"sqlite:///{tmp_path / 'a.db'}"
    result = run_cli("export", "--store", url, "--conversation", "NOPE")
    assert (
        result.returncode == 1
        and result.stderr.strip() == f"reactchat: error: no conversation 'NOPE' in {url}"
    )
    result = run_cli("import", "--store", url, str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "cannot read" in result.stderr and "missing.json" in result.stderr
    (tmp_path / "bad.json").write_text("{not json")
    result = run_cli("import", "--store", url, str(tmp_path / "bad.json"))
    assert result.returncode == 2 and "bad.json is not JSON" in result.stderr
    (tmp_path / "other.json").write_text('{"some": "thing"}')
    result = run_cli("import", "--store", url, str(tmp_path / "other.json"))
    assert (
        result.returncode == 1 and 'not a reactchat archive: it needs "format": "reactchat"' in result.stderr
    )
    result = run_cli("import", "--store", "mysql://x", str(tmp_path / "other.json"))
    assert result.returncode == 1 and "unknown store 'mysql'" in result.stderr


def test_run_threads_come_from_the_flag_the_variable_the_file_or_the_default(tmp_path: pathlib.Path) -> None:
    from reactchat.cli import RUN_THREADS, run_threads

    script = str(tmp_path / "app.py")
    assert run_threads(None, script, {}) == RUN_THREADS
    (tmp_path / "reactchat.toml").write_text("[server]\nrun_threads = 8\n")
    assert run_threads(None, script, {}) == 8
    assert run_threads(None, script, {"REACTCHAT_RUN_THREADS": "16"}) == 16
    assert run_threads(4, script, {"REACTCHAT_RUN_THREADS": "16"}) == 4
    with pytest.raises(ValueError, match="REACTCHAT_RUN_THREADS"):
        run_threads(None, script, {"REACTCHAT_RUN_THREADS": "many"})
    (tmp_path / "reactchat.toml").write_text('[server]\nrun_threads = "8"\n')
    with pytest.raises(ValueError, match="run_threads must be a number"):
        run_threads(None, script, {})


def test_a_run_thread_count_below_one_is_refused(tmp_path: pathlib.Path) -> None:
    (tmp_path / "app.py").write_text("import reactchat as rc\n")
    result = run_cli("run", str(tmp_path / "app.py"), "--run-threads", "0", "--store", "memory")
    assert result.returncode == 2 and "--run-threads must be at least 1" in result.stderr
