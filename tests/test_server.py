from __future__ import annotations

import asyncio
import pathlib
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from tests.serving import Client, Served

ECHO = "examples/echo.py"

SLOW = """
    import time
    import reactchat as rc
    rc.session_state.setdefault("history", [])
    for m in rc.session_state.history:
        rc.message(m)
    def slow(text):
        try:
            for ch in text:
                time.sleep(0.01)
                yield ch
        finally:
            rc_closed = True
    if prompt := rc.chat_input():
        rc.message("user", prompt)
        with rc.message("assistant"):
            reply = rc.write_stream(slow("x" * 60))
        rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
"""


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def ready(c: Client) -> bool:
    return bool(c.nodes("chat_input")) and c.run_state == "done"


async def mid_stream(served: Served, chars: int = 1) -> Client:
    """A connected client whose SLOW reply has shown at least ``chars`` characters."""
    c = await Client.connect(served.ws_url)
    await c.until(ready)
    await c.submit(c.input_id(), "go")
    await c.until(lambda c: len(c.texts()) == 2 and len(c.texts()[1][1]) >= chars)
    return c


def test_page_has_csp_and_no_inline_script(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/") as response:
        body = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert '<script type="module" src="/_rc/static/app.js?v=' in body
    assert "<script>" not in body


def test_static_files_and_no_path_escape(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/static/app.js") as response:
        assert response.status == 200
    for path in ["/_rc/static/../server.py", "/_rc/static/%2e%2e/server.py", "/_rc/static/..%2fserver.py"]:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served.url + path)
        assert err.value.code in (403, 404)


def test_unknown_host_header_is_refused_on_loopback(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    request = urllib.request.Request(served.url + "/", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 403


def test_cross_origin_websocket_is_refused(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        with pytest.raises(Exception, match="403"):
            await Client.connect(served.ws_url, origin="http://evil.example")

    run(body())


def test_allowed_origins_option_admits_another_origin(serve: Callable[..., Served]) -> None:
    served = serve(ECHO, allowed_origins=("https://portal.example",))

    async def body() -> None:
        c = await Client.connect(served.ws_url, origin="https://portal.example")
        await c.until(ready)

    run(body())


def test_hello_then_chat_over_the_socket(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        assert c.token and c.frames[0][0] is None  # HELLO is a control frame
        await c.submit(c.input_id(), "hi there")
        await c.until(lambda c: c.texts() == [("user", "hi there"), ("assistant", "You said: hi there")])
        session = served.app.sessions[c.token]
        assert c.tree == session.tree.to_wire()

    run(body())


def test_bad_input_gets_a_note_and_the_session_lives_on(serve: Callable[..., Served]) -> None:
    served = serve(ECHO, max_message_bytes=1000)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        await c.conn.write_message("text, not binary")
        await c.conn.write_message(b"\xc1\xc1", binary=True)
        await c.send(["nope"])
        await c.send(["ev", 1, c.input_id(), "submit", "x" * 2000])  # over the 1000-byte cap
        await c.send(["hello", 1, None, -1])  # a second hello
        await c.until(lambda c: len(c.notes) == 5)
        assert "text messages are not accepted" in c.notes[0]
        assert "not valid msgpack" in c.notes[1]
        assert "unknown message type 'nope'" in c.notes[2]
        assert "exceeds the limit of 1000 bytes" in c.notes[3]
        assert "hello was already received" in c.notes[4]
        await c.submit(c.input_id(), "still here")
        await c.until(lambda c: ("assistant", "You said: still here") in c.texts())

    run(body())


def test_an_event_before_hello_gets_a_note(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        c = await Client.connect(served.ws_url, hello=False)
        await c.send(["stop"])
        await c.until(lambda c: bool(c.notes))
        assert "first message must be hello" in c.notes[0]

    run(body())


def test_far_oversized_message_closes_only_that_connection(serve: Callable[..., Served]) -> None:
    served = serve(ECHO, max_message_bytes=1000)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        token = c.token
        await c.conn.write_message(b"\x00" * 10_000, binary=True)
        assert await c.conn.read_message() is None  # closed
        c2 = await Client.connect(served.ws_url, token=token)
        await c2.until(ready)
        assert c2.token == token

    run(body())


def test_reconnect_replays_missed_frames_and_the_stream_continues(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(SLOW))

    async def body() -> None:
        c = await mid_stream(served, 5)
        token, last_seq, tree = c.token, c.last_seq, c.tree
        c.close()
        c2 = await Client.connect(served.ws_url, token=token, last_seq=last_seq)
        c2.tree, c2.last_seq = tree, last_seq  # the page kept its tree
        await c2.until(lambda c: c.run_state == "done" and c.texts()[-1] == ("assistant", "x" * 60))
        assert c2.token == token
        assert not any(op[0] == 0 for _, ops in c2.frames for op in ops)  # replay, no snapshot
        assert c2.tree == served.app.sessions[token].tree.to_wire()

    run(body())


def test_a_reloaded_page_gets_a_snapshot_of_the_same_session(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(SLOW))

    async def body() -> None:
        c = await mid_stream(served, 5)
        c.close()
        c2 = await Client.connect(served.ws_url, token=c.token, last_seq=-1)
        await c2.until(lambda c: len(c.texts()) == 2)
        assert c2.run_state == "running"  # the snapshot carries the run state
        await c2.until(lambda c: c.run_state == "done" and c.texts()[-1] == ("assistant", "x" * 60))

    run(body())


def test_a_second_connection_replaces_the_first(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        c2 = await Client.connect(served.ws_url, token=c.token)
        await c2.until(ready)
        assert await c.conn.read_message() is None
        assert c.conn.close_code == 4001

    run(body())


def test_resent_events_after_reconnect_are_not_duplicated(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        await c.submit(c.input_id(), "once", ev_seq=1)
        await c.until(lambda c: len(c.texts()) == 2)
        c.close()
        c2 = await Client.connect(served.ws_url, token=c.token)
        await c2.until(ready)
        assert c2.last_ev_seq == 1  # the server confirms what it received
        await c2.submit(c2.input_id(), "once", ev_seq=1)  # a client resending would be ignored
        await c2.submit(c2.input_id(), "twice", ev_seq=2)
        await c2.until(lambda c: len(c.texts()) == 4)
        assert [t for _, t in c2.texts()] == ["once", "You said: once", "twice", "You said: twice"]

    run(body())


def test_stop_over_the_socket_keeps_the_partial_answer(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(SLOW))

    async def body() -> None:
        c = await mid_stream(served, 3)
        await c.send(["stop"])
        await c.until(lambda c: c.run_state == "stopped")
        partial = c.texts()[1][1]
        assert 3 <= len(partial) < 60
        await c.submit(c.input_id(), "next")
        await c.until(lambda c: len(c.texts()) == 4 and c.run_state == "done")
        assert c.texts()[1] == ("assistant", partial)

    run(body())


def test_a_session_whose_tab_stays_away_is_freed(
    serve: Callable[..., Served], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    marker = tmp_path / "closed"
    served = serve(
        write_app(SLOW.replace("rc_closed = True", f"open({str(marker)!r}, 'w').close()")), session_grace=0.3
    )

    async def body() -> None:
        c = await mid_stream(served)
        c.close()
        for _ in range(100):
            if c.token not in served.app.sessions and marker.exists():
                break
            await asyncio.sleep(0.05)
        assert c.token not in served.app.sessions
        assert marker.exists()  # the stream's generator was closed
        c2 = await Client.connect(served.ws_url, token=c.token)
        await c2.until(ready)
        assert c2.token != c.token and c2.texts() == []

    run(body())


def test_a_client_that_never_reads_is_dropped_and_the_session_survives(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    flood = write_app("""
        import reactchat as rc
        if rc.chat_input():
            for i in range(400):
                rc.markdown(f"{i} " + "y" * 20000)
    """)
    served = serve(flood, send_timeout=0.5, replay_bytes=1 << 20)

    async def body() -> None:
        import socket

        c = await Client.connect(served.ws_url)
        await c.until(ready)
        stream = c.conn.protocol.stream  # type: ignore[union-attr]
        stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        await c.submit(c.input_id(), "flood")
        # From here on nothing reads: the client's one-message read queue fills and TCP backs up.
        token = c.token
        for _ in range(200):
            sender = served.app.sessions.senders.get(served.app.sessions[token])
            if sender is not None and sender.socket is None:
                break
            await asyncio.sleep(0.05)
        session = served.app.sessions[token]
        assert served.app.sessions.senders[session].socket is None
        assert session.outbox._replay_size <= 1 << 20
        c2 = await Client.connect(served.ws_url, token=token)
        await c2.until(lambda c: len(c.nodes("markdown")) == 400, timeout=20)

    run(body())


def test_health(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/health") as response:
        assert b'"ok": true' in response.read()


def test_highlight_css(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/highlight.css") as response:
        css = response.read().decode()
    assert ".highlight .k" in css and "prefers-color-scheme: dark" in css


def test_the_script_folder_is_watched(serve: Callable[..., Served], write_app: Callable[[str], str]) -> None:
    path = pathlib.Path(write_app("import reactchat as rc\nrc.title('one')\nrc.chat_input()\n"))
    served = serve(str(path), watch=True)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(lambda c: c.nodes("title") and c.nodes("title")[0][2]["text"] == "one")
        path.write_text("import reactchat as rc\nrc.title('two')\nrc.chat_input()\n")
        await c.until(lambda c: c.nodes("title")[0][2]["text"] == "two")
        path.write_text("import reactchat as rc\nrc.title('three'\n")
        await c.until(lambda c: c.overlay is not None)
        assert c.overlay["line"] >= 2 and c.nodes("title")[0][2]["text"] == "two"
        (path.parent / "helper.py").write_text("NAME = 'helper v1'\n")
        path.write_text("import reactchat as rc\nimport helper\nrc.title(helper.NAME)\nrc.chat_input()\n")
        await c.until(lambda c: c.overlay is None and c.nodes("title")[0][2]["text"] == "helper v1")
        (path.parent / "helper.py").write_text("NAME = 'helper v2'\n")
        await c.until(lambda c: c.nodes("title")[0][2]["text"] == "helper v2")

    import sys

    sys.path.insert(0, str(path.parent))
    try:
        run(body())
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop("helper", None)
