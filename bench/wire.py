"""Measurements over a real WebSocket: a Tornado server in a thread (``tests.serving.Served``) and the
protocol client (``tests.serving.Client``).

The client connects and says hello with ``Client``; the timed part then reads raw frames straight off the
connection and only decodes them, because ``Client.recv`` re-applies every frame to a deep copy of the whole
tree (O(history) per frame), which at 1,000 messages would measure the test client instead of the server.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgpack

from reactchat.ops import APP, RUN
from tests.serving import Client, Served

FINAL_STATES = ("done", "error", "stopped")
OP_NAMES = ("SNAP", "RUN", "INS", "SET", "APP", "DEL", "MOV", "REP", "ERR", "HELLO", "NOTE", "EVACK", "TXT")


@dataclass
class Frame:
    at: float  # perf_counter when it was read
    data: bytes
    seq: int | None
    ops: list[Any]


@dataclass
class WireTurn:
    first_user_frame: float | None = None  # submit -> first frame carrying the user's message (s)
    done: float | None = None  # submit -> frame carrying the final RUN state (s)
    user_frame_index: int | None = None  # which frame of the turn carried the user's message
    frames: list[Frame] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(len(f.data) for f in self.frames)

    def op_bytes(self) -> Counter[str]:
        """Encoded bytes per op kind; APP is split by prop (``APP html``, ``APP cuts``)."""
        out: Counter[str] = Counter()
        for frame in self.frames:
            for op in frame.ops:
                name = OP_NAMES[op[0]]
                if op[0] == APP:
                    name = f"APP {op[2]}"
                out[name] += len(msgpack.packb(op, use_bin_type=True))
        return out

    def gaps(self) -> list[float]:
        """Seconds between consecutive frames of the turn."""
        return [b.at - a.at for a, b in zip(self.frames, self.frames[1:], strict=False)]


async def _read(client: Client, timeout: float) -> Frame:
    data = await asyncio.wait_for(client.conn.read_message(), timeout)
    at = time.perf_counter()
    if data is None:
        raise ConnectionError("the server closed the WebSocket")
    assert isinstance(data, bytes)
    _version, seq, ops = msgpack.unpackb(data, raw=False)
    return Frame(at, data, seq, ops)


async def connect(served: Served, timeout: float = 120.0) -> tuple[Client, int]:
    """Open a tab: hello, then wait for the first run to finish; returns the client and the input's id."""
    client = await Client.connect(served.ws_url)
    await client.until(lambda c: c.run_state in FINAL_STATES and bool(c.nodes("chat_input")), timeout)
    return client, client.input_id()


async def submit_turn(client: Client, input_id: int, text: str, timeout: float = 60.0) -> WireTurn:
    """Submit ``text`` and read frames until the run's final state arrives."""
    marker = text.encode()
    start = time.perf_counter()
    await client.submit(input_id, text)
    turn = WireTurn()
    while True:
        remaining = start + timeout - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"turn {text!r} did not finish in {timeout} s")
        frame = await _read(client, remaining)
        turn.frames.append(frame)
        if turn.first_user_frame is None and marker in frame.data:
            turn.first_user_frame = frame.at - start
            turn.user_frame_index = len(turn.frames) - 1
        if any(op[0] == RUN and op[1] in FINAL_STATES for op in frame.ops):
            turn.done = frame.at - start
            return turn


async def _turns(path: str, prompts: list[str], pause: float) -> list[WireTurn]:
    served = Served(path)
    try:
        client, input_id = await connect(served)
        try:
            out = []
            for text in prompts:
                await asyncio.sleep(pause)  # the user reads and types; the sender's pacing window passes
                out.append(await submit_turn(client, input_id, text))
            return out
        finally:
            client.close()
    finally:
        served.close()


def run_turns(path: str, prompts: list[str], pause: float = 0.1) -> list[WireTurn]:
    """Serve ``path``, open one tab and submit each prompt in turn."""
    return asyncio.run(_turns(path, prompts, pause))
