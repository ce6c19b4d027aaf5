from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reactchat.config import Config
from reactchat.openai_stream import ChatCompletions, ResponsesEvents, recognise
from reactchat.parts import Reasoning, Text, ToolCall, Usage
from reactchat.replay import ReplayServer
from reactchat.testing import ChatTest
from tests.model_streams import CHAT, RESPONSES, app, chat_chunk, words

SYNC = "import openai\nclient = openai.OpenAI(base_url=URL, api_key='none', max_retries=0)"
ASYNC = "import openai\nclient = openai.AsyncOpenAI(base_url=URL, api_key='none', max_retries=0)"
CREATE = "client.chat.completions.create(model='gpt-test', messages=[{'role': 'user', 'content': prompt}], stream=True, stream_options={'include_usage': True})"


@pytest.fixture
def replay() -> Iterator[Callable[..., ReplayServer]]:
    servers: list[ReplayServer] = []

    def start(events: object, **kwargs: object) -> ReplayServer:
        servers.append(ReplayServer(events, **kwargs))  # type: ignore[arg-type]
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def run(write_app: Callable[[str], str], source: str, **kwargs: object) -> ChatTest:
    t = ChatTest.from_file(write_app(source), **kwargs)  # type: ignore[arg-type]
    t.send("weather?")
    return t


def assert_weather(t: ChatTest) -> None:
    reasoning, tool = t.thoughts
    assert reasoning["title"].startswith("Thought for ") and reasoning["title"].endswith(" s")
    assert reasoning["status"] == "done" and reasoning["content"] == "The user wants the weather."
    assert tool["title"] == "get_weather" and tool["status"] == "done"
    assert tool["content"] == '{"city": "Paris"}' and isinstance(tool["duration"], float)
    assert t.session.state["reply"] == "Let me check."
    message = t.nodes("message")[-1][2]
    assert message["usage"] == {"input_tokens": 31, "output_tokens": 17, "model": "gpt-test"}


def test_chat_completions_show_reasoning_tool_calls_text_and_usage(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer]
) -> None:
    server = replay(CHAT)
    t = run(write_app, app(server.url, SYNC, CREATE))
    assert t.errors == []
    assert_weather(t)
    assert server.requests[0]["stream"] is True


def test_chat_completions_async_client_in_an_async_script(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer]
) -> None:
    server = replay(CHAT)
    source = app(server.url, ASYNC, "await " + CREATE).replace("rc.write_stream(", "await rc.write_stream(")
    t = run(write_app, "import asyncio\nawait asyncio.sleep(0)\n" + source)
    assert t.errors == []
    assert_weather(t)


def test_chat_completions_async_client_in_a_sync_script(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer]
) -> None:
    server = replay(CHAT)
    source = app(server.url, ASYNC, "stream()").replace(
        "if prompt",
        f"async def stream():\n    async for c in await {CREATE.replace('prompt', repr('hi'))}:\n        yield c\nif prompt",
    )
    t = run(write_app, source)
    assert t.errors == []
    assert_weather(t)


@pytest.mark.parametrize("client", [SYNC, ASYNC])
def test_stop_closes_the_upstream_response(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer], client: str
) -> None:
    server = replay([chat_chunk({"content": "first "}), chat_chunk({"content": "second"})], hold=True)
    create = CREATE if client == SYNC else "await " + CREATE
    source = app(server.url, client, create)
    if client == ASYNC:
        source = "import asyncio\nawait asyncio.sleep(0)\n" + source.replace(
            "rc.write_stream(", "await rc.write_stream("
        )
    t = ChatTest.from_file(write_app(source))
    t.send("go", wait=False)
    t.wait_for(lambda t: len(t.rendered) == 2 and t.rendered[-1]["content"] == "first second")
    t.stop()
    t.wait()
    assert server.closed_early.wait(10)
    assert t.run_state == "stopped"
    assert t.session.state["reply"] == "first second"


def test_an_error_mid_stream_keeps_the_text_and_fails_the_open_tool_call(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer]
) -> None:
    events = [*CHAT[:7], {"error": {"message": "the model is overloaded", "type": "server_error"}}]
    server = replay(events)
    t = run(write_app, app(server.url, SYNC, CREATE))
    assert "overloaded" in t.errors[0]["message"]
    assert t.rendered[-1]["content"] == "Let me check."
    assert t.thoughts[-1]["content"] == '{"city":'
    assert t.thoughts[-1]["title"] == "get_weather" and t.thoughts[-1]["status"] == "error"


def test_bytes_on_the_wire_stay_proportional_to_the_text(
    write_app: Callable[[str], str], replay: Callable[..., ReplayServer]
) -> None:
    text = words(400)
    events = (
        [chat_chunk({"reasoning": w}) for w in text]
        + [
            chat_chunk(tool_delta)
            for tool_delta in (
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": ""},
                        }
                    ]
                },
            )
        ]
        + [chat_chunk({"tool_calls": [{"index": 0, "function": {"arguments": w}}]}) for w in text]
        + [chat_chunk({"content": w}) for w in text]
    )
    server = replay(events)
    t = run(write_app, app(server.url, SYNC, CREATE), config=Config(frame_interval=0.0))
    assert t.errors == []
    size = len("".join(text))
    assert t.session.state["reply"] == "".join(text)
    # Three streams of the text (reasoning, arguments, answer), each sent once, plus a frame's header per chunk
    # (every chunk is a frame here); re-sending what the browser has would be hundreds of kilobytes.
    assert t.bytes_sent < 3 * size + 25 * len(events)


def test_responses_api_events(write_app: Callable[[str], str], replay: Callable[..., ReplayServer]) -> None:
    server = replay(RESPONSES)
    create = "client.responses.create(model='o-test', input=prompt, stream=True)"
    t = run(write_app, app(server.url, SYNC, create))
    assert t.errors == []
    reasoning, tool = t.thoughts
    assert reasoning["title"].startswith("Thought for ") and reasoning["content"] == "Weather needs a lookup."
    assert (
        tool["title"] == "get_weather" and tool["content"] == '{"city": "Oslo"}' and tool["status"] == "done"
    )
    assert t.session.state["reply"] == "Checking **Oslo**."
    assert t.nodes("message")[-1][2]["usage"] == {"input_tokens": 12, "output_tokens": 40, "model": "o-test"}


def test_a_failed_response_is_an_error() -> None:
    failed = {"type": "response.failed", "response": {"error": {"code": "server_error", "message": "boom"}}}
    with pytest.raises(RuntimeError, match="boom"):
        list(ResponsesEvents().feed(failed))


def test_chunks_as_plain_dicts_and_other_choices() -> None:
    dialect = recognise({"choices": []})
    assert isinstance(dialect, ChatCompletions)
    chunk = {"choices": [{"index": 0, "delta": {"reasoning": "hm", "content": "a"}},
                         {"index": 1, "delta": {"content": "other"}}]}  # fmt: skip
    assert list(dialect.feed(chunk)) == [Reasoning("hm"), Text("a")]
    assert list(dialect.feed({"choices": [{"delta": {"content": None}}]})) == []
    usage = {"choices": [], "model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 2}}
    assert list(dialect.feed(usage)) == [Usage(1, 2, "m")]
    call = {"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}}]}
    assert list(dialect.feed(call)) == [ToolCall(1, None, "{}", None)]
    assert recognise({"type": "message_start"}) is None and recognise("text") is None


def test_an_unknown_chunk_names_its_type_and_what_write_stream_accepts(
    write_app: Callable[[str], str],
) -> None:
    source = """
    import reactchat as rc
    class Mystery: pass
    with rc.message("assistant"):
        rc.write_stream(iter(["fine ", Mystery()]))
    """
    t = ChatTest.from_file(write_app(source))
    message = t.errors[0]["message"]
    assert t.errors[0]["type"] == "TypeError" and "Mystery" in message
    assert "OpenAI Chat Completions" in message and "Anthropic" in message and "LangGraph" in message
    assert t.rendered[-1]["content"] == "fine"
