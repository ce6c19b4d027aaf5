"""``chat_interface(cache_examples=True)``: each example's answer computed once per version of the code,
kept in a file next to the script, and replayed on a click without calling the chat function; and
``rc.chat(cache_examples=True)`` in a plain script: what the first ``write_stream`` of an example's run
streams, recorded on its first click and replayed on the next ones.

An answer is recorded as the function gave it (each yield of a stream, or the value returned), so a replay
streams through the same path as the original and shows the same thing. A change to the script or to the
function's code changes the digest and so starts an empty cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import inspect
import json
import logging
import marshal
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from reactchat.elements import ChatMessage
from reactchat.queues import Line, hold

log = logging.getLogger("reactchat")
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class Uncacheable(Exception):
    """An answer holds something that cannot be kept in a file (a media element made in code)."""


class ExampleCache:
    """The recorded answers of one script's examples, for one digest of its code.

    Args:
        path: The JSON file the answers are kept in (None: in memory only).
        digest: What the answers were computed by; a file with another digest is ignored.
    """

    def __init__(self, path: str | None, digest: str) -> None:
        self.path = path
        self.digest = digest
        self.examples: list[tuple[Any, list[Any]]] = []  # (message, input values) per example, latest run
        self.lazy = False
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._filled = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                with open(path, encoding="utf-8") as f:
                    kept = json.load(f)
                if isinstance(kept, dict) and kept.get("digest") == digest:
                    self._entries = dict(kept.get("entries") or {})

    def __len__(self) -> int:
        return len(self._entries)

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` answering from the cache when the call is an example's (no history before it): a kept
        answer is replayed without calling ``fn``; otherwise ``fn``'s answer is recorded as it goes."""

        def call(message: Any, history: list[Any], *values: Any) -> Any:
            key = _key(message, list(values)) if not history else None
            if key is None:
                return fn(message, history, *values)
            entry = self._entries.get(key)
            if entry is not None:
                return _replay(entry)
            return _record(fn(message, history, *values), lambda entry: self._put(key, entry))

        return call

    def fill(
        self,
        call: Callable[[Any, list[Any], list[Any]], Any],
        say: Callable[[str], None],
        line: Line | None = None,
    ) -> int:
        """Compute every example's answer not kept yet with ``call(message, history, values)``, each in turn
        in ``line`` (the function's ``concurrency_limit``), saying each; returns how many were computed.
        Only the first call does anything."""
        with self._lock:
            if self._filled:
                return 0
            self._filled = True
        keyed = [(_key(m, v), m, v) for m, v in self.examples]
        todo = [(k, m, v) for k, m, v in keyed if k is not None and k not in self._entries]
        for i, (key, message, values) in enumerate(todo, 1):
            shown = message.get("text", "") if isinstance(message, dict) else message
            say(f"caching example {i}/{len(todo)}: {str(shown)[:60]!r}")
            try:
                with hold(line) if line is not None else contextlib.nullcontext():
                    _drain(_record(call(message, [], values), functools.partial(self._put, key)))
            except Exception as exc:  # one failing example must not keep the others from being cached
                say(f"could not cache example {i}: {type(exc).__name__}: {exc}")
        return len(todo)

    def _put(self, key: str, entry: dict[str, Any]) -> None:
        try:
            json.dumps(entry)
        except (TypeError, ValueError):
            return  # not kept: asked again next time
        with self._lock:
            self._entries[key] = entry
            if self.path is None:
                return
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                import tempfile

                fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump({"digest": self.digest, "entries": self._entries}, f)
                os.replace(tmp, self.path)  # whole or not at all: a crash leaves the last good file
            except OSError as exc:
                log.warning("cannot keep cached examples in %s: %s (kept in memory)", self.path, exc)
                self.path = None


def cache_for(fn: Callable[..., Any] | None, registry_get: Callable[[], ExampleCache | None]) -> ExampleCache:
    """The cache of the running script's version: the registered one, or a new one for ``fn`` and the
    script calling ``chat_interface`` (read once per version of the code: the registry is cleared on a
    change)."""
    found = registry_get()
    if found is not None:
        return found
    script = _caller_file()
    source = b""
    if script is not None:
        with contextlib.suppress(OSError):
            with open(script, "rb") as f:
                source = f.read()
    code = getattr(fn, "__code__", None)
    digest = hashlib.sha256(source + (marshal.dumps(code) if code is not None else repr(fn).encode()))
    path = None
    if script is not None:
        folder = os.path.join(os.path.dirname(script), ".reactchat")
        path = os.path.join(folder, os.path.splitext(os.path.basename(script))[0] + ".examples.json")
    return ExampleCache(path, digest.hexdigest())


def replay_or_record(cache: ExampleCache, message: Any) -> Callable[[Any], Any]:
    """For a plain script's run an example started: ``write_stream``'s stream, replaced by the recording of
    this example's answer when there is one (the given stream is closed unread: a generator's model call
    never starts), else recorded as it streams (kept only if it finishes and holds plain data)."""
    key = _key(message, [])

    def source(stream: Any) -> Any:
        entry = cache._entries.get(key) if key is not None else None
        if entry is not None and "stream" in entry:
            if inspect.isgenerator(stream):
                stream.close()
            return iter_items(entry["stream"])
        if key is None:
            return stream
        return _record(stream, functools.partial(cache._put, key))

    return source


def _caller_file() -> str | None:
    """The file of the innermost frame outside reactchat that has one (the script)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__file__")
        if isinstance(name, str) and not os.path.abspath(name).startswith(_PACKAGE_DIR):
            return os.path.abspath(name)
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _key(message: Any, values: Sequence[Any]) -> str | None:
    try:
        return json.dumps([message, list(values)], sort_keys=True)
    except (TypeError, ValueError):
        return None  # an input value that is not plain data: never cached


def _plain(item: Any) -> Any:
    """A yield or return value as plain data, or Uncacheable."""
    if item is None or isinstance(item, (str, int, float, bool)):
        return item
    if isinstance(item, ChatMessage):
        return _plain(item.to_dict())
    if isinstance(item, dict):
        return {str(k): _plain(v) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [_plain(v) for v in item]
    raise Uncacheable(f"a {type(item).__name__} in the answer cannot be cached")


def _record(result: Any, done: Callable[[dict[str, Any]], None]) -> Any:
    """``result`` as the chat function gave it, calling ``done`` with what to replay once it completed
    (a stream stopped early, or holding media made in code, is not kept)."""

    def keep(entry: Callable[[], dict[str, Any]]) -> None:
        with contextlib.suppress(Uncacheable):
            done(entry())

    if inspect.isgenerator(result):

        def gen() -> Iterator[Any]:
            items: list[Any] = []
            finished = False
            try:
                for item in result:
                    items.append(item)
                    yield item
                finished = True
            finally:
                if finished:
                    keep(lambda: {"stream": [_plain(i) for i in items]})
                else:
                    result.close()

        return gen()
    if inspect.isasyncgen(result):

        async def agen() -> AsyncIterator[Any]:
            items: list[Any] = []
            async for item in result:
                items.append(item)
                yield item
            keep(lambda: {"stream": [_plain(i) for i in items]})

        return agen()
    if inspect.iscoroutine(result):

        async def coro() -> Any:
            value = await result
            keep(lambda: {"value": _plain(value)})
            return value

        return coro()
    keep(lambda: {"value": _plain(result)})
    return result


def _replay(entry: dict[str, Any]) -> Any:
    if "stream" in entry:
        return iter_items(entry["stream"])
    return entry.get("value")


def iter_items(items: list[Any]) -> Iterator[Any]:
    """The recorded yields of a stream, again (a generator, so it streams as the original did)."""
    yield from items


def _drain(result: Any) -> None:
    """Run an answer to its end (filling the cache outside any session)."""
    if inspect.iscoroutine(result):
        asyncio.run(result)
    elif inspect.isasyncgen(result):

        async def consume() -> None:
            async for _ in result:
                pass

        asyncio.run(consume())
    elif inspect.isgenerator(result):
        for _ in result:
            pass
