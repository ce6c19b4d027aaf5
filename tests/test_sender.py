"""The paced sender: one frame per interval, and backpressure from a client that does not read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from reactchat import outbox, sessions
from reactchat.config import Config
from reactchat.ops import ERR, RUN, SNAP
from reactchat.protocol import VERSION, encode_frame
from reactchat.runner import Script
from reactchat.sender import CLOSE_SLOW, FIRST_FRAME_WAIT, Sender
from reactchat.session import Session
from tests.serving import Client, FakeSocket, Served, ready, run
from tests.signing import Visitor, anonymous_id, cookie_header


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


def session(write_app: Callable[[str], str], **config: Any) -> Session:
    """A session that never runs: the tests push its ops themselves."""
    script = Script(write_app("import reactchat as rc\n"))
    script.load()
    return Session(script, Config(frame_interval=0, **config), lambda _session, _urgent: None)


def test_frames_without_a_socket_wait_in_the_replay_buffer(write_app: Callable[[str], str]) -> None:
    s = session(write_app)
    sender = Sender(s)

    async def body() -> None:
        s.outbox.push_now([RUN, "running"])
        await sender.drain()

    run(body())
    assert s.outbox.seq == 1
    assert s.outbox.replay_after(0) == [encode_frame(1, [[RUN, "running"]])]


def test_pending_ops_go_out_as_one_frame(write_app: Callable[[str], str]) -> None:
    s = session(write_app)
    sender, socket = Sender(s), FakeSocket()
    sender.socket = socket

    async def body() -> None:
        s.outbox.push_now([ERR, None])
        s.outbox.push_now([RUN, "done"])
        await sender.hurry()

    run(body())
    assert socket.sent == [encode_frame(1, [[ERR, None], [RUN, "done"]])]
    assert socket.closed is None


def test_a_write_that_never_completes_closes_the_socket(write_app: Callable[[str], str]) -> None:
    s = session(write_app, send_timeout=0.05)
    sender, socket = Sender(s), FakeSocket(stalled=True)
    sender.socket = socket

    async def body() -> None:
        s.outbox.push_now([RUN, "running"])
        await sender.drain()

    run(body())
    assert socket.closed == (CLOSE_SLOW, "client is not reading")
    assert s.outbox.replay_after(0) is not None  # the session keeps the frame for the tab's return


def test_a_new_sessions_first_run_reaches_the_page_as_one_frame(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    # 40 messages declared over ~0.2 s: at one frame per 25 ms they would go in slices, each one a decode and
    # a layout for a page that is opening.
    path = write_app("""
        import time
        import reactchat as rc
        for i in range(40):
            rc.message("assistant", f"m{i}")
            time.sleep(0.005)
        rc.chat_input()
    """)
    served = serve(path)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        numbered = [ops for seq, ops in c.frames if seq is not None]
        assert len(numbered) == 1, [[op[0] for op in ops] for ops in numbered]
        assert len(c.texts()) == 40

    run(body())


def test_a_first_run_declaring_a_history_past_the_wait_sends_it_in_one_snapshot(
    serve: Callable[..., Served], write_app: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A history that takes longer to declare than the first wait (a long transcript, a slow machine: here
    # items slow to read) is not sent as its first part and then the rest in slices of inserts, the messages
    # on screen last: it is read, not waited for (a model's words are), so the page gets it whole at once.
    monkeypatch.setattr(sessions, "FIRST_FRAME_WAIT", 0.1)
    path = write_app("""
        import time
        from collections.abc import Mapping
        import reactchat as rc

        class Slow(Mapping):
            def __init__(self, i):
                self._d = {"role": "user" if i % 2 == 0 else "assistant", "content": f"m{i}"}
            def __getitem__(self, key):
                time.sleep(0.001)
                return self._d[key]
            def __iter__(self):
                return iter(self._d)
            def __len__(self):
                return len(self._d)

        rc.history([Slow(i) for i in range(200)])
        time.sleep(0.002)  # what follows the history takes a moment
        rc.chat_input()
    """)
    served = serve(path)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready, timeout=20)
        first = next(ops for seq, ops in c.frames if seq is not None)
        assert first[0][0] == SNAP
        assert sum(1 for _ in _kinds(first[0][1], "message")) == 200
        assert len(c.texts()) == 200
        assert [RUN, "done"] in first  # the run's end went with it: the page draws it once, idle

    run(body())


def test_a_page_opening_a_stored_conversation_gets_it_read_in_its_first_frame(
    serve: Callable[..., Served], write_app: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The conversation is read before the first run: a first wait that ends during the read (a slow store, a
    # long conversation; here a wait of none) does not send the page the empty tree first, then the rest.
    monkeypatch.setattr(sessions, "FIRST_FRAME_WAIT", 0.0)
    path = write_app("""
        import reactchat as rc
        rc.conversation().show()
        rc.chat_input()
    """)
    served = serve(path)
    visitor = Visitor(served.url)
    visitor.get("/")
    store = served.app.store
    assert store is not None
    owner = store.user(anonymous_id(visitor.jar))
    conversation = store.create(owner, "app").id
    for i in range(300):
        store.add(owner, conversation, role="user" if i % 2 == 0 else "assistant", content=f"m{i}")
    headers = {"Origin": served.url, "Cookie": cookie_header(visitor.jar)}

    async def body() -> None:
        c = Client(await websocket_connect(HTTPRequest(served.ws_url, headers=headers)))
        await c.send(["hello", VERSION, None, -1, "", conversation])
        await c.until(ready, timeout=20)
        first = next(ops for seq, ops in c.frames if seq is not None)
        assert first[0][0] == SNAP
        assert sum(1 for _ in _kinds(first[0][1], "message")) == 300

    run(body())


def test_a_served_history_changed_in_place_is_checked_after_the_answer_went_and_shown(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    # The run takes the history by identity: the answer's frame goes first, then the check finds the message
    # the script changed in place (after showing it) and a rerun shows it, with no other event.
    path = write_app("""
        import reactchat as rc
        rc.session_state.setdefault("history", [{"role": "user", "content": "first"}])
        rc.history(rc.session_state.history)
        if prompt := rc.chat_input():
            rc.message("assistant", f"answer to {prompt}")
            rc.session_state.history[0]["content"] = prompt
    """)
    served = serve(path)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        await c.submit(c.input_id(), "edited")
        await c.until(lambda c: ("user", "edited") in c.texts())
        answered = next(i for i, (_, ops) in enumerate(c.frames) if "answer to edited" in repr(ops))
        later = repr(c.frames[answered + 1 :])
        assert "<p>edited</p>" not in repr(c.frames[answered][1]) and "<p>edited</p>" in later  # went first

    run(body())


def _kinds(node: Any, kind: str) -> Any:
    """The wire nodes of ``kind`` in the wire tree ``node``."""
    if node[1] == kind:
        yield node
    for child in node[3]:
        yield from _kinds(child, kind)


def test_a_first_run_longer_than_the_wait_shows_what_it_has(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    # A first run that waits (a model loading) after its first message: the page shows that message while the
    # run still runs, FIRST_FRAME_WAIT after it began.
    path = write_app(f"""
        import time
        import reactchat as rc
        rc.message("assistant", "loading the model")
        time.sleep({FIRST_FRAME_WAIT * 6})
        rc.chat_input()
    """)
    served = serve(path)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(lambda c: bool(c.texts()), timeout=FIRST_FRAME_WAIT * 4)
        assert c.run_state == "running"
        await c.until(ready)

    run(body())


def test_a_run_that_answers_within_the_wait_reaches_the_page_as_one_frame(
    serve: Callable[..., Served], write_app: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An echo's turn: the run's start, the user's message, the reply and the run's end in one frame, which
    # the page draws once (two frames a millisecond apart were two renders). A longer wait than the default,
    # so that a busy machine's slow turn still answers within it.
    monkeypatch.setattr(outbox, "RUN_START_WAIT", 0.5)
    served = serve(
        write_app("""
        import reactchat as rc
        if prompt := rc.chat_input():
            rc.message("user", prompt)
            rc.message("assistant", f"You said: {prompt}")
    """)
    )

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        await asyncio.sleep(FIRST_FRAME_WAIT)  # past the hold of a new session's first frames
        for i in range(5):
            c.frames.clear()
            await c.submit(c.input_id(), f"hi {i}")
            want = [("user", f"hi {i}"), ("assistant", f"You said: hi {i}")]
            await c.until(lambda c, want=want: c.run_state == "done" and c.texts() == want)
            numbered = [[op[0] for op in ops] for seq, ops in c.frames if seq is not None]
            assert len(numbered) == 1, numbered
            assert numbered[0][-1] == RUN and c.run_state == "done"

    run(body())


def test_a_longer_runs_first_frame_goes_after_the_wait_with_what_it_has(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    # The wait holds back a run's start only briefly: a run that goes on shows the user's message meanwhile.
    served = serve(
        write_app("""
        import time
        import reactchat as rc
        rc.markdown("ready")  # the markdown renderer is loaded before the turn
        if prompt := rc.chat_input():
            rc.message("user", prompt)
            time.sleep(2)
            rc.message("assistant", "done thinking")
    """)
    )

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(ready)
        await asyncio.sleep(FIRST_FRAME_WAIT)
        await c.submit(c.input_id(), "hi")
        await c.until(lambda c: c.texts() == [("user", "hi")], timeout=1.5)
        assert c.run_state == "running"
        await c.until(lambda c: len(c.texts()) == 2, timeout=5)

    run(body())
