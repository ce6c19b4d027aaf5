"""The WebSocket: origin check, hello/resume, validation of inbound messages, replay and replacement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reactchat.ops import Replica
from reactchat.protocol import VERSION
from tests.serving import ECHO, SLOW, Client, Served, mid_stream, ready, run


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
        await c.send(["hello", VERSION, None, -1])  # a second hello
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


def test_a_hello_in_the_url_starts_the_session_at_the_upgrade(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)

    async def body() -> None:
        c = await Client.connect(served.ws_url + f"?hello={VERSION}&tab=t1", hello=False)
        await c.until(ready)
        await c.submit(c.input_id(), "hi")
        await c.until(lambda c: ("assistant", "You said: hi") in c.texts())
        await c.send(["hello", VERSION, None, -1, "t1"])  # the URL's hello was the one
        await c.until(lambda c: bool(c.notes))
        assert "hello was already received" in c.notes[0]

        # A page from before the protocol's version changed: its NOTE comes in a frame of the server's
        # version (recv checks it), so that page reloads, getting the page that speaks it.
        bad = await Client.connect(served.ws_url + "?hello=1&tab=t2", hello=False)
        while await bad.recv() is not None:  # a NOTE, then the close
            pass
        assert VERSION != 1 and "malformed hello in the URL: protocol version '1'" in bad.notes[0]
        assert bad.conn.close_code == 1008

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
        c2.replica, c2.last_seq = Replica(tree), last_seq  # the page kept its tree
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


def test_a_page_whose_session_is_gone_gets_a_snapshot_of_the_new_one_whatever_its_last_frame(
    serve: Callable[..., Served],
) -> None:
    served = serve(ECHO)

    async def body() -> None:
        for last_seq in (0, 1, 3):  # the old session's numbers: nothing to replay from a new session
            c = await Client.connect(served.ws_url, token="a-session-another-worker-had", last_seq=last_seq)
            await c.until(ready)
            assert c.token != "a-session-another-worker-had"
            assert any(op[0] == 0 for _, ops in c.frames for op in ops)  # a SNAP
            c.close()

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
        expected = ["once", "You said: once", "twice", "You said: twice"]
        await c2.until(lambda c: [t for _, t in c.texts()] == expected and c.run_state == "done")
        assert len(c2.texts()) == 4  # "once" again was ignored

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
