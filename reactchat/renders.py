"""Rendered markdown kept in the store with its conversation, so that a process opening a stored
conversation reads its messages' HTML in one query instead of rendering every text again (a cold render of
1,000 messages costs ~300 ms of CPU; reading them back, a few milliseconds).

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
import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from reactchat.markdown import MarkdownOptions, cached_props, markdown_props, remember

if TYPE_CHECKING:
    from reactchat.store_base import Store

__all__ = ["BATCH", "MAX_KEPT_BYTES", "RENDERER", "Renders", "render_key", "written"]

RENDERER = 1
"""Bumped whenever markdown.py, highlight.py or sanitizer.py change the HTML they make for the same text."""

BATCH = 20
"""New renders a session gathers before writing them. Those of a session that ends before are not kept: a
later open renders them (a few short texts) and keeps them then."""

MAX_KEPT_BYTES = 256 << 10
"""A render larger than this is not kept (rendering such a text again is bounded anyway, and rare)."""

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

    def __init__(self, store: Store, owner: str, conversation_id: str, *, new: bool = False) -> None:
        self.store = store
        self.owner = owner
        self.conversation_id = conversation_id
        self._loaded = new  # a new conversation has nothing kept yet: no need to ask
        self._stored: dict[str, str] = {}  # key -> JSON props, read from the store, until the next flush
        self._fresh: dict[str, dict[str, Any]] = {}  # rendered here, not yet handed to the writer
        self._used: list[str] = []  # kept keys read back since the last flush

    def props(self, source: tuple[str, MarkdownOptions]) -> dict[str, Any]:
        """The props of a ``markdown`` node showing ``source`` (text and options), as ``markdown_props``."""
        text, options = source
        found = cached_props(text, options)
        if found is not None:
            return found
        key = render_key(text, options)
        if not self._loaded:
            self._load()
        kept = self._stored.get(key)
        if kept is not None:
            found = cast(dict[str, Any], json.loads(kept))
            remember(text, options, found)  # another tab on it is served from memory
            self._used.append(key)
            return found
        found = markdown_props(text, options)
        self._fresh[key] = found  # rarely one the store holds already (read and dropped): written again
        return found

    def flush(self, *, everything: bool = False) -> concurrent.futures.Future[None] | None:
        """A run ended: hand what was rendered anew, and which kept renders were used, to the background
        writer, once ``BATCH`` new ones have gathered (a turn renders two or so: fewer, larger writes) or
        with ``everything`` (the session leaves the conversation); None when nothing was handed over. What
        was read from the store is dropped from memory: the nodes now hold it."""
        self._stored = {}
        if not self._used and (not self._fresh or (len(self._fresh) < BATCH and not everything)):
            return None
        fresh, used = self._fresh, self._used
        self._fresh, self._used = {}, []
        return _submit(functools.partial(_write, self.store, self.owner, self.conversation_id, fresh, used))

    def _load(self) -> None:
        self._loaded = True
        try:
            self._stored = self.store.renders(self.owner, self.conversation_id)
        except Exception as exc:  # rendering works without it
            log.debug("reading the renders of %s failed: %s", self.conversation_id, exc)
