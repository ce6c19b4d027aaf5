"""The chat HTTP API: /api/chat, its streaming form, the OpenAI-compatible completions and the Python client."""

from __future__ import annotations

import json
import logging
import pathlib
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from reactchat import Client
from reactchat.chatbot import ChatFunction
from reactchat.client import ClientError
from reactchat.stream import Replace
from tests.serving import RawRequest, Served, wait_for

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
        (
            {"message": "x", "additional_inputs": {"Temperature": 5}},
            "application/json",
            400,
            "additional input 'Temperature' must be between 0.0 and 1.0; got 5",
        ),
        (
            {"message": "x", "additional_inputs": [1, "hot"]},
            "application/json",
            400,
            "additional input 'System' must be a string; got 1",
        ),
        (
            {"message": "x", "additional_inputs": {"Temperature": "hot"}},
            "application/json",
            400,
            "additional input 'Temperature' must be a number; got 'hot'",
        ),
        ({"message": "x"}, "text/plain", 415, "Content-Type: application/json"),
        ([1, 2], "application/json", 400, "must be a JSON object"),
        (b"[" * 10_000 + b"]" * 10_000, "application/json", 400, "nested deeper than 64 levels"),
        (
            json.dumps(
                {"message": "x", "history": [{"role": "user", "content": [[[[[[[[[[]]]]]]]]]]}]}
                | {"x": json.loads("[" * 70 + "]" * 70)}
            ).encode(),
            "application/json",
            400,
            "nested deeper than 64 levels",
        ),
        (
            b"x" * (10 << 20),
            "application/json",
            413,
            "the body is 10485760 bytes; the limit is 1048576 bytes",
        ),
    ],
)
def test_bad_requests_get_a_clear_json_error(
    served: Served, body: Any, content_type: str, status: int, message: str
) -> None:
    got_status, got = post(served.url + "/api/chat", body, content_type)
    assert got_status == status and message in got["error"]["message"]
    assert got["error"]["status"] == status


def test_additional_inputs_given_as_values_streamlit_style(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(
        write_app("""
        import reactchat as rc
        with rc.sidebar:
            system = rc.text_area("System prompt", "Be brief.")
            turns = rc.slider("Turns", 1, 10, 3)
            model = rc.selectbox("Model", ["small", "large"])
        def bot(message, history, system, turns, model):
            return f"[{system} / {turns} / {model}] {message}"
        rc.chat_interface(bot, additional_inputs=[system, turns, model])
    """)
    )
    status, body = post(served.url + "/api/chat", {"message": "hi"})
    assert status == 200 and body["reply"] == "[Be brief. / 3 / small] hi"
    status, body = post(served.url + "/api/chat", {"message": "hi", "additional_inputs": {"Model": "large"}})
    assert body["reply"] == "[Be brief. / 3 / large] hi"
    status, body = post(served.url + "/api/chat", {"message": "hi", "additional_inputs": {"Turns": 2.5}})
    assert (
        status == 400
        and body["error"]["message"] == "additional input 'Turns' must be a whole number; got 2.5"
    )


def test_a_deep_body_is_refused_without_a_traceback(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    status, _ = post(served.url + "/v1/chat/completions", b"[" * 10_000 + b"]" * 10_000)
    assert status == 400  # was a 500 with a RecursionError's traceback in the log
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_large_body_sent_before_reading_still_gets_its_413(served: Served) -> None:
    big = RawRequest(served.url, "POST", "/api/chat", {"Content-Type": "application/json"}, 10 << 20)
    big.send(b" " * (10 << 20))  # a client that sends it all, then reads: once, its connection was dropped
    status, headers, body = big.response()
    assert status == 413 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["message"] == "the body is 10485760 bytes; the limit is 1048576 bytes"


@pytest.mark.parametrize("value", ["yes", 1, "true", [], {}])
def test_stream_must_be_a_boolean(served: Served, value: Any) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "stream": value}
    status, got = post(served.url + "/v1/chat/completions", body)
    assert status == 400 and got["error"]["message"] == f"'stream' must be true or false; got {value!r}"


def test_the_function_s_error_text_stays_in_the_log_under_an_id(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    for path in ("/api/chat", "/api/chat/stream"):
        caplog.clear()
        status, got = post(served.url + path, {"message": "boom"})
        if path == "/api/chat":
            assert status == 500
            message = got["error"]["message"]
        else:  # the stream has started (200) when the function raises: an error event says it
            assert status == 200 and "event: error" in got
            message = json.loads(got.split("event: error\ndata: ")[1])["error"]["message"]
        assert "model down" not in message and "RuntimeError" not in message and "/" not in message
        ident = re.fullmatch(
            r"the chat function failed \(error id ([0-9a-f]{12}); the server's log has the details\)", message
        )
        assert ident is not None, message
        tracebacks = [r for r in caplog.records if r.exc_info]
        assert len(tracebacks) == 1 and ident[1] in tracebacks[0].getMessage()  # logged once, with the id
        assert tracebacks[0].exc_info is not None and "model down" in str(tracebacks[0].exc_info[1])


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


def test_the_python_client(served: Served) -> None:
    client = Client(served.url)
    assert client.chat("hi", Temperature=0.1) == "[sys @ 0.1] hi (history 0)"
    assert "".join(client.stream("stream")) == "[sys] abcde"
    pieces = list(client.stream("rewrite"))
    assert pieces == ["draft", "final"] and isinstance(pieces[1], Replace)
    with pytest.raises(ClientError, match="unknown input 'Nope'"):
        client.chat("hi", Nope=1)
    with pytest.raises(
        ClientError, match=r"the chat function failed \(error id [0-9a-f]{12}; the server's log"
    ):
        list(client.stream("boom"))
    with pytest.raises(ClientError, match=r"500: the chat function failed \(error id [0-9a-f]{12}"):
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


GATED = """
    import os, time
    import reactchat as rc
    FOLDER = {folder!r}
    def bot(message, history):
        open(os.path.join(FOLDER, "started-" + message), "w").close()
        try:
            for i in range(1000):  # up to 10 s, unless the test opens the gate
                if os.path.exists(os.path.join(FOLDER, "open")):
                    yield "done " + message
                    return
                time.sleep(0.01)
                yield f"waiting {{i}}"
        except GeneratorExit:
            open(os.path.join(FOLDER, "closed-" + message), "w").close()
            raise
    rc.chat_interface(bot)
"""
"""A chat function that streams "waiting" until the file ``open`` exists, and marks its start and its
closing (GeneratorExit) with files."""


def appears(path: pathlib.Path) -> bool:
    """Whether ``path`` exists within 5 s (the app's threads make it)."""
    try:
        wait_for(path.exists, 5)
    except TimeoutError:
        return False
    return True


@pytest.fixture
def gated(
    serve: Callable[..., Served], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> Callable[..., Served]:
    def start(**config: Any) -> Served:
        return serve(write_app(GATED.format(folder=str(tmp_path))), **config)

    return start


@pytest.mark.parametrize("path", ["/api/chat", "/v1/chat/completions"])
def test_a_whole_answer_stops_when_its_client_leaves(
    gated: Callable[..., Served], tmp_path: pathlib.Path, path: str
) -> None:
    served = gated()
    body = json.dumps(
        {"message": "a"} if path == "/api/chat" else {"messages": [{"role": "user", "content": "a"}]}
    )
    request = RawRequest(
        served.url, "POST", path, {"Content-Type": "application/json"}, len(body), body.encode()
    )
    assert appears(tmp_path / "started-a")
    request.close()
    assert appears(tmp_path / "closed-a")  # closed at its next yield, not run on for 10 s
    wait_for(lambda: served.app.workers.busy("call") == 0)  # its thread is free again


def post_in_thread(url: str, body: Any, results: list[Any]) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(post(url, body)))
    thread.start()
    return thread


def test_whole_answers_are_bounded_and_do_not_starve_streams(
    gated: Callable[..., Served], tmp_path: pathlib.Path
) -> None:
    served = gated(max_api_calls=2)
    results: list[Any] = []
    threads = [post_in_thread(served.url + "/api/chat", {"message": m}, results) for m in "ab"]
    assert appears(tmp_path / "started-a") and appears(tmp_path / "started-b")
    request = urllib.request.Request(served.url + "/api/chat", data=b'{"message": "c"}', method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)  # once, it waited behind the others
    assert err.value.code == 503 and err.value.headers["Retry-After"] == "1"
    assert (
        "the server is busy: 2 answers are being computed" in json.loads(err.value.read())["error"]["message"]
    )
    assert not (tmp_path / "started-c").exists()
    stream = urllib.request.Request(served.url + "/api/chat/stream", data=b'{"message": "s"}', method="POST",
                                    headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(stream, timeout=5) as response:  # streams have threads of their own
        assert response.readline().decode() == "event: delta\n"
    (tmp_path / "open").touch()
    for thread in threads:
        thread.join(10)
    replies = sorted(body["reply"] for status, body in results if status == 200)
    assert replies == ["done a", "done b"]


def raw_post(served: Served, path: str, body: Any) -> RawRequest:
    data = json.dumps(body).encode()
    return RawRequest(served.url, "POST", path, {"Content-Type": "application/json"}, len(data), data)


def test_streams_are_bounded(gated: Callable[..., Served], tmp_path: pathlib.Path) -> None:
    served = gated(max_api_streams=1)
    first = raw_post(served, "/api/chat/stream", {"message": "a"})
    assert appears(tmp_path / "started-a")
    second = raw_post(
        served, "/v1/chat/completions", {"messages": [{"role": "user", "content": "b"}], "stream": True}
    )
    status, headers, body = second.response()
    assert status == 503 and headers["retry-after"] == "1"
    assert "1 streamed answers are being computed" in json.loads(body)["error"]["message"]
    first.close()
    assert appears(tmp_path / "closed-a")


def test_api_calls_wait_in_the_app_s_line_without_a_thread_and_a_full_line_gets_a_503(
    serve: Callable[..., Served], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    app = GATED.format(folder=str(tmp_path)).replace(
        "chat_interface(bot)", "chat_interface(bot, concurrency_limit=1)"
    )
    served = serve(write_app(app), max_api_waiting=1)
    results: list[Any] = []
    first = post_in_thread(served.url + "/api/chat", {"message": "a"}, results)
    assert appears(tmp_path / "started-a")
    interface = served.app.script.registry.get(ChatFunction)
    assert interface is not None and interface.line is not None
    completions = {"messages": [{"role": "user", "content": "b"}]}
    second = post_in_thread(served.url + "/v1/chat/completions", completions, results)
    wait_for(lambda: interface.line is not None and interface.line.waiting == 1)
    assert served.app.workers.busy("call") == 1  # the waiting call holds no thread
    assert not (tmp_path / "started-b").exists()
    status, body = post(served.url + "/api/chat/stream", {"message": "c"})
    assert status == 503 and "1 requests already wait for" in body["error"]["message"]
    (tmp_path / "open").touch()
    first.join(10)
    second.join(10)
    assert sorted(status for status, _ in results) == [200, 200]
    completed = next(body for _, body in results if "choices" in body)
    assert completed["choices"][0]["message"]["content"] == "done b"
    wait_for(lambda: interface.line is not None and interface.line.holding == 0)  # given back as threads end
