"""The session registry: sessions outlive their tab for the grace period, and an edit reruns them all."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.chatbot import ChatFunction
from reactchat.config import Config
from reactchat.protocol import Event
from reactchat.runner import Script
from reactchat.sender import CLOSE_EVICTED, CLOSE_REPLACED, CLOSE_RESTART
from reactchat.session import Session
from reactchat.sessions import Sessions
from tests.serving import SLOW, Client, FakeSocket, Served, mid_stream, ready, run


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


ECHO_APP = """
    import reactchat as rc
    if prompt := rc.chat_input():
        rc.message("assistant", prompt)
"""


def registry(write_app: Callable[[str], str], source: str = ECHO_APP, **config: Any) -> Sessions:
    script = Script(write_app(source))
    script.load()
    return Sessions(script, Config(**config))


def test_a_token_resumes_its_session_and_anything_else_starts_one(write_app: Callable[[str], str]) -> None:
    async def body() -> None:
        sessions = registry(write_app)
        try:
            first = sessions.resume(None)
            assert first is not None and sessions[first.token] is first and len(sessions) == 1
            assert sessions.resume(first.token) is first
            other = sessions.resume("not-a-token")
            assert other is not None and other is not first and list(sessions) == [first.token, other.token]
        finally:
            sessions.close()
        assert len(sessions) == 0 and first.closed and other.closed

    run(body())


def use(sessions: Sessions, session: Session | None) -> Session:
    """Send ``session`` an event, as a tab whose user did something."""
    assert session is not None
    sessions.submit(session, Event(session.hello()[0] + 1, 0, "set", 1), "")
    return session


def connect(sessions: Sessions) -> tuple[Session, FakeSocket]:
    """A new session with a tab attached, as a hello makes one."""
    session, socket = sessions.resume(None), FakeSocket()
    assert session is not None
    socket.session = session
    sessions.attach(session, socket)
    return session, socket


def test_at_the_session_limit_a_new_tab_is_refused_until_one_is_reaped(
    write_app: Callable[[str], str],
) -> None:
    async def body() -> None:
        sessions = registry(write_app, max_sessions=1)
        try:
            first = use(sessions, sessions.resume(None))
            assert sessions.resume(None) is None
            first.close()
            second = sessions.resume(None)
            assert second is not None and first.token not in sessions
        finally:
            sessions.close()

    run(body())


def test_when_full_sessions_that_never_had_an_event_make_room_oldest_and_tab_less_first(
    write_app: Callable[[str], str],
) -> None:
    async def body() -> None:
        sessions = registry(write_app, max_sessions=4)
        try:
            used = use(sessions, sessions.resume(None))
            tabs = [connect(sessions) for _ in range(3)]  # tabs that only said hello
            bare, sockets = [session for session, _ in tabs], [socket for _, socket in tabs]
            sessions.detach(bare[2], sockets[2])  # its tab went away
            connect(sessions)
            connect(sessions)
            assert bare[2].closed and bare[0].closed and not bare[1].closed  # tab-less, then oldest
            assert sockets[2].closed is None  # already gone
            assert sockets[0].closed == (CLOSE_EVICTED, "session evicted: the server needed room")
            assert sockets[0].session is None and not used.closed and used.token in sessions
            for session in list(sessions.values()):
                if session is not used:
                    use(sessions, session)
            assert sessions.resume(None) is None  # every session has been used: nothing to evict
            assert len(sessions) == 4
        finally:
            sessions.close()

    run(body())


def test_sessions_per_client_address_are_bounded(write_app: Callable[[str], str]) -> None:
    async def body() -> None:
        sessions = registry(write_app, max_sessions_per_client=2)
        try:
            mine = [use(sessions, sessions.resume(None, "10.0.0.1")) for _ in range(2)]
            assert sessions.resume(None, "10.0.0.1") is None
            assert sessions.resume(None, "10.0.0.2") is not None  # another address has its own room
            assert sessions.resume(mine[0].token, "10.0.0.9") is mine[0]  # resuming is not a new session
            mine[1].close()
            assert sessions.resume(None, "10.0.0.1") is not None  # once one is reaped
            a, b = sessions.resume(None, "10.0.0.3"), sessions.resume(None, "10.0.0.3")
            assert a is not None and b is not None and sessions.resume(None, "10.0.0.3") is not None
            assert a.closed and not b.closed  # the address's own oldest bare, tab-less session made room
        finally:
            sessions.close()

    run(body())


def test_bare_connections_do_not_lock_out_new_tabs(serve: Callable[..., Served]) -> None:
    served = serve("examples/echo.py", max_sessions=3)

    async def body() -> None:
        bare = [await Client.connect(served.ws_url) for _ in range(3)]
        for c in bare:
            await c.until(ready)
        await bare[0].submit(bare[0].input_id(), "hi")
        await bare[0].until(lambda c: len(c.texts()) == 2)
        fresh = await Client.connect(served.ws_url)  # once: refused for the whole grace period
        await fresh.until(ready)
        with pytest.raises(ConnectionError):  # the oldest bare one made room: its socket is closed
            await bare[1].until(lambda c: False)
        assert bare[1].conn.close_code == CLOSE_EVICTED
        assert len(served.app.sessions) == 3 and bare[0].token in served.app.sessions

    run(body())


def test_a_client_address_past_its_bound_is_refused_like_a_full_server(serve: Callable[..., Served]) -> None:
    served = serve("examples/echo.py", max_sessions_per_client=1)

    async def body() -> None:
        first = await Client.connect(served.ws_url)
        await first.until(ready)
        second = await Client.connect(served.ws_url)
        with pytest.raises(ConnectionError):
            await second.until(ready)
        assert second.notes == ["the server has too many sessions; try again later"]
        assert second.conn.close_code == 1013

    run(body())


def test_a_second_socket_replaces_the_first_and_only_the_current_one_detaches(
    write_app: Callable[[str], str],
) -> None:
    async def body() -> None:
        sessions = registry(write_app)
        try:
            session = sessions.resume(None)
            assert session is not None
            old, new = FakeSocket(), FakeSocket()
            old.session = new.session = session
            sender = sessions.attach(session, old)
            assert sender.socket is old and session.detached_since is None
            assert sessions.attach(session, new) is sender and sender.socket is new
            assert old.closed == (CLOSE_REPLACED, "session resumed elsewhere") and old.session is None
            sessions.detach(session, old)
            assert sender.socket is new and session.detached_since is None
            sessions.detach(session, new)
            assert sender.socket is None and session.detached_since is not None
        finally:
            sessions.close()

    run(body())


def test_media_is_found_by_the_session_key_and_id_only(write_app: Callable[[str], str]) -> None:
    async def body() -> None:
        sessions = registry(write_app)
        try:
            session = sessions.resume(None)
            assert session is not None
            entry = session.media.add_bytes(b"data", "application/octet-stream", "a.bin")
            assert sessions.media(session.media.key, entry.id) == entry
            assert sessions.media(session.token, entry.id) is None  # the resume token is not the key
            assert sessions.media(session.media.key, "0" * len(entry.id)) is None
        finally:
            sessions.close()

    run(body())


def test_the_chat_interface_is_found_in_a_hidden_session(write_app: Callable[[str], str]) -> None:
    app = """
        import reactchat as rc
        rc.chat_interface(lambda message, history: message)
    """

    async def body() -> None:
        sessions = registry(write_app, app)
        try:
            assert isinstance(await sessions.chat_function(), ChatFunction)
            assert len(sessions) == 0  # the session that ran the script is not a tab's
        finally:
            sessions.close()
        assert await registry(write_app).chat_function() is None

    run(body())


def test_finding_the_chat_interface_runs_a_conversation_app_without_an_error(
    write_app: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    from reactchat.store import open_store

    app = write_app("""
        import reactchat as rc
        conv = rc.conversation()
        rc.chat_interface(lambda message, history: message)
    """)

    async def body() -> None:
        script = Script(app)
        script.load()
        store = open_store("memory")
        sessions = Sessions(script, Config(), store)
        try:
            assert isinstance(await sessions.chat_function(), ChatFunction)
        finally:
            sessions.close()
            store.close()

    run(body())
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_draining_server_lets_answers_finish_and_sends_idle_tabs_elsewhere(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(SLOW))

    async def go() -> None:
        busy = await mid_stream(served)
        idle = await Client.connect(served.ws_url)
        await idle.until(ready)
        drained = asyncio.run_coroutine_threadsafe(served.app.sessions.drain(30), served.loop.asyncio_loop)
        while await idle.recv() is not None:  # closed at once: it reconnects, elsewhere
            pass
        assert idle.conn.close_code == CLOSE_RESTART
        await busy.submit(busy.input_id(), "not here")  # not taken: the tab sends it to its next server
        await busy.until(lambda c: c.run_state == "done" and c.texts()[1][1] == "x" * 60)  # it finished
        while await busy.recv() is not None:
            pass
        assert busy.conn.close_code == CLOSE_RESTART
        await asyncio.wrap_future(drained)
        assert [role for role, _ in busy.texts()] == ["user", "assistant"]

    run(go())
