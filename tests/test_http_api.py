"""The chat HTTP API: /api/chat, its streaming form, the OpenAI-compatible completions and the Python client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from reactchat import Client
from reactchat.client import ClientError
from reactchat.stream import Replace
from tests.serving import Served

APP = """
    import time
    import reactchat as rc
    def bot(message, history, system, temperature):
        if message == "stream":
            for i in range(1, 6):
                time.sleep(0.01)
                yield f"[{system}] " + "abcde"[:i]
            return
        if message == "rewrite":
            yield "draft"
            yield "final"
            return
        if message == "boom":
            raise RuntimeError("model down")
        yield f"[{system} @ {temperature}] {message} (history {len(history)})"
    rc.chat_interface(bot, additional_inputs=[lambda: rc.text_input("System", "sys"), lambda: rc.slider("Temperature", 0.0, 1.0, 0.5)])
"""


@pytest.fixture
def served(serve: Callable[..., Served], write_app: Callable[[str], str]) -> Served:
    return serve(write_app(APP))


def post(url: str, body: Any, content_type: str = "application/json") -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read().decode()
            return response.status, json.loads(raw) if response.headers["Content-Type"].startswith(
                "application/json"
            ) else raw
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_api_chat_works_without_any_browser_session(served: Served) -> None:
    status, body = post(
        served.url + "/api/chat", {"message": "hi", "history": [{"role": "user", "content": "earlier"}]}
    )
    assert status == 200 and body["reply"] == "[sys @ 0.5] hi (history 1)"
    assert body["messages"] == [{"role": "assistant", "content": "[sys @ 0.5] hi (history 1)"}]
    status, body = post(
        served.url + "/api/chat", {"message": "hi", "additional_inputs": {"Temperature": 0.9}}
    )
    assert body["reply"] == "[sys @ 0.9] hi (history 0)"
    status, body = post(served.url + "/api/chat", {"message": "hi", "additional_inputs": ["other"]})
    assert body["reply"] == "[other @ 0.5] hi (history 0)"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        ({"history": []}, "application/json", 400, "needs a 'message'"),
        ({"message": 5}, "application/json", 400, "'message' must be a string; got int"),
        ({"message": "x", "history": "nope"}, "application/json", 400, "history must be a list"),
        ({"message": "x", "additional_inputs": {"Nope": 1}}, "application/json", 400, "unknown input 'Nope'"),
        ({"message": "x"}, "text/plain", 415, "Content-Type: application/json"),
        ([1, 2], "application/json", 400, "must be a JSON object"),
    ],
)
def test_bad_requests_get_a_clear_json_error(
    served: Served, body: Any, content_type: str, status: int, message: str
) -> None:
    got_status, got = post(served.url + "/api/chat", body, content_type)
    assert got_status == status and message in got["error"]["message"]


def test_streaming_api_sends_deltas_then_done(served: Served) -> None:
    request = urllib.request.Request(served.url + "/api/chat/stream", data=json.dumps({"message": "stream"}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        raw = response.read().decode()
    events = [block.split("\n") for block in raw.strip().split("\n\n")]
    kinds = [e[0].removeprefix("event: ") for e in events]
    assert kinds == ["delta"] * 5 + ["done"]
    deltas = [json.loads(e[1].removeprefix("data: "))["delta"] for e in events[:-1]]
    assert "".join(deltas) == "[sys] abcde" and deltas[1] == "b"
    assert json.loads(events[-1][1].removeprefix("data: ")) == {"reply": "[sys] abcde"}


def test_openai_compatible_completions(served: Served) -> None:
    messages = [
        {"role": "system", "content": "x"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ]
    status, body = post(served.url + "/v1/chat/completions", {"model": "m", "messages": messages})
    assert status == 200 and body["object"] == "chat.completion" and body["model"] == "m"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "[sys @ 0.5] hi (history 1)"}
    request = urllib.request.Request(served.url + "/v1/chat/completions",
                                     data=json.dumps({"messages": [{"role": "user", "content": "stream"}], "stream": True}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request) as response:
        lines = [line for line in response.read().decode().split("\n") if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "[sys] abcde"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    status, body = post(
        served.url + "/v1/chat/completions", {"messages": [{"role": "assistant", "content": "x"}]}
    )
    assert status == 400 and "role 'user'" in body["error"]["message"]
    status, body = post(served.url + "/v1/chat/completions", {"messages": []})
    assert status == 400 and "non-empty list" in body["error"]["message"]


def test_the_python_client(served: Served) -> None:
    client = Client(served.url)
    assert client.chat("hi", Temperature=0.1) == "[sys @ 0.1] hi (history 0)"
    assert "".join(client.stream("stream")) == "[sys] abcde"
    pieces = list(client.stream("rewrite"))
    assert pieces == ["draft", "final"] and isinstance(pieces[1], Replace)
    with pytest.raises(ClientError, match="unknown input 'Nope'"):
        client.chat("hi", Nope=1)
    with pytest.raises(ClientError, match="RuntimeError: model down"):
        list(client.stream("boom"))
    with pytest.raises(ClientError, match="500: the chat function failed: RuntimeError: model down"):
        client.chat("boom")


def test_an_app_without_chat_interface_has_no_api(serve: Callable[..., Served]) -> None:
    served = serve("examples/echo.py")
    status, body = post(served.url + "/api/chat", {"message": "hi"})
    assert status == 404 and "no rc.chat_interface" in body["error"]["message"]


def test_a_script_that_raises_while_running_for_the_api_gets_a_500_naming_the_error(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(
        write_app("""
        import reactchat as rc
        settings = {}["model"]
        rc.chat_interface(lambda message, history: message)
    """)
    )
    status, body = post(served.url + "/api/chat", {"message": "hi"})
    assert status == 500
    assert "KeyError" in body["error"]["message"] and "'model'" in body["error"]["message"]
    assert body["error"]["message"].endswith(":3)")  # the script's file and line


def test_the_api_runs_the_script_once_and_reuses_what_it_registered(
    serve: Callable[..., Served], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    runs = tmp_path / "runs.txt"
    served = serve(
        write_app(f"""
        import reactchat as rc
        with open({str(runs)!r}, "a") as f:
            f.write("run\\n")
        rc.chat_interface(lambda message, history: message.upper())
    """)
    )
    for text in ("a", "b", "c"):
        assert post(served.url + "/api/chat", {"message": text}) == (
            200,
            {"reply": text.upper(), "messages": [{"role": "assistant", "content": text.upper()}]},
        )
    assert runs.read_text().splitlines() == ["run"]
