"""What a chat function gives back, as messages: a str, message dicts, ``ChatMessage``s, media elements, or
generators of the reply so far (turned into the deltas ``write_stream`` appends)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from reactchat import context
from reactchat.dialects import is_model_stream
from reactchat.elements import ChatMessage, Element
from reactchat.messages import message
from reactchat.stream import Replace

log = logging.getLogger("reactchat")

END = object()
"""What ``next(generator, END)`` returns for a generator that yields nothing."""


def chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    """``first``, then the rest of ``rest`` (closed when this generator is)."""
    try:
        yield first
        yield from rest
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()


def copy_message(original: dict[str, Any]) -> dict[str, Any]:
    """A copy the chat function may change without changing the history."""
    copied = dict(original)
    if isinstance(copied.get("content"), dict):
        copied["content"] = dict(copied["content"])
    elif isinstance(copied.get("content"), list):
        copied["content"] = list(copied["content"])
    return copied


def as_messages(result: Any) -> list[dict[str, Any]]:
    """The reply messages a chat function returned (a str, message dict, ChatMessage, media element, or a
    list of them), as message dicts.

    Raises:
        TypeError: naming the type of an unsupported result.
    """
    if result is None:
        return []
    if isinstance(result, (str, Element)) or (isinstance(result, dict) and "role" not in result):
        return [{"role": "assistant", "content": result}]
    if isinstance(result, ChatMessage):
        return [result.to_dict()]
    if isinstance(result, dict):
        return [dict(result)]
    if isinstance(result, (list, tuple)):
        return [m for item in result for m in as_messages(item)]
    raise TypeError(
        f"the chat function returned a {type(result).__name__}; expected a str, a message dict, a ChatMessage"
        ", a media element, a list of them, or a generator of str"
    )


def is_stream(result: Any) -> bool:
    """Whether a chat function's result is streamed: a generator, or a model library's stream object (openai's
    ``Stream``, anthropic's, ...); not a list of messages."""
    if inspect.isgenerator(result) or inspect.isasyncgen(result):
        return True
    return isinstance(result, (Iterable, AsyncIterable)) and not isinstance(
        result, (str, bytes, Sequence, Mapping)
    )


def is_structured(item: Any) -> bool:
    """Whether a chat function's first yield is a message (a dict, ``ChatMessage``, ...), not text or a model
    library's chunk."""
    return not isinstance(item, str) and not is_model_stream(item)


def deltas(source: Any) -> Iterator[Any] | AsyncIterator[Any]:
    """Turn "the whole reply so far" yields (the reference's form) into the deltas write_stream appends; a
    model library's chunks pass as they are."""
    if isinstance(source, AsyncIterable):

        async def agen() -> AsyncIterator[Any]:
            seen, raw = "", False
            async for item in source:
                if raw or (type(item) is not str and is_model_stream(item)):
                    raw = True
                    yield item
                    continue
                text = str(item)
                yield text[len(seen) :] if text.startswith(seen) else Replace(text)
                seen = text

        return agen()

    def gen() -> Iterator[Any]:
        seen, raw = "", False
        try:
            for item in source:
                if raw or (type(item) is not str and is_model_stream(item)):
                    raw = True
                    yield item
                    continue
                text = str(item)
                yield text[len(seen) :] if text.startswith(seen) else Replace(text)
                seen = text
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    return gen()


def last_user(history: list[dict[str, Any]], index: int) -> int | None:
    """The index of the last plain user message at or before ``index``."""
    for i in range(min(index, len(history) - 1), -1, -1):
        if history[i]["role"] == "user" and isinstance(history[i]["content"], str):
            return i
    return None


def structured(first: Any, rest: Iterator[Any], history: list[dict[str, Any]], ids: list[int]) -> None:
    """Yields of messages (thoughts, options, media): each yield replaces the reply shown so far."""
    rec = context.current_run().reconciler
    shown: list[Any] = []
    latest = first
    try:
        for item in chain(first, rest):
            latest = item
            for node in shown:
                rec.retract(node)
            shown = [message(m).node for m in as_messages(item)]
    finally:
        for m, node in zip(as_messages(latest), shown, strict=False):
            history.append(m)
            ids.append(node.id)


def nothing(fn: Callable[..., Any]) -> None:
    """Say, in the chat and in the server's log, that the chat function gave no reply (it returned None, an
    empty list, or a generator that yielded nothing): usually a forgotten ``return``."""
    code = getattr(fn, "__code__", None)
    where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
    name = getattr(fn, "__qualname__", repr(fn))
    text = f"the chat function {name}{where} gave no reply: return or yield the reply (a str or messages)"
    log.warning("%s", text)
    context.current_run().reconciler.emit("error", {"type": "Warning", "message": text, "frames": []})
