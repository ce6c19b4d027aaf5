"""Feeding ``write_stream``: pull the user's chunks, render at least once per frame, honour Stop.

The user's iterable runs on its own thread (sync) or task (async) so the script thread can wait for the next
chunk *with a deadline*: when the generator stalls, the text it already produced is rendered within one
frame; when the user presses Stop, the writer returns at once with the partial answer while the generator is
closed as soon as it yields (its ``finally`` runs, aborting the upstream request).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import queue
import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from reactchat import context

if TYPE_CHECKING:
    from reactchat.interrupts import Cancel
    from reactchat.parts_writer import PartsWriter

_ITEM, _END, _ERROR, _WAKE = range(4)


def _close(*objects: Any) -> None:
    for obj in objects:
        close = getattr(obj, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


def _pump(iterable: Iterable[Any], put: Any, stop: threading.Event) -> threading.Thread:
    """Iterate ``iterable`` on a thread, passing (kind, item) pairs to ``put``; close it when stopped."""

    def work() -> None:
        context.mark_stream_source()
        iterator: Any = None
        try:
            iterator = iter(iterable)
            for item in iterator:
                put((_ITEM, item))
                if stop.is_set():
                    break
        except BaseException as exc:
            put((_ERROR, exc))
        else:
            put((_END, None))
        finally:
            _close(iterator, iterable if iterator is not iterable else None)

    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(work,), name="reactchat-stream", daemon=True
    )
    thread.start()
    return thread


def consume_sync(writer: PartsWriter, iterable: Iterable[Any], cancel: Cancel) -> None:
    """Drive a sync iterable from a sync script."""
    inbox: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    stop = threading.Event()
    try:
        with cancel.on_request(lambda: inbox.put((_WAKE, None))):
            _pump(iterable, inbox.put, stop)
            _drain(writer, inbox, cancel)
    finally:
        stop.set()
        if cancel.requested and not inspect.isgenerator(iterable):
            # A model SDK's stream may be waiting on the network and never yield again: closing it here
            # closes its HTTP response, which ends that wait. (A generator can only be closed by its thread.)
            _close(iterable)


def _drain(writer: PartsWriter, inbox: queue.SimpleQueue[tuple[int, Any]], cancel: Cancel) -> None:
    while not cancel.requested:
        try:
            kind, item = inbox.get(timeout=writer.due_in())
        except queue.Empty:
            writer.flush()
            continue
        if kind == _ITEM:
            writer.feed(item)
        elif kind == _END:
            return
        elif kind == _ERROR:
            raise item


async def _threaded(iterable: Iterable[Any]) -> AsyncIterator[Any]:
    """A sync iterable as an async one, iterated on its own thread."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
    stop = threading.Event()

    def put(entry: tuple[int, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop may be gone when a stopped generator ends
            loop.call_soon_threadsafe(inbox.put_nowait, entry)

    _pump(iterable, put, stop)
    try:
        while True:
            kind, item = await inbox.get()
            if kind == _END:
                return
            if kind == _ERROR:
                raise item
            yield item
    finally:
        stop.set()


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
