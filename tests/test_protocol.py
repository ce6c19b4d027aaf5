from __future__ import annotations

import msgpack
import pytest

from reactchat.protocol import (
    VERSION,
    Ack,
    Event,
    Hello,
    ProtocolError,
    Stop,
    decode_client,
    decode_frame,
    encode_frame,
    url_hello,
)

LIMIT = 1 << 20


def pack(msg: object) -> bytes:
    return bytes(msgpack.packb(msg))


def test_valid_messages_decode() -> None:
    assert decode_client(pack(["hello", VERSION, None, -1]), LIMIT) == Hello(None, -1)
    assert decode_client(pack(["hello", VERSION, "tok", 7]), LIMIT) == Hello("tok", 7)
    assert decode_client(pack(["hello", VERSION, "tok", 7, "tab1"]), LIMIT) == Hello("tok", 7, "tab1")
    assert decode_client(pack(["hello", VERSION, None, -1, "t", "01J"]), LIMIT) == Hello(None, -1, "t", "01J")
    assert decode_client(pack(["ev", 3, 12, "submit", "hi"]), LIMIT) == Event(3, 12, "submit", "hi")
    assert decode_client(pack(["stop"]), LIMIT) == Stop()
    assert decode_client(pack(["ack", 9]), LIMIT) == Ack(9)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xc1", "not valid msgpack"),
        (pack({"a": 1}), "array led by its type name"),
        (pack([]), "array led by its type name"),
        (pack(["nope"]), "unknown message type 'nope'"),
        (pack(["hello", 1, None, -1]), "protocol version 1"),  # (a page from before messages held text)
        (pack(["hello", VERSION, 5, -1]), "token"),
        (pack(["hello", VERSION, None]), "hello takes"),
        (pack(["ev", "1", 2, "submit", "x"]), "ev ev_seq must be an integer, got str"),
        (pack(["ev", 1, True, "submit", "x"]), "ev node_id must be an integer, got bool"),
        (pack(["ev", 1, 2, "", "x"]), "action"),
        (pack(["ev", 2**64 - 1, 2, "submit", "x"]), "ev ev_seq must be between 1 and 9007199254740991"),
        (pack(["ev", 0, 2, "submit", "x"]), "ev ev_seq must be between 1 and 9007199254740991"),
        (pack(["hello", VERSION, None, -1, 5]), "hello tab must be a short string"),
        (pack(["hello", VERSION, None, -1, "t", 7]), "hello conversation must be null or a short string"),
        (pack(["ev", 1, 2, "a" * 65, "x"]), "action"),
        (pack(["stop", 1]), "stop takes no fields"),
        (pack(["ack"]), "ack takes"),
    ],
)
def test_bad_messages_are_rejected_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        decode_client(data, LIMIT)


def test_a_hello_in_the_url_is_a_fresh_tabs() -> None:
    assert url_hello({}) is None
    assert url_hello({"hello": str(VERSION), "tab": "t1"}) == Hello(None, -1, "t1")
    assert url_hello({"hello": str(VERSION), "tab": "t1", "c": "01J"}) == Hello(None, -1, "t1", "01J")
    with pytest.raises(ProtocolError, match="protocol version '1' is not supported"):
        url_hello({"hello": "1", "tab": "t1"})
    with pytest.raises(ProtocolError, match="hello tab must be a short string"):
        url_hello({"hello": str(VERSION), "tab": "t" * 200})


def test_text_and_oversized_messages_are_rejected() -> None:
    with pytest.raises(ProtocolError, match="text messages"):
        decode_client("hello", LIMIT)
    with pytest.raises(ProtocolError, match="exceeds the limit of 100 bytes"):
        decode_client(pack(["ev", 1, 2, "submit", "x" * 200]), 100)


def test_frames_roundtrip() -> None:
    assert decode_frame(encode_frame(4, [[1, "done"]])) == (VERSION, 4, [[1, "done"]])
    assert decode_frame(encode_frame(None, [])) == (VERSION, None, [])
