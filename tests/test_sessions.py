"""The session registry: sessions outlive their tab for the grace period, and an edit reruns them all."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Callable
from typing import Any

from reactchat.chatbot import ChatFunction
from reactchat.config import Config
from reactchat.runner import Script
from reactchat.sender import CLOSE_REPLACED
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


def test_at_the_session_limit_a_new_tab_is_refused_until_one_is_reaped(
    write_app: Callable[[str], str],
) -> None:
    async def body() -> None:
        sessions = registry(write_app, max_sessions=1)
        try:
            first = sessions.resume(None)
            assert first is not None
            assert sessions.resume(None) is None
            first.close()
            second = sessions.resume(None)
            assert second is not None and first.token not in sessions
        finally:
            sessions.close()

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
