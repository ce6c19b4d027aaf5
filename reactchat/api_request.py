"""What the chat HTTP API reads and answers: a request body parsed and checked (each error names the bad
value), a chat function's reply as JSON, and its failure as an error id (the details go to the log)."""

from __future__ import annotations

import inspect
import json
import logging
import secrets
import threading
from typing import Any

import tornado.web

from reactchat.chatbot import ChatFunction
from reactchat.elements import Element
from reactchat.replies import as_messages

MAX_JSON_DEPTH = 64
"""Nesting a request body may have; a chat request needs a handful of levels, and deeper ones only feed
recursion (the JSON parser's own ends in a RecursionError near 1,000)."""


log = logging.getLogger("reactchat")


class ApiError(tornado.web.HTTPError):
    """A bad request: answered with ``status`` and the message, which names the bad value."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, "%s", message)  # the message may hold a "%": never a format string


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:  # a loop, not recursion: the point is to refuse what recursion cannot take
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body: a JSON object nested at most ``MAX_JSON_DEPTH`` levels.

    Raises:
        ApiError: 400, saying what is wrong with the body.
    """
    try:
        body = json.loads(raw or b"")
    except RecursionError:
        raise ApiError(400, f"the body is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    if _too_deep(body, MAX_JSON_DEPTH):
        raise ApiError(400, f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    return body


def stream_flag(body: dict[str, Any]) -> bool:
    """The body's ``stream``: true or false (absent or null is false).

    Raises:
        ApiError: 400, naming a value that is not a boolean.
    """
    value = body.get("stream")
    if value is None or isinstance(value, bool):
        return bool(value)
    raise ApiError(400, f"'stream' must be true or false; got {value!r}")


def parse_history(value: Any) -> list[dict[str, Any]]:
    """A request's ``history``: a list of ``{role, content}`` messages.

    Raises:
        ApiError: 400, when it is anything else.
    """
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant", "system") for m in value
    ):
        raise ApiError(
            400, "history must be a list of {role, content} objects with role user, assistant or system"
        )
    return [dict(m) for m in value]


def content_text(content: Any) -> str:
    """An OpenAI message content (a string or a list of parts) as text.

    Raises:
        ApiError: 400, when it is neither.
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise ApiError(400, "message content must be a string or a list of content parts")


def chat_request(
    interface: ChatFunction, body: dict[str, Any]
) -> tuple[Any, list[dict[str, Any]], list[Any]]:
    """The message, history and additional input values of an ``/api/chat`` body, for ``interface``.

    Raises:
        ApiError: 400, naming what is missing or malformed.
    """
    message = body.get("message")
    if message is None:
        raise ApiError(400, "the body needs a 'message'")
    if interface.multimodal:
        if isinstance(message, str):
            message = {"text": message, "files": []}
        if not isinstance(message, dict) or not isinstance(message.get("text", ""), str):
            raise ApiError(400, "'message' must be a string or {text, files}")
    elif not isinstance(message, str):
        raise ApiError(400, f"'message' must be a string; got {type(message).__name__}")
    return message, parse_history(body.get("history")), inputs(interface, body)


def inputs(interface: ChatFunction, body: dict[str, Any]) -> list[Any]:
    """The additional input values a body gives (defaults otherwise).

    Raises:
        ApiError: 400, naming an unknown input or too many values.
    """
    try:
        return interface.inputs(body.get("additional_inputs"))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def text_of(content: Any) -> str:
    """The text of a message's content (parts joined by blank lines; media have none)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n\n".join(t for t in (text_of(c) for c in content) if t)
    return ""


def _jsonable(content: Any) -> Any:
    if isinstance(content, Element):
        return {"type": content.kind, **{k: v for k, v in content.props.items() if k != "html"}}
    if isinstance(content, (list, tuple)):
        return [_jsonable(c) for c in content]
    if isinstance(content, dict):
        return {k: _jsonable(v) for k, v in content.items()}
    if isinstance(content, (str, int, float, bool)) or content is None:
        return content
    return str(content)


def reply_messages(result: Any) -> list[dict[str, Any]]:
    """The function's (non-streamed) result as JSON-ready message dicts."""
    return [{k: _jsonable(v) for k, v in m.items()} for m in as_messages(result)]


def reply_text(messages: list[dict[str, Any]]) -> str:
    """The text of reply messages, joined by blank lines."""
    return "\n\n".join(text_of(m["content"]) for m in messages)


def final(result: Any, gone: threading.Event) -> Any:
    """A non-streamed call's result: a generator's last yield. Once ``gone`` is set (the client left), the
    generator is closed at its next yield, so its upstream work stops too."""
    if not inspect.isgenerator(result):
        return result
    last = ""
    try:
        for item in result:
            if gone.is_set():
                break
            last = str(item)
    finally:
        result.close()
    return last


def failure(exc: BaseException) -> str:
    """Log the chat function's exception once, with its traceback, under a new error id; the message for
    the client has only the id (an exception's text can hold paths, keys or user data)."""
    ident = secrets.token_hex(6)
    log.error("the chat function failed (error id %s)", ident, exc_info=exc)
    return f"the chat function failed (error id {ident}; the server's log has the details)"
