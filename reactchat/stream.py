"""``write_stream``'s machinery: pull chunks, render markdown at most once per frame, honour Stop.

The user's iterable runs on its own thread (sync) or task (async) so the script thread can wait for the next
chunk *with a deadline*: when the generator stalls, the text it already produced is rendered within one
frame; when the user presses Stop, the writer returns at once with the partial answer while the generator is
closed as soon as it yields (its ``finally`` runs, aborting the upstream request).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any

from reactchat import context
from reactchat.markdown import MarkdownStream, markdown_props
from reactchat.ops import utf16_len
from reactchat.tree import Node

_ITEM, _END, _ERROR, _WAKE = range(4)


class Replace(str):
    """A stream chunk that replaces the text so far instead of adding to it."""


def chunk_text(chunk: Any) -> str:
    """The text of one stream chunk: a str, or an OpenAI-style chunk's ``choices[0].delta.content``."""
    if isinstance(chunk, str):
        return chunk
    if chunk is None:
        return ""
    choices = chunk.get("choices") if isinstance(chunk, dict) else getattr(chunk, "choices", None)
    if choices is not None:
        if not choices:
            return ""
        first = choices[0]
        delta = first.get("delta") if isinstance(first, dict) else getattr(first, "delta", None)
        content = delta.get("content") if isinstance(delta, dict) else getattr(delta, "content", None)
        return content or ""
    raise TypeError(
        f"write_stream got a chunk of type {type(chunk).__name__}: {chunk!r:.80}; expected str or an"
        " OpenAI-style chunk with choices[0].delta.content"
    )


_TAG_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def open_html(html: str) -> str:
    """The open block's HTML without its trailing closing tags.

    The browser's parser closes them at the end of the fragment anyway; leaving them off means the next
    frame appends just the new text instead of re-sending ``</p>`` (or ``</code></pre>``) every time. What
    remains is a prefix of sanitised HTML ending between tags, never inside one.

    It removes what ``(?:\\s*</[a-zA-Z][a-zA-Z0-9]*>)+\\s*$`` matches, scanning back from the end once: that
    regex, searched forwards, re-scanned a run of spaces from each of its positions (40,000 spaces in a
    streamed paragraph cost 14 s, holding the GIL).
    """
    end = len(html.rstrip())
    cut = -1  # where the trailing tags (and the space around them) start; -1: there are none
    while end >= 4 and html[end - 1] == ">":
        start = end - 1  # scan back over the tag's name
        while start > 0 and html[start - 1] in _TAG_NAME:
            start -= 1
        if start == end - 1 or start < 2 or html[start - 2 : start] != "</" or html[start] in "0123456789":
            break
        cut = start - 2
        end = cut
        while end > 0 and html[end - 1].isspace():
            end -= 1
    return html if cut == -1 else html[:end]


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on C-speed slice comparisons
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class Writer:
    """Feeds text into a ``markdown`` node.

    The node's ``html`` is the finished blocks followed by the open block; only the open block is
    re-rendered, and only the part of it that changed is sent (APP with a cut). When a block finishes,
    its end goes into ``cuts``: a few bytes, the HTML itself is already on the client.
    """

    def __init__(self, run: context.Run, node: Node, interval: float) -> None:
        self._rec = run.reconciler
        self.node = node
        self._options = run.chat.markdown
        self._md = MarkdownStream(self._options)
        self._interval = interval
        self._dirty = False
        self._last = 0.0
        self._done = ""  # the finished blocks' HTML
        self._done_units = 0  # its length in UTF-16 units

    @property
    def text(self) -> str:
        return self._md.text

    def feed(self, chunk: Any) -> None:
        if isinstance(chunk, Replace):
            self._md = MarkdownStream(self._options)
            self._done, self._done_units = "", 0
            self._rec.set(self.node, {"html": "", "cuts": []})
        self.feed_text(chunk_text(chunk))

    def feed_text(self, text: str) -> None:
        if not text:
            return
        self._md.feed(text)
        self._dirty = True
        if time.monotonic() - self._last >= self._interval:
            self.flush()

    def due_in(self) -> float | None:
        """Seconds until unrendered text must be flushed; None when everything is rendered."""
        if not self._dirty:
            return None
        return max(0.0, self._last + self._interval - time.monotonic())

    def flush(self) -> None:
        self._dirty = False
        self._last = time.monotonic()
        self._show(*self._md.render())

    def _show(self, done: list[str], tail: str) -> None:
        base = len(self._done)  # the client already has everything before this
        cuts = []
        for block in done:
            self._done += block
            self._done_units += utf16_len(block)
            cuts.append(self._done_units)
        old = self.node.props.get("html", "")
        new = self._done + open_html(tail)
        if new != old:
            keep = base + _common_prefix(old[base:], new[base:])
            self._rec.append(self.node, "html", new[keep:], keep=keep)
        if cuts:
            self._rec.append(self.node, "cuts", cuts)

    def finish(self) -> str:
        """Commit everything; the node ends up exactly as ``rc.markdown(text)`` would declare it."""
        self._show(self._md.finish(), "")
        text = self._md.text
        canonical = markdown_props(text, self._options)
        if canonical != self.node.props:
            # Only reference-style links defined after their use can make streaming and the canonical
            # render disagree; one SET makes the final tree canonical anyway.
            self._rec.set(self.node, dict(canonical))
        self.node.source = (text, self._options)
        return text


class ReasoningWriter:
    """Routes streamed text at reasoning tags: answer text to markdown nodes, the text between tags to
    "Thinking" thoughts, declared exactly as ``rc.message`` declares the same text when it is re-shown."""

    def __init__(self, run: context.Run, tags: tuple[tuple[str, str], ...], interval: float) -> None:
        self._run = run
        self._tags = tags
        self._interval = interval
        self._buffer = ""
        self._closing: str | None = None  # inside a thought: its closing tag
        self._writer: Writer | None = None
        self._thought: Node | None = None
        self._started = 0.0
        self._chunks: list[str] = []  # the raw text, tags included (see MarkdownStream for why a list)

    @property
    def text(self) -> str:
        return "".join(self._chunks)

    def feed(self, chunk: Any) -> None:
        text = chunk_text(chunk)
        self._chunks.append(text)
        self._buffer += text
        self._route(final=False)

    def due_in(self) -> float | None:
        return self._writer.due_in() if self._writer is not None else None

    def flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def finish(self) -> str:
        self._route(final=True)
        self._close_writer()
        return self.text

    def _route(self, final: bool) -> None:
        while self._buffer:
            marks = [self._closing] if self._closing is not None else [o for o, _ in self._tags]
            hits = [(i, m) for m in marks if (i := self._buffer.find(m)) != -1]
            if hits:
                at, mark = min(hits)
                self._write(self._buffer[:at])
                self._buffer = self._buffer[at + len(mark) :]
                self._switch(mark)
                continue
            # Hold back what could be the start of a tag split across chunks.
            keep = 0 if final else max((_overlap(self._buffer, m) for m in marks), default=0)
            self._write(self._buffer[: len(self._buffer) - keep])
            self._buffer = self._buffer[len(self._buffer) - keep :]
            break

    def _write(self, text: str) -> None:
        if not text:
            return
        if self._writer is None:
            self._writer = self._new_writer()
        self._writer.feed_text(text)

    def _new_writer(self) -> Writer:
        node = self._run.reconciler.emit("markdown", {"html": "", "cuts": []})
        return Writer(self._run, node, self._interval)

    def _switch(self, mark: str) -> None:
        rec = self._run.reconciler
        opening = self._closing is None
        self._close_writer()
        if opening:  # start a thought
            self._closing = dict(self._tags)[mark]
            self._thought = rec.emit(
                "thought", {"title": "Thinking", "status": "pending"}, defaults={"duration": None}
            )
            rec.enter(self._thought)
            self._started = time.monotonic()
            self._writer = self._new_writer()

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.finish()
            self._writer = None
        if self._thought is not None:
            rec = self._run.reconciler
            rec.exit()
            duration = round(time.monotonic() - self._started, 1)
            rec.set(self._thought, {"status": "done", "duration": duration})
            self._thought, self._closing = None, None


def _overlap(text: str, mark: str) -> int:
    """The length of the longest end of ``text`` that begins ``mark``."""
    for n in range(min(len(mark) - 1, len(text)), 0, -1):
        if mark.startswith(text[-n:]):
            return n
    return 0


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


def consume_sync(writer: Writer | ReasoningWriter, iterable: Iterable[Any], run: context.Run) -> None:
    """Drive a sync iterable from a sync script."""
    inbox: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    stop = threading.Event()
    run.stream_wakeup = lambda: inbox.put((_WAKE, None))
    try:
        _pump(iterable, inbox.put, stop)
        while run.interrupt is None and not run.abandoned:
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
    finally:
        run.stream_wakeup = None
        stop.set()


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
    writer: Writer | ReasoningWriter, iterable: Iterable[Any] | AsyncIterable[Any], run: context.Run
) -> None:
    """Drive any iterable from inside an event loop; returns early, keeping the text, when interrupted."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def wakeup() -> None:
        loop.call_soon_threadsafe(wake.set)

    run.stream_wakeup = wakeup
    source = iterable if isinstance(iterable, AsyncIterable) else _threaded(iterable)
    iterator = source.__aiter__()
    waker = asyncio.ensure_future(wake.wait())
    pending: asyncio.Future[Any] | None = None
    try:
        while run.interrupt is None and not run.abandoned:
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
        run.stream_wakeup = None
        waker.cancel()
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
