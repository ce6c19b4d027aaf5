"""Frames out, client messages in: msgpack encoding and validation (see docs/protocol.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import msgpack

from reactchat.ops import Op

VERSION = 2


class ProtocolError(ValueError):
    """An inbound message that is not valid; the message says what was wrong."""


def encode_frame(seq: int | None, ops: list[Op]) -> bytes:
    return bytes(msgpack.packb([VERSION, seq, ops], use_bin_type=True))


def decode_frame(data: bytes) -> tuple[int, int | None, list[Op]]:
    """Decode a server frame (used by tests and the headless runner)."""
    version, seq, ops = msgpack.unpackb(data, raw=False)
    return version, seq, ops


@dataclasses.dataclass(frozen=True)
class Hello:
    token: str | None
    last_seq: int
    tab: str = ""  # the tab's own id: its events are numbered per tab (a duplicated tab gets a new one)
    conversation: str | None = None  # the stored conversation the page's URL names (/c/<id>)


@dataclasses.dataclass(frozen=True)
class Event:
    ev_seq: int
    node_id: int
    action: str
    value: Any
    tab: str = ""  # the tab that sent it (from its hello): events are numbered per tab


@dataclasses.dataclass(frozen=True)
class Stop:
    pass


@dataclasses.dataclass(frozen=True)
class Ack:
    seq: int


ClientMessage = Hello | Event | Stop | Ack

MAX_SAFE_INT = 2**53  # every number the browser counts must stay exact in a JavaScript number
_MAX_ACTION = 64
_MAX_TOKEN = 128


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{what} must be an integer, got {type(value).__name__}")
    return value


def url_hello(query: Mapping[str, str]) -> Hello | None:
    """The hello a fresh tab's page puts in its socket's URL, ``/_rc/ws?hello=<version>&tab=<tab>[&c=<id>]``
    (frontend/src/boot.ts), so that its session starts at the upgrade rather than when the page's script
    can send one: no resume token (a fresh tab has none) and no frames seen. None when the URL has none.

    Raises:
        ProtocolError: as for a hello message.
    """
    version = query.get("hello")
    if version is None:
        return None
    fields = [VERSION if version == str(VERSION) else version, None, -1, query.get("tab", "")]
    return _hello([*fields, query["c"]] if "c" in query else fields)


def _hello(args: list[Any]) -> Hello:
    if len(args) not in (3, 4, 5):
        raise ProtocolError(
            f"hello takes [version, token, last_seq, tab?, conversation?], got {len(args)} fields"
        )
    version, token, last_seq = args[:3]
    tab = args[3] if len(args) >= 4 else ""
    conversation = args[4] if len(args) == 5 else None
    if version != VERSION:
        raise ProtocolError(f"protocol version {version!r} is not supported (server speaks {VERSION})")
    if token is not None and (not isinstance(token, str) or len(token) > _MAX_TOKEN):
        raise ProtocolError("hello token must be null or a short string")
    if not isinstance(tab, str) or len(tab) > _MAX_TOKEN:
        raise ProtocolError("hello tab must be a short string")
    if conversation is not None and (not isinstance(conversation, str) or len(conversation) > _MAX_TOKEN):
        raise ProtocolError("hello conversation must be null or a short string")
    return Hello(token, _int(last_seq, "hello last_seq"), tab, conversation)


def decode_client(data: bytes | str, max_bytes: int) -> ClientMessage:
    """Decode and validate one client message.

    Raises:
        ProtocolError: naming what is wrong: size, encoding, shape or a field's type.
    """
    if isinstance(data, str):
        raise ProtocolError("text messages are not accepted; send binary msgpack")
    if len(data) > max_bytes:
        raise ProtocolError(f"message of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    try:
        msg = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except Exception as exc:
        raise ProtocolError(f"not valid msgpack: {exc}") from None
    if not isinstance(msg, list) or not msg or not isinstance(msg[0], str):
        raise ProtocolError("a message must be an array led by its type name")
    kind, args = msg[0], msg[1:]
    if kind == "hello":
        return _hello(args)
    if kind == "ev":
        if len(args) != 4:
            raise ProtocolError(f"ev takes [ev_seq, node_id, action, value], got {len(args)} fields")
        ev_seq, node_id, action, value = args
        if not isinstance(action, str) or not action or len(action) > _MAX_ACTION:
            raise ProtocolError("ev action must be a non-empty short string")
        seq = _int(ev_seq, "ev ev_seq")
        if not 0 < seq < MAX_SAFE_INT:
            raise ProtocolError(f"ev ev_seq must be between 1 and {MAX_SAFE_INT - 1}, got {seq}")
        return Event(seq, _int(node_id, "ev node_id"), action, value)
    if kind == "stop":
        if args:
            raise ProtocolError("stop takes no fields")
        return Stop()
    if kind == "ack":
        if len(args) != 1:
            raise ProtocolError("ack takes [seq]")
        return Ack(_int(args[0], "ack seq"))
    raise ProtocolError(f"unknown message type {kind[:32]!r}")
