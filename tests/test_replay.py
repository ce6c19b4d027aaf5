from __future__ import annotations

import json
import urllib.request

import reactchat as rc


def post(url: str, body: object) -> list[str]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        return response.read().decode().split("\n\n")[:-1]


def test_untyped_events_end_with_done_and_typed_ones_are_named() -> None:
    with rc.ReplayServer([{"choices": []}]) as server:
        assert post(server.url + "/chat/completions", {"stream": True}) == [
            'data: {"choices": []}',
            "data: [DONE]",
        ]
        assert server.requests == [{"stream": True}]
    with rc.ReplayServer([{"type": "ping"}]) as server:
        assert post(server.url + "/messages", {}) == ['event: ping\ndata: {"type": "ping"}']


def test_events_can_answer_the_request() -> None:
    with rc.ReplayServer(lambda body: [{"type": "echo", "text": body["input"]}]) as server:
        assert post(server.url + "/responses", {"input": "hi"}) == [
            'event: echo\ndata: {"type": "echo", "text": "hi"}'
        ]
    assert not server.closed_early.is_set()


def test_a_held_stream_notices_the_client_closing_it() -> None:
    with rc.ReplayServer([{"choices": []}], hold=True) as server:
        request = urllib.request.Request(server.url + "/chat/completions", b"{}")
        response = urllib.request.urlopen(request, timeout=10)
        assert response.readline() == b'data: {"choices": []}\n'
        response.close()
        assert server.closed_early.wait(10)


def test_a_shared_server_is_started_once_per_function_name() -> None:
    def model(body: dict[str, object]) -> list[dict[str, object]]:
        return [{"type": "first"}]

    first = rc.ReplayServer.shared(model)

    def model(body: dict[str, object]) -> list[dict[str, object]]:
        return [{"type": "second"}]

    assert rc.ReplayServer.shared(model) is first
    assert post(first.url, {}) == ['event: second\ndata: {"type": "second"}']
