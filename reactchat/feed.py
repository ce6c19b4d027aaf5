"""Feeding ``write_stream``: pull the user's chunks, render at least once per frame, honour Stop.

The user's iterable runs on its own thread (sync) or task (async) so the script thread can wait for the next
chunk *with a deadline*: when the generator stalls, the text it already produced is rendered within one
frame; when the user presses Stop, the writer returns at once with the partial answer while the generator is
closed as soon as it yields (its ``finally`` runs, aborting the upstream request).

That thread (the pump) is borrowed from the run threads (``pool``) only while one is spare, and given back
between two chunks as soon as a run waits for a thread: then, as when none was spare, the run's own thread
iterates the rest itself. Without a pump the text still renders once per frame as chunks arrive, but text
produced right before a stall shows with the next chunk, and Stop reaches a generator blocked in Python code
within ``FORCE_AFTER`` (the interrupt is raised in it), one blocked in C when that call returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import queue
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from reactchat import context, pool

if TYPE_CHECKING:
    from reactchat.interrupts import Cancel
    from reactchat.parts_writer import PartsWriter

_ITEM, _END, _ERROR, _WAKE, _HANDOFF = range(5)


def _close(*objects: Any) -> None:
    for obj in objects:
        close = getattr(obj, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


class _Pump:
    """Iterates an iterable on a borrowed thread, passing (kind, item) pairs to ``put``; closes it when
    stopped; hands the iterator back (``_HANDOFF``) when a run waits for the thread."""

    def __init__(self, iterable: Iterable[Any], put: Callable[[tuple[int, Any]], object]) -> None:
        self.iterable = iterable
        self.put = put
        self.lock = threading.Lock()  # the hand-off and the consumer's stop are never crossed
        self.stopped = False
        self.pool = pool.current()

    def start(self) -> bool:
        """Start on a spare thread; False when there is none (the caller iterates it itself)."""
        job = contextvars.copy_context().run
        if self.pool is None:  # not on a run thread (a test driving feed directly): a thread of its own
            name = "reactchat-stream"
            threading.Thread(target=job, args=(self._work,), name=name, daemon=True).start()
            return True
        return self.pool.borrow(lambda: job(self._work)) is not None

    def stop(self) -> None:
        """Stop pumping: from here on the pump closes the iterable itself instead of handing it back."""
        with self.lock:
            self.stopped = True

    def _work(self) -> None:
        context.mark_stream_source()
        iterator: Any = None
        handed = False
        try:
            iterator = iter(self.iterable)
            for item in iterator:
                self.put((_ITEM, item))
                if self.stopped:
                    break
                if self.pool is not None and self.pool.wanted():  # a run waits for this thread
                    with self.lock:
                        if not self.stopped:
                            handed = True
                            self.put((_HANDOFF, iterator))
                            return
                    break
        except BaseException as exc:
            self.put((_ERROR, exc))
        else:
            self.put((_END, None))
        finally:
            if not handed:
                _close(iterator, self.iterable if iterator is not self.iterable else None)


def consume_sync(writer: PartsWriter, iterable: Iterable[Any], cancel: Cancel) -> None:
    """Drive a sync iterable from a sync script."""
    inbox: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    pump = _Pump(iterable, inbox.put)
    iterator: Iterator[Any] | None = None
    try:
        with cancel.on_request(lambda: inbox.put((_WAKE, None))):
            iterator = iter(iterable) if not pump.start() else _drain(writer, inbox, cancel)
            if iterator is not None:
                _iterate(writer, iterator, cancel)
    finally:
        pump.stop()
        while not inbox.empty():  # an iterator handed back as the run stopped: nobody iterates it now
            kind, item = inbox.get_nowait()
            if kind == _HANDOFF:
                iterator = item
        if iterator is not None:
            _close(iterator, iterable if iterator is not iterable else None)
        if cancel.requested and not inspect.isgenerator(iterable):
            # A model SDK's stream may be waiting on the network and never yield again: closing it here
            # closes its HTTP response, which ends that wait. (A generator can only be closed by its thread.)
            _close(iterable)


def _drain(
    writer: PartsWriter, inbox: queue.SimpleQueue[tuple[int, Any]], cancel: Cancel
) -> Iterator[Any] | None:
    """Feed what the pump passes until it ends (None) or hands its iterator back (returned)."""
    while not cancel.requested:
        try:
            kind, item = inbox.get(timeout=writer.due_in())
        except queue.Empty:
            writer.flush()
            continue
        if kind == _ITEM:
            writer.feed(item)
        elif kind == _END:
            return None
        elif kind == _ERROR:
            raise item
        elif kind == _HANDOFF:
            return item  # type: ignore[no-any-return]
    return None


def _iterate(writer: PartsWriter, iterator: Iterator[Any], cancel: Cancel) -> None:
    """Iterate on the run's own thread: ``feed`` renders once per frame as chunks come; Stop is seen after
    each chunk (or raised inside a generator busy in Python code, ``Cancel.force``)."""
    source = contextvars.copy_context()  # the generator's code runs as the pump's would: no reactchat calls
    source.run(context.mark_stream_source)
    while not cancel.requested:
        try:
            item = source.run(next, iterator)
        except StopIteration:
            return
        writer.feed(item)


async def _threaded(iterable: Iterable[Any]) -> AsyncIterator[Any]:
    """A sync iterable as an async one, iterated on its own thread (or on the loop's, with none spare)."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()

    def put(entry: tuple[int, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop may be gone when a stopped generator ends
            loop.call_soon_threadsafe(inbox.put_nowait, entry)

    pump = _Pump(iterable, put)
    iterator: Iterator[Any] | None = None if pump.start() else iter(iterable)
    try:
        while iterator is None:
            kind, item = await inbox.get()
            if kind == _END:
                return
            if kind == _ERROR:
                raise item
            if kind == _HANDOFF:
                iterator = item
            else:
                yield item
        source = contextvars.copy_context()
        source.run(context.mark_stream_source)
        while True:
            try:
                item = source.run(next, iterator)
            except StopIteration:
                return
            yield item
            await asyncio.sleep(0)  # the loop's other work (Stop's wake-up) between two chunks
    finally:
        pump.stop()
        while not inbox.empty():
            kind, item = inbox.get_nowait()
            if kind == _HANDOFF:
                iterator = item
        if iterator is not None:
            _close(iterator, iterable if iterator is not iterable else None)


async def consume_async(
    writer: PartsWriter, iterable: Iterable[Any] | AsyncIterable[Any], cancel: Cancel
) -> None:
    """Drive any iterable from inside an event loop; returns early, keeping the text, when interrupted."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def wakeup() -> None:
        loop.call_soon_threadsafe(wake.set)

    source = iterable if isinstance(iterable, AsyncIterable) else _threaded(iterable)
    iterator = source.__aiter__()
    waker = asyncio.ensure_future(wake.wait())
    with cancel.on_request(wakeup):
        try:
            await _feed_until_done(writer, iterator, waker, cancel)
        finally:
            waker.cancel()
            # Close the source too: an SDK's stream (openai's, anthropic's AsyncStream) releases its HTTP
            # response in its own aclose(), which closing the generator it iterates with does not reach.
            for obj in (iterator,) if source is iterator else (iterator, source):
                aclose = getattr(obj, "aclose", None) or getattr(obj, "close", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        closing = aclose()
                        if inspect.isawaitable(closing):
                            await closing


async def _feed_until_done(
    writer: PartsWriter, iterator: AsyncIterator[Any], waker: asyncio.Future[Any], cancel: Cancel
) -> None:
    pending: asyncio.Future[Any] | None = None
    try:
        while not cancel.requested:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait(
                {pending, waker}, timeout=writer.due_in(), return_when=asyncio.FIRST_COMPLETED
            )
            if pending in done:
                finished, pending = pending, None
                try:
                    item = finished.result()
                except StopAsyncIteration:
                    return
                writer.feed(item)
            elif not done:
                writer.flush()
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
