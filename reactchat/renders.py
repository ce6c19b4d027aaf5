"""Rendered markdown kept in the store with its conversation, so that a process opening a stored
conversation reads its messages' HTML in one query instead of rendering every text again (a cold render of
1,000 messages costs ~300 ms of CPU; reading them back, a few milliseconds).

A stored conversation nobody has rendered yet (imported, or kept by an older renderer) would cost its whole
render before a new tab shows anything. So a run renders at most ``DEFER_AFTER`` of CPU anew; the texts of
older messages past that (all but the last ``TAIL``, which the screen shows) are shown as escaped plain text
at first and rendered after the run, newest first, by ``Renders.catch_up``, which patches their nodes and
gives way to the user's next event.

A render is kept under a hash of its text, its options and the renderer (``RENDERER`` and the versions of
the libraries that shape the HTML): a change to any of them makes new keys, and renders nobody uses any more
age out of the store (``Store.keep_renders``). A conversation's renders are read at its first render this
process cannot serve from memory, and what was rendered anew is written after each run, in one batch on a
background thread (made when there is one, gone when it is written), off the path that shows the page.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import hashlib
import html
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.markdown import (
    DEFAULT,
    MarkdownOptions,
    MarkdownSource,
    cached_props,
    markdown_props,
    remember,
    source_parts,
)
from reactchat.markdown import warm_up as markdown_warm_up
from reactchat.store_sql import loads_all
from reactchat.tree import Rendered

if TYPE_CHECKING:
    from reactchat.records import Message
    from reactchat.store_base import Store
    from reactchat.tree import Node, Tree

__all__ = [
    "BATCH", "CATCH_UP_AFTER", "DEFER_AFTER", "MAX_KEPT_BYTES", "RENDERER", "TAIL",
    "Renders", "plain_props", "render_key", "warm_up", "written",
]  # fmt: skip

RENDERER = 1
"""Bumped whenever markdown.py, highlight.py or sanitizer.py change the HTML they make for the same text."""

BATCH = 20
"""New renders a session gathers before writing them. Those of a session that ends before are not kept: a
later open renders them (a few short texts) and keeps them then."""

MAX_KEPT_BYTES = 256 << 10
"""A render larger than this is not kept (rendering such a text again is bounded anyway, and rare)."""

TAIL = 24
"""The last messages of a conversation a run renders whatever it costs: a new tab shows them first (a tall
screen of short ones; the ones before are rendered next, newest first)."""

CATCH_UP_AFTER = 0.25
"""Seconds the texts a run showed plain wait for their renders (an event cuts it short, and its run goes
first): the page is building that run's frame, a long transcript's, meanwhile; rendering would take the
machine from it, and the patches, arriving meanwhile, delay its first paint."""

DEFER_AFTER = 0.005
"""Thread CPU seconds a run may spend rendering texts anew before older messages' texts wait for
``Renders.catch_up`` (about 10 typical messages: a turn, which renders one or two, never reaches it)."""

log = logging.getLogger("reactchat")
_writer: threading.Thread | None = None  # the writer thread, while it has work
_writer_lock = threading.Lock()
_jobs: collections.deque[tuple[Callable[[], None], concurrent.futures.Future[None]]] = collections.deque()


@functools.lru_cache(maxsize=64)
def _salt(options: MarkdownOptions) -> bytes:
    """What besides the text decides a render's HTML, as bytes to hash before it."""
    import importlib.metadata  # here: a server that renders nothing stored never loads it

    versions = [importlib.metadata.version(name) for name in ("markdown-it-py", "pygments", "nh3")]
    shape = [options.render_markdown, options.line_breaks, options.raw_html, sorted(options.allow_tags),
             [list(d) for d in options.latex]]  # fmt: skip
    return json.dumps([RENDERER, versions, shape]).encode() + b"\0"


def render_key(text: str, options: MarkdownOptions) -> str:
    """The key a render of ``text`` with ``options`` is kept under: 32 hex digits."""
    data = _salt(options) + text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def warm_up(quiet: Callable[[], object] = lambda: None) -> None:
    """What a server does in the background as it starts: find what render keys are salted with (three
    packages' versions: ~25 ms, which the first stored conversation opened would wait for), then, once
    ``quiet()`` returns (the server's runs pause), import and compile what a first render needs
    (``markdown.warm_up``): the first conversation opened then costs what it shows. Caches no text."""
    _salt(DEFAULT)
    quiet()
    markdown_warm_up()


def plain_props(text: str) -> dict[str, Any]:
    """A ``markdown`` node's props showing ``text`` as typed (escaped, its paragraphs and line breaks kept)
    until its render is ready: costs microseconds where a render costs a fraction of a millisecond."""
    body = html.escape(text.strip().replace("\r\n", "\n"), quote=False)
    return {"html": "<p>" + body.replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"}


def _write(store: Store, owner: str, conversation_id: str, fresh: dict[str, Any], used: list[str]) -> None:
    kept = {}
    for key, props in fresh.items():
        text = json.dumps(props, separators=(",", ":"))
        if len(text) <= MAX_KEPT_BYTES:
            kept[key] = text
    try:
        store.keep_renders(owner, conversation_id, kept, used)
    except Exception as exc:  # a cache: a store that cannot take it costs a render later, nothing more
        log.debug("keeping %d renders of %s failed: %s", len(kept), conversation_id, exc)


def _submit(job: Callable[[], None]) -> concurrent.futures.Future[None]:
    """Run ``job`` on the writer thread, after the jobs before it. The thread is made when a job arrives and
    ends when none is left: an idle process holds no thread for it."""
    global _writer
    future: concurrent.futures.Future[None] = concurrent.futures.Future()
    with _writer_lock:
        _jobs.append((job, future))
        if _writer is None:
            _writer = threading.Thread(target=_drain, name="reactchat-renders", daemon=True)
            _writer.start()
    return future


def _drain() -> None:
    global _writer
    while True:
        with _writer_lock:
            if not _jobs:
                _writer = None
                return
            job, future = _jobs.popleft()
        try:
            job()
        except BaseException as exc:  # _write logs its own failures; anything else goes to the waiter
            future.set_exception(exc)
        else:
            future.set_result(None)


def written(timeout: float | None = None) -> None:
    """Wait until every batch handed to the background writer so far is in the store (for tests and the
    bench; batches are written in order)."""
    _submit(lambda: None).result(timeout)


class Renders:
    """The renders of one stored conversation, as one session sees them.

    ``props`` serves a markdown node's props: from memory when this process has them, else from the store's
    renders of the conversation (all read with the first such miss), else rendered now and written back by
    the next ``flush``. A store that fails is only logged: the text is rendered instead.
    """

    def __init__(
        self,
        store: Store,
        owner: str,
        conversation_id: str,
        *,
        new: bool = False,
        path: Callable[[], Sequence[Message]] = tuple,
    ) -> None:
        self.store = store
        self.owner = owner
        self.conversation_id = conversation_id
        self._path = path  # the messages shown: which texts are older than the last TAIL
        self._loaded = new  # a new conversation has nothing kept yet: no need to ask
        self._stored: dict[str, dict[str, Any]] = {}  # key -> props read from the store, until the next flush
        self._fresh: dict[str, dict[str, Any]] = {}  # rendered here, not yet handed to the writer
        self._used: list[str] = []  # kept keys read back since the last flush
        self._spent = 0.0  # thread CPU this run spent rendering anew
        self._older: set[str] | None = None  # this run's texts of messages before the last TAIL
        self._begun = False  # catch_up has begun on the texts shown plain
        self._waiting: dict[int, tuple[MarkdownSource, dict[str, Any]]] = {}  # id(its html) ->

    def props(self, source: MarkdownSource) -> dict[str, Any]:
        """The props of a ``markdown`` node showing ``source`` (``markdown_source``): ``markdown_props``."""
        text, options = source_parts(source)
        found = cached_props(text, options)
        if found is not None:
            return found
        if not self._loaded:
            self._load()
        key = render_key(text, options) if self._stored else ""  # (nothing kept: no need to hash it yet)
        kept = self._stored.get(key) if key else None
        if kept is not None:
            found = Rendered(kept)
            remember(text, options, found)  # another tab on it is served from memory
            self._used.append(key)
            return found
        if self._spent > DEFER_AFTER and text in self._older_texts():
            self._begun = False
            shown = plain_props(text)
            self._waiting[id(shown["html"])] = (source, shown)  # (held while it waits: its id is its own)
            return shown
        started = time.thread_time()
        found = markdown_props(text, options)
        self._spent += time.thread_time() - started
        self._fresh[key or render_key(text, options)] = found  # rarely one the store holds already: again
        return found

    def _older_texts(self) -> set[str]:
        if self._older is None:
            path = self._path()
            self._older = {m.content for m in path[: max(0, len(path) - TAIL)] if isinstance(m.content, str)}
        return self._older

    @property
    def behind(self) -> bool:
        """Whether texts shown plain wait for their render (``catch_up``)."""
        return bool(self._waiting)

    def catch_up(
        self,
        tree: Tree,
        show: Callable[[Node, dict[str, Any], MarkdownSource], None],
        busy: Callable[[float], bool],
    ) -> None:
        """Render the texts shown plain, newest first, and ``show`` each node showing one with its props and
        source (``Reconciler.show``), until all are done or ``busy(0)`` says work came in (the next
        call goes on). Runs between runs, on the session's own thread. Texts the run that just ended showed
        plain wait ``CATCH_UP_AFTER`` first (``busy(seconds)`` waits for work up to then)."""
        waiting = self._waiting
        if not self._begun and busy(CATCH_UP_AFTER):
            return
        self._begun = True
        # A node showing one holds its HTML, as a markdown node's props or atop a message's own (Atop).
        nodes = [n for n in reversed(tree.nodes.values()) if id(n.props.get("html")) in waiting]
        for node in nodes:
            if busy(0.0):
                return
            source, _ = waiting.get(id(node.props.get("html")), (None, None))
            if source is None or source != node.source:
                continue
            text, options = source_parts(source)
            found = markdown_props(text, options)
            self._fresh[render_key(text, options)] = found
            show(node, found, source)  # no run goes meanwhile: the node is as it was
        waiting.clear()  # what is left shows on no node any more
        self.flush()

    def flush(self, *, everything: bool = False) -> concurrent.futures.Future[None] | None:
        """A run ended: hand what was rendered anew, and which kept renders were used, to the background
        writer, once ``BATCH`` new ones have gathered (a turn renders two or so: fewer, larger writes) or
        with ``everything`` (the session leaves the conversation); None when nothing was handed over. What
        was read from the store is dropped from memory: the nodes now hold it."""
        self._stored = {}
        self._spent, self._older = 0.0, None
        if not self._used and (not self._fresh or (len(self._fresh) < BATCH and not everything)):
            return None
        fresh, used = self._fresh, self._used
        self._fresh, self._used = {}, []
        return _submit(functools.partial(_write, self.store, self.owner, self.conversation_id, fresh, used))

    def _load(self) -> None:
        self._loaded = True
        try:
            kept = self.store.renders(self.owner, self.conversation_id)
            self._stored = dict(zip(kept, loads_all(list(kept.values())), strict=True))
        except Exception as exc:  # rendering works without it
            log.debug("reading the renders of %s failed: %s", self.conversation_id, exc)
