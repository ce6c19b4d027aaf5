"""The functions a script calls. Each is thin: check for an interrupt, then declare a node in the run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterable, Mapping
from types import TracebackType
from typing import Any

from reactchat import context
from reactchat.markdown import markdown_props
from reactchat.state import SessionState
from reactchat.stream import Writer, consume_async, consume_sync
from reactchat.tree import Node

ROLES = ("user", "assistant", "system")


class Container:
    """A declared element that can hold others: ``with rc.message("assistant"): ...`` nests into it."""

    def __init__(self, run: context.Run, node: Node) -> None:
        self._run = run
        self.node = node

    def __enter__(self) -> Container:
        self._run.reconciler.enter(self.node)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._run.reconciler.exit(prune=exc_type is None)


def _role_and_content(role: Any, content: Any) -> tuple[str, Any]:
    if isinstance(role, Mapping):
        if content is not None:
            raise TypeError("rc.message() takes either a message dict or a role and content, not both")
        if "role" not in role:
            raise ValueError(f"message dict needs a 'role' key, got keys {sorted(role)}")
        role, content = role["role"], role.get("content")
    if role not in ROLES:
        raise ValueError(f"message role must be one of {', '.join(ROLES)}; got {role!r}")
    return role, content


def _emit_content(run: context.Run, content: Any) -> None:
    if isinstance(content, str):
        run.reconciler.emit("markdown", None, source=content, render=markdown_props)
    elif isinstance(content, (list, tuple)):
        for part in content:
            _emit_content(run, part)
    else:
        raise TypeError(f"message content must be a str or a list of str; got {type(content).__name__}")


def message(role: str | Mapping[str, Any], content: Any = None, *, key: str | None = None) -> Container:
    """Declare a chat message.

    Args:
        role: ``"user"``, ``"assistant"`` or ``"system"``; or a dict ``{"role": ..., "content": ...}``.
        content: Markdown text (or a list of texts). Leave it out and use the message as a context
            manager to put several parts into it: ``with rc.message("assistant"): rc.write_stream(...)``.
        key: A stable identity among its siblings, when messages can be reordered or removed.

    Returns:
        The message, usable as a context manager.

    Raises:
        ValueError: for an unknown role. TypeError: for content of an unsupported type.
    """
    run = context.current_run()
    run.checkpoint()
    role, content = _role_and_content(role, content)
    node = run.reconciler.emit("message", {"role": role}, key)
    container = Container(run, node)
    if content is not None:
        with container:
            _emit_content(run, content)
    return container


def markdown(text: str, *, key: str | None = None) -> None:
    """Declare a block of markdown (raw HTML is not rendered; the output is sanitised)."""
    run = context.current_run()
    run.checkpoint()
    if not isinstance(text, str):
        raise TypeError(f"rc.markdown() takes a str; got {type(text).__name__}")
    run.reconciler.emit("markdown", None, key, source=text, render=markdown_props)


def title(text: str) -> None:
    """Declare the app's title, shown at the top and as the page title."""
    run = context.current_run()
    run.checkpoint()
    run.reconciler.emit("title", {"text": str(text)})


def write_stream(stream: Iterable[Any] | AsyncIterable[Any], *, key: str | None = None) -> Any:
    """Stream text into the current container (usually an assistant message) as it arrives.

    Accepts a sync or async iterable of strings, or of OpenAI-style chunks
    (``chunk.choices[0].delta.content``). The text renders as markdown while it streams.

    If the user presses Stop, the iterable is closed (a generator's ``finally`` runs) and this returns the
    text so far, so the script can keep the partial answer; the run then ends at the next reactchat call.

    Returns:
        The full text. In a script that uses top-level ``await``, this returns an awaitable of the text:
        write ``text = await rc.write_stream(...)``.
    """
    run = context.current_run()
    run.checkpoint()
    if not isinstance(stream, (Iterable, AsyncIterable)) or isinstance(stream, (str, bytes)):
        raise TypeError(f"write_stream needs an iterable of text chunks; got {type(stream).__name__}")
    node = run.reconciler.emit("markdown", {"html": "", "cuts": []}, key)
    node.source = None
    writer = Writer(run, node, run.frame_interval)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return _write_stream_awaitable(writer, stream, run)
    try:
        if isinstance(stream, AsyncIterable):
            run.event_loop().run_until_complete(consume_async(writer, stream, run))
        else:
            consume_sync(writer, stream, run)
    finally:
        text = writer.finish()
    return text


async def _write_stream_awaitable(
    writer: Writer, stream: Iterable[Any] | AsyncIterable[Any], run: context.Run
) -> str:
    try:
        await consume_async(writer, stream, run)
    finally:
        text = writer.finish()
    return text


def chat_input(placeholder: str | None = None, *, key: str | None = None) -> str | None:
    """Declare the chat input box.

    Returns:
        The text the user submitted, on the run that submission triggered; otherwise None.
    """
    run = context.current_run()
    run.checkpoint()
    node = run.reconciler.emit("chat_input", {"placeholder": placeholder}, key)
    event = run.event
    if event is not None and event.node_id == node.id and event.action == "submit":
        value = event.value
        return value if isinstance(value, str) else None
    return None


def rerun() -> None:
    """End this run now and run the script again from the top."""
    context.current_run().checkpoint()
    raise context.RerunRequested()


def stop() -> None:
    """End this run here, like reaching the end of the script."""
    context.current_run().checkpoint()
    raise context.ScriptStopped()


class _SessionStateProxy:
    """``rc.session_state``: the current session's state, reached from anywhere in the script."""

    def _target(self) -> SessionState:
        return context.current_run().state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._target()

    def __iter__(self) -> Any:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def get(self, key: str, default: Any = None) -> Any:
        return self._target().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._target().setdefault(key, default)

    def __repr__(self) -> str:
        return repr(self._target())


session_state: Any = _SessionStateProxy()
"""Per-session state, surviving reruns and reconnects: ``rc.session_state.history``."""

__all__ = [
    "chat_input",
    "markdown",
    "message",
    "rerun",
    "session_state",
    "stop",
    "title",
    "write_stream",
]
