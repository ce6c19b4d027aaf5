"""Measurements on a headless session (``reactchat.testing.ChatTest``): bytes and server CPU per turn."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from dataclasses import dataclass

from reactchat.pool import Ticket
from reactchat.protocol import decode_frame, encode_frame
from reactchat.testing import ChatTest

TIMEOUT = 120.0  # seeding 1,000 messages renders all their markdown on the first run


@dataclass
class Turn:
    frames: int
    bytes: int
    worker_cpu: float  # CPU time of the session's worker thread for the whole run (s)
    script_cpu: float  # CPU time measured by the script itself, top to bottom (s)
    encode_cpu: float  # CPU time to encode the turn's frames, as the sender does (s)
    wall: float  # submit -> session idle (s)


def open_app(path: str) -> ChatTest:
    return ChatTest.from_file(path, timeout=TIMEOUT)


def _worker_cpu(t: ChatTest) -> list[float]:
    """The CPU time of each worker ``t``'s session has ended, in order. A session's worker holds a run thread
    only while it has work, so its clock cannot be read from outside once a turn is over: the thread's own
    clock is read as the worker ends (``Session._work`` wrapped on this instance, once)."""
    session = t.session
    spent: list[float] | None = getattr(session, "_bench_worker_cpu", None)
    if spent is None:
        done: list[float] = []
        work = session._work

        def timed(holder: list[Ticket]) -> None:
            start = time.thread_time()
            try:
                work(holder)
            finally:
                done.append(time.thread_time() - start)

        session._work = timed  # type: ignore[method-assign]
        session._bench_worker_cpu = done  # type: ignore[attr-defined]
        spent = done
    return spent


def _encode_cpu(frames: list[bytes]) -> float:
    decoded = [decode_frame(f) for f in frames]
    start = time.thread_time()
    for _, seq, ops in decoded:
        encode_frame(seq, ops)
    return time.thread_time() - start


def turn(t: ChatTest, prompt: str) -> Turn:
    """One short turn: submit ``prompt``, wait until the session is idle, then take its frames."""
    spent = _worker_cpu(t)
    ended = len(spent)
    n_frames, n_bytes = len(t.frames), t.bytes_sent
    wall0 = time.perf_counter()
    t.send(prompt, wait=False)
    if not t.session.wait_idle(t.timeout):
        raise TimeoutError(f"the turn {prompt!r} did not finish in {t.timeout} s")
    wall = time.perf_counter() - wall0
    deadline = time.monotonic() + t.timeout
    while len(spent) == ended and time.monotonic() < deadline:  # the idle worker's thread is ending
        time.sleep(0.0005)
    cpu = sum(spent[ended:]) if len(spent) > ended else float("nan")
    t.flush()
    frames = t.frames[n_frames:]
    return Turn(
        frames=len(frames),
        bytes=t.bytes_sent - n_bytes,
        worker_cpu=cpu,
        script_cpu=float(t.session.state.get("script_cpu", float("nan"))),
        encode_cpu=_encode_cpu(frames),
        wall=wall,
    )


def prompt(i: int) -> str:
    """Short prompts of equal length, so every turn carries the same amount of text."""
    return f"What about case {i:04d}?"


def turns(t: ChatTest, count: int, start: int = 0) -> list[Turn]:
    return [turn(t, prompt(start + i)) for i in range(count)]


def profile_turns(t: ChatTest, count: int, top: int = 18) -> str:
    """cProfile of the script's run (on the worker thread) over ``count`` turns; the top entries."""
    profiler = cProfile.Profile()
    t.session.state["profiler"] = profiler
    try:
        turns(t, count, start=9000)
    finally:
        del t.session.state["profiler"]
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


@dataclass
class StreamTurn:
    frames: int
    bytes: int
    text_bytes: int
    html_bytes: int
    seconds: float


def stream_turn(t: ChatTest, text: str) -> StreamTurn:
    n_frames, n_bytes = len(t.frames), t.bytes_sent
    start = time.perf_counter()
    t.send("Tell me everything.")
    seconds = time.perf_counter() - start
    final = t.texts()[-1]
    html = final.get("html", "")
    return StreamTurn(
        frames=len(t.frames) - n_frames,
        bytes=t.bytes_sent - n_bytes,
        text_bytes=len(text.encode()),
        html_bytes=len(html.encode()),
        seconds=seconds,
    )
