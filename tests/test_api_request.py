"""Reading an HTTP API request: the JSON body (its depth bounded), the stream flag, the history, and what a
failing chat function tells the client."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator

import pytest

from reactchat.api_request import ApiError, failure, final, parse_body, parse_history, stream_flag


def test_a_body_is_a_json_object_nested_within_bounds() -> None:
    assert parse_body(b'{"message": "hi"}') == {"message": "hi"}
    cases = [
        (b"[1]", "must be a JSON object"),
        (b"{", "not valid JSON"),
        (("[" * 10_000 + "]" * 10_000).encode(), "nested deeper"),  # past the JSON parser's own limit
        (json.dumps({"x": json.loads("[" * 70 + "]" * 70)}).encode(), "nested deeper"),  # past ours
    ]
    for raw, message in cases:
        with pytest.raises(ApiError) as info:
            parse_body(raw)
        assert info.value.status_code == 400 and message in str(info.value)


def test_stream_must_be_a_boolean() -> None:
    assert stream_flag({}) is False and stream_flag({"stream": None}) is False
    assert stream_flag({"stream": True}) is True
    with pytest.raises(ApiError, match="'stream' must be true or false; got 'yes'"):
        stream_flag({"stream": "yes"})


def test_history_needs_roles() -> None:
    assert parse_history(None) == []
    with pytest.raises(ApiError):
        parse_history([{"role": "robot", "content": "x"}])


def test_final_closes_a_generator_once_the_client_is_gone() -> None:
    gone, closed = threading.Event(), threading.Event()

    def answer() -> Iterator[str]:
        try:
            yield "a"
            gone.set()  # the client leaves while the answer is being made
            yield "ab"
            yield "abc"
        finally:
            closed.set()

    assert final(answer(), gone) == "a" and closed.is_set()  # stopped at the yield after it left
    assert final("plain", threading.Event()) == "plain"


def test_a_failure_shows_the_client_an_id_and_logs_the_details(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="reactchat"):
        message = failure(RuntimeError("secret path /srv/keys"))
    assert "secret" not in message and "error id" in message
    ident = message.split("error id ")[1].split(";")[0]
    assert any(ident in r.getMessage() and r.exc_info for r in caplog.records)
