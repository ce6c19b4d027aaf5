"""The HTTP API's threads: bounded per kind, freed when the function's thread ends, refused when closed."""

from __future__ import annotations

import threading

import pytest

from reactchat.workers import Busy, Workers
from tests.serving import run


def test_each_kind_is_bounded_on_its_own_and_a_slot_frees_when_its_thread_ends() -> None:
    async def body() -> None:
        workers = Workers(calls=1, streams=1)
        gate = threading.Event()
        call = workers.run("call", lambda: gate.wait(10) and "called")
        with pytest.raises(Busy, match="1 answers are being computed"):
            workers.run("call", lambda: "no")
        stream = workers.run("stream", lambda: "streamed")  # not behind the call
        assert await stream == "streamed" and workers.busy("stream") == 0
        gate.set()
        assert await call == "called" and workers.busy("call") == 0
        assert await workers.run("call", lambda: "again") == "again"

    run(body())


def test_an_exception_reaches_the_caller_and_frees_the_slot() -> None:
    async def body() -> None:
        workers = Workers(calls=1, streams=1)

        def fail() -> None:
            raise RuntimeError("model down")

        with pytest.raises(RuntimeError, match="model down"):
            await workers.run("call", fail)
        assert workers.busy("call") == 0

    run(body())


def test_a_closed_pool_takes_no_more_calls() -> None:
    async def body() -> None:
        workers = Workers(calls=4, streams=4)
        workers.close()
        with pytest.raises(Busy, match="shutting down"):
            workers.run("stream", lambda: None)

    run(body())
