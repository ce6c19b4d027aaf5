"""The paced sender: one frame per interval, and backpressure from a client that does not read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.serving import Client, Served, ready, run


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
