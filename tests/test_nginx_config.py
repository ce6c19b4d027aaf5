"""``reactchat nginx-config``: what it prints, that nginx takes it, and that it works: workers of a stored
conversation app on PostgreSQL behind a real nginx, one of them killed."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from reactchat.config import Config
from reactchat.nginx_config import nginx_config
from tests.nginx import Nginx, Visitor, Worker, free_ports, messages
from tests.serving import run

CLI = [sys.executable, "-m", "reactchat"]


def test_the_upstream_holds_a_worker_per_port_on_loopback() -> None:
    text = nginx_config(3, 8701)
    servers = [line.strip() for line in text.splitlines() if line.strip().startswith("server 127.")]
    assert servers == [f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in (8701, 8702, 8703)]
    assert "upstream reactchat_8701 {" in text and "proxy_pass http://reactchat_8701;" in text


def test_a_browser_is_kept_on_a_worker_by_its_cookie_and_a_first_visit_goes_anywhere() -> None:
    text = nginx_config(2, 9000)
    assert "hash $reactchat_9000_affinity consistent;" in text
    assert 'map "$cookie_rc_session$cookie_rc_user" $reactchat_9000_affinity {' in text
    assert '""      $request_id;' in text and 'default "$cookie_rc_session$cookie_rc_user";' in text


def test_round_robin_keeps_no_affinity() -> None:
    text = nginx_config(2, 9000, round_robin=True)
    assert "hash" not in text and "affinity" not in text and "$request_id" not in text


def test_websockets_streams_and_uploads_pass_through() -> None:
    text = nginx_config(2, 9000, listen="127.0.0.1:8080", server_name="chat.example.com")
    for line in (
        "listen 127.0.0.1:8080;",
        "server_name chat.example.com;",
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $reactchat_9000_connection;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host $http_host;",
        "proxy_buffering off;",
        "proxy_read_timeout 1h;",
        "proxy_next_upstream error timeout http_502 http_503;",
        "client_max_body_size 100m;",
    ):
        assert line in text, line
    assert "--allowed-host chat.example.com" in text  # the comment says how to start the workers


def test_the_body_cap_follows_the_upload_cap() -> None:
    assert "client_max_body_size 2g;" in nginx_config(1, 9000, config=Config(max_upload_bytes=2 << 30))
    small = Config(max_upload_bytes=5000, max_message_bytes=100, max_api_body_bytes=100)
    assert "client_max_body_size 5000;" in nginx_config(1, 9000, config=small)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"workers": 0, "port": 9000}, "--workers must be at least 1, got 0"),
        ({"workers": 3, "port": 65534}, "--port 65534 with --workers 3 needs ports 65534 to 65536"),
        ({"workers": 1, "port": 9000, "listen": "80; evil"}, "--listen takes PORT or HOST:PORT"),
        ({"workers": 1, "port": 9000, "listen": "127.0.0.1:99999"}, "'127.0.0.1:99999'"),
        ({"workers": 1, "port": 9000, "server_name": "a.com; include /etc"}, "--server-name takes one host"),
    ],
)
def test_bad_values_are_named(args: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        nginx_config(**args)


def test_the_command_prints_it_and_names_a_bad_value() -> None:
    done = subprocess.run([*CLI, "nginx-config", "--workers", "2", "--port", "8701", "--round-robin"],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0 and done.stdout == nginx_config(2, 8701, round_robin=True)
    done = subprocess.run([*CLI, "nginx-config", "--workers", "2", "--port", "8701", "--listen", "x:y"],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 2
    assert (
        done.stderr
        == "reactchat: error: --listen takes PORT or HOST:PORT (e.g. 80 or 127.0.0.1:8080), got 'x:y'\n"
    )


@pytest.mark.parametrize("round_robin", [False, True])
def test_nginx_accepts_the_configuration(tmp_path: pathlib.Path, round_robin: bool) -> None:
    config = nginx_config(
        3, 8701, listen="127.0.0.1:8080", server_name="chat.example.com", round_robin=round_robin
    )
    checked = Nginx(config, 8080, tmp_path).check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


# -- through a real nginx ----------------------------------------------------------------------------------


@pytest.fixture
def workers(tmp_path: pathlib.Path, postgres_url: str) -> Iterator[list[Worker]]:
    """Three workers of examples/conversations.py on one PostgreSQL store, on consecutive ports."""
    first = free_ports(3)
    started = [
        Worker("examples/conversations.py", p, postgres_url, tmp_path) for p in range(first, first + 3)
    ]
    try:
        yield [worker.wait() for worker in started]
    finally:
        for worker in started:
            worker.stop()


@pytest.mark.parametrize("round_robin", [False, True], ids=["cookie-hash", "round-robin"])
def test_a_conversation_outlives_the_worker_that_served_it(
    tmp_path: pathlib.Path, workers: list[Worker], round_robin: bool
) -> None:
    listen = free_ports(1)
    config = nginx_config(3, workers[0].port, listen=f"127.0.0.1:{listen}", round_robin=round_robin)
    nginx = Nginx(config, listen, tmp_path).start()
    try:
        visitor = Visitor(nginx.url)
        assert visitor.get("/") == 200
        assert {c.name for c in visitor.jar} >= {"rc_user", "_xsrf"}
        said = [
            ("user", "hello nginx"),
            ("assistant", "You wrote hello nginx (message 1 of this conversation)."),
        ]

        async def first() -> tuple[str, str, int]:
            c = await visitor.tab()
            await c.submit(c.input_id(), "hello nginx")
            await c.until(lambda c: messages(c) == said and c.run_state == "done")
            conversation = str(c.nodes("conversations")[0][2]["active"])
            c.close()
            assert c.token is not None
            return conversation, c.token, c.last_seq

        conversation, token, last_seq = run(first())
        [served] = [w for w in workers if w.sessions() == 1]  # the tab's session lives in one worker
        served.kill()
        assert visitor.get(f"/c/{conversation}") == 200  # the page, from another worker
        assert "hello nginx" in visitor.read(f"/_rc/export/{conversation}.md")

        async def again() -> None:
            # The tab reconnects as the page does, with its session's token, which no living worker knows.
            c = await visitor.tab(conversation, token, last_seq)
            await c.until(lambda c: messages(c) == said)
            c.close()
            fresh = await visitor.tab(conversation)  # and a new tab on the conversation's address
            await fresh.until(lambda c: messages(c) == said)
            fresh.close()

        run(again())
        alive = [w for w in workers if w is not served]
        assert sum(w.sessions() for w in alive) == 2  # the two tabs' sessions, on workers still alive
    finally:
        nginx.stop()


def test_an_upload_goes_to_the_worker_of_its_session_by_the_token_s_port() -> None:
    text = nginx_config(3, 8701, round_robin=True)
    assert "map $http_x_reactchat_session $reactchat_8701_upload {" in text
    routes = [line.strip() for line in text.splitlines() if line.strip().startswith('"~^')]
    assert routes == [f'"~^{p}\\." 127.0.0.1:{p};' for p in (8701, 8702, 8703)]  # only the known ports
    assert "location /_rc/upload/ {" in text and "proxy_pass http://$reactchat_8701_upload;" in text


UPLOADING = """
import reactchat as rc
conv = rc.conversation()
for m in conv.history:
    rc.message(m)
msg = rc.chat_input("attach", multimodal=True, file_types=[".txt"])
if msg:
    conv.add({"role": "user", "content": [msg["text"], *({"path": p} for p in msg["files"])]})
    conv.add({"role": "assistant", "content": f"{len(msg['files'])} files"})
"""


def test_uploads_reach_the_session_s_worker_through_round_robin(
    tmp_path: pathlib.Path, postgres_url: str
) -> None:
    script = tmp_path / "uploading.py"
    script.write_text(UPLOADING, encoding="utf-8")
    first, listen = free_ports(3), free_ports(1)
    workers = [Worker(str(script), p, postgres_url, tmp_path) for p in range(first, first + 3)]
    nginx = None
    try:
        for worker in workers:
            worker.wait()
        nginx = Nginx(
            nginx_config(3, first, listen=f"127.0.0.1:{listen}", round_robin=True), listen, tmp_path
        )
        nginx.start()
        visitor = Visitor(nginx.url)
        assert visitor.get("/") == 200
        xsrf = next(c.value for c in visitor.jar if c.name == "_xsrf")

        def upload(token: str, input_id: int, i: int) -> str:
            request = urllib.request.Request(
                f"{nginx_url}/_rc/upload/{input_id}", data=f"file {i}".encode(), method="POST",
                headers={"X-File-Name": f"f{i}.txt", "Content-Type": "text/plain",
                         "X-Reactchat-Session": token, "X-Xsrftoken": xsrf},
            )  # fmt: skip
            with visitor.opener.open(request, timeout=10) as answer:
                assert answer.status == 200
                return str(json.loads(answer.read())["id"])

        async def attach_and_send() -> None:
            c = await visitor.tab()
            assert c.token is not None and c.token.split(".")[0] in {str(w.port) for w in workers}
            # Round-robin alone would send two uploads of three to a worker that does not hold the session.
            ids = [upload(c.token, c.input_id(), i) for i in range(6)]
            await c.submit(c.input_id(), {"text": "six files", "files": ids})  # type: ignore[arg-type]
            await c.until(lambda c: ("assistant", "6 files") in messages(c) and c.run_state == "done")
            c.close()

        nginx_url = nginx.url
        run(attach_and_send())
    finally:
        if nginx is not None:
            nginx.stop()
        for worker in workers:
            worker.stop()
