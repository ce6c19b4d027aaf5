"""The OpenAI-compatible endpoint, driven by OpenAI's own Python client (as the UIs and tools built on it
would) and, where the client hides the wire, by raw HTTP."""

from __future__ import annotations

import json
import pathlib
import urllib.request
from collections.abc import Callable
from typing import Any

import openai
import pytest

from reactchat.completions import tokens
from tests.serving import Served

APP = """
    import json
    import pathlib
    import reactchat as rc
    CALLS = pathlib.Path(__file__).with_name("calls")
    def bot(message, history, system, temp, *, max_tokens=None, **sampling):
        with CALLS.open("a") as f:
            f.write(message + "\\n")
        if message == "boom":
            raise RuntimeError("model down")
        if message == "echo":
            return json.dumps({"system": system, "history": history, "max_tokens": max_tokens,
                               "sampling": sampling, "temperature_input": temp})
        return "".join(f"{word} " for word in ("It", "is", "sunny", "today."))
    rc.chat_interface(bot, additional_inputs=[lambda: rc.text_area("System prompt", "Be brief."),
                                              lambda: rc.slider("Temperature", 0.0, 1.0, 0.5)])
"""


@pytest.fixture
def served(serve: Callable[..., Served], write_app: Callable[[str], str]) -> Served:
    return serve(write_app(APP))


@pytest.fixture
def client(served: Served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.url + "/v1", api_key="unused", max_retries=2)


def calls(served: Served) -> list[str]:
    path = pathlib.Path(served.script_path).with_name("calls")
    return path.read_text().splitlines() if path.exists() else []


def test_models_lists_the_app(client: openai.OpenAI, served: Served) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == [pathlib.Path(served.script_path).stem]


def test_a_completion_counts_its_usage(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="app", messages=[{"role": "user", "content": "weather?"}])
    assert reply.choices[0].message.content == "It is sunny today. "
    assert reply.usage is not None
    assert reply.usage.completion_tokens == tokens("It is sunny today. ") > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_a_stream_ends_with_a_usage_chunk_when_asked(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="app", messages=[{"role": "user", "content": "weather?"}], stream=True,
        stream_options={"include_usage": True},
    )  # fmt: skip
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "It is sunny today. "
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == tokens("It is sunny today. ")
    plain = list(
        client.chat.completions.create(model="app", messages=[{"role": "user", "content": "x"}], stream=True)
    )
    assert all(c.usage is None for c in plain) and plain[-1].choices[0].finish_reason == "stop"


def test_history_takes_developer_tool_calls_and_tool_results(client: openai.OpenAI) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}
    messages: list[Any] = [
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        {"role": "user", "content": "echo"},
    ]
    reply = client.chat.completions.create(model="app", messages=messages)
    seen = json.loads(reply.choices[0].message.content or "")
    # The developer (system) message went to the app's system prompt input, not into the history.
    assert seen["system"] == "Answer in French."
    assert [(m["role"], m["content"]) for m in seen["history"]] == [
        ("user", "weather?"), ("assistant", ""), ("tool", "sunny"),
    ]  # fmt: skip
    assert seen["history"][1]["tool_calls"] == [call] and seen["history"][2]["tool_call_id"] == "c1"


def test_sampling_parameters_reach_a_function_that_takes_them(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="app", messages=[{"role": "user", "content": "echo"}], max_tokens=42, temperature=0.3, seed=7
    )
    seen = json.loads(reply.choices[0].message.content or "")
    assert seen["max_tokens"] == 42 and seen["sampling"] == {"temperature": 0.3, "seed": 7}
    assert seen["temperature_input"] == 0.5  # the app's own input is not the request's temperature


def test_a_failing_function_runs_once_and_says_what_failed(client: openai.OpenAI, served: Served) -> None:
    with pytest.raises(openai.InternalServerError) as err:
        client.chat.completions.create(model="app", messages=[{"role": "user", "content": "boom"}])
    assert "the chat function failed" in str(err.value)
    assert err.value.response.headers["x-should-retry"] == "false"
    assert calls(served).count("boom") == 1  # the client did not retry it


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"n": 2}, "'n' must be 1"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
            "'tools' is not supported",
        ),
        ({"response_format": {"type": "json_object"}}, "'response_format' is not supported"),
    ],
)
def test_what_the_app_cannot_honour_is_a_clear_400(
    client: openai.OpenAI, more: dict[str, Any], message: str
) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="app", messages=[{"role": "user", "content": "hi"}], **more)
    assert message in str(err.value)


def test_bad_messages_name_the_problem(served: Served) -> None:
    def post(body: Any) -> tuple[int, str]:
        request = urllib.request.Request(served.url + "/v1/chat/completions", data=json.dumps(body).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())["error"]["message"]

    assert post({"messages": [{"role": "assistant", "content": "x"}]}) == (
        400, "the last message must have role 'user'; got 'assistant'",
    )  # fmt: skip
    assert post({"messages": []})[1] == "'messages' must be a non-empty list of message objects"
    assert "messages[0] has role 'robot'" in post({"messages": [{"role": "robot", "content": "x"}]})[1]


def test_tokens_are_about_four_characters() -> None:
    assert tokens("") == 0 and tokens("abcd") == 1 and tokens("abcde") == 2
