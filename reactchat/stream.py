"""``write_stream``'s writers: streamed text rendered as markdown at most once per frame, sent as appends,
and stored (when the reply is stored) before each frame shows it. ``feed.py`` pulls the chunks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from reactchat.context import active_run
from reactchat.elements import markdown_render
from reactchat.markdown import MarkdownOptions, MarkdownStream, markdown_source
from reactchat.ops import utf16_len

if TYPE_CHECKING:
    from reactchat.reconcile import Reconciler
    from reactchat.tree import Node


# A slow stream's frames carry a few tokens each rather than one, but never wait longer than the eye allows:
# at 50 tokens/s a frame per token is mostly its fixed overhead (on the wire and in the browser's rendering),
# and ten updates a second still read as flowing text. A fast stream keeps the configured frame interval.
TOKENS_PER_FRAME = 5
MAX_INTERVAL = 0.1
_GAP_WEIGHT = 0.25  # of the newest gap between chunks in the running mean


class Replace(str):
    """A stream chunk that replaces the text so far instead of adding to it."""


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


class Durable:
    """Hands streamed text to ``sink`` (the store) once per frame, before that frame shows it, so a browser
    never shows text the store does not hold. ``sink(None)`` means the text so far was replaced."""

    __slots__ = ("_pending", "_sink")

    def __init__(self, sink: Callable[[str | None], None]) -> None:
        self._sink = sink
        self._pending: list[str] = []

    def add(self, text: str) -> None:
        if text:
            self._pending.append(text)

    def replace(self) -> None:
        self._pending.clear()
        self._sink(None)

    def commit(self) -> None:
        if self._pending:
            self._sink("".join(self._pending))  # raises when the store fails: the text stays pending, unshown
            self._pending.clear()


class Writer:
    """Feeds text into a ``markdown`` node.

    The node's ``html`` is the finished blocks followed by the open block; only the open block is
    re-rendered, and only the part of it that changed is sent (APP with a cut). When a block finishes,
    its end goes into ``cuts``: a few bytes, the HTML itself is already on the client.

    It renders at most once per ``interval``, the configured frame interval stretched to the chunks' pace
    (see ``TOKENS_PER_FRAME``): a chunk after a quiet spell still shows at once.
    """

    def __init__(
        self,
        rec: Reconciler,
        node: Node,
        options: MarkdownOptions,
        interval: float,
        durable: Durable | None = None,
    ) -> None:
        self._durable = durable  # when set, text is stored before each frame shows it
        self._rec = rec
        self.node = node
        self._options = options
        self._md = MarkdownStream(self._options)
        self._base = interval
        self._gap: float | None = None  # running mean of the seconds between two chunks
        self._fed = 0.0  # when the last chunk came
        self._dirty = False
        self._last = 0.0
        self._done = ""  # the finished blocks' HTML
        self._done_units = 0  # its length in UTF-16 units

    @property
    def text(self) -> str:
        return self._md.text

    def feed(self, text: str) -> None:
        if isinstance(text, Replace):
            self._md = MarkdownStream(self._options)
            self._done, self._done_units = "", 0
            if self._durable is not None:
                self._durable.replace()
            self._rec.set(self.node, {"html": "", "cuts": []})
        if self._durable is not None:
            self._durable.add(text)
        self.feed_text(text)

    def feed_text(self, text: str) -> None:
        if not text:
            return
        now = time.monotonic()
        if self._fed:
            gap = min(now - self._fed, MAX_INTERVAL)  # a pause (a tool call, a slow first token) is no pace
            self._gap = gap if self._gap is None else self._gap + (gap - self._gap) * _GAP_WEIGHT
        self._fed = now
        self._md.feed(text)
        self._dirty = True
        if now - self._last >= self.interval:
            self.flush()

    @property
    def interval(self) -> float:
        """Seconds between two renders: the frame interval, or the time ``TOKENS_PER_FRAME`` chunks take at
        the stream's pace, up to ``MAX_INTERVAL``."""
        if self._gap is None:
            return self._base
        return max(self._base, min(MAX_INTERVAL, TOKENS_PER_FRAME * self._gap))

    def due_in(self) -> float | None:
        """Seconds until unrendered text must be flushed; None when everything is rendered."""
        if not self._dirty:
            return None
        return max(0.0, self._last + self.interval - time.monotonic())

    def flush(self) -> None:
        self._dirty = False
        self._last = time.monotonic()
        if self._durable is not None:
            self._durable.commit()
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
        if self._durable is not None:
            self._durable.commit()
        self._show(self._md.finish(), "")
        text = self._md.text
        source = markdown_source(text, self._options)
        canonical = markdown_render(active_run())(source)  # kept with a stored conversation
        # One block goes without cuts; and only reference-style links defined after their use can make
        # streaming and the canonical render disagree. One SET makes the final tree canonical anyway, and the
        # node then holds its render as a declared one does.
        self._rec.show(self.node, canonical, source)
        return text


class ReasoningWriter:
    """Routes streamed text at reasoning tags: answer text to markdown nodes, the text between tags to
    "Thinking" thoughts, declared exactly as ``rc.message`` declares the same text when it is re-shown."""

    def __init__(
        self,
        rec: Reconciler,
        options: MarkdownOptions,
        tags: tuple[tuple[str, str], ...],
        interval: float,
        durable: Durable | None = None,
    ) -> None:
        self._durable = durable  # the raw text, tags included, is stored; inner writers commit it per frame
        self._rec = rec
        self._options = options
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

    def feed(self, text: str) -> None:
        self._chunks.append(text)
        if self._durable is not None:
            self._durable.add(text)
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
        if self._durable is not None:
            self._durable.commit()
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
        node = self._rec.emit("markdown", {"html": "", "cuts": []})
        return Writer(self._rec, node, self._options, self._interval, self._durable)

    def _switch(self, mark: str) -> None:
        rec = self._rec
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
            rec = self._rec
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
