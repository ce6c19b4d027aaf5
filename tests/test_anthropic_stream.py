from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reactchat.anthropic_stream import MessagesEvents, recognise
from reactchat.parts import Text, ToolResult
from reactchat.replay import ReplayServer
from reactchat.testing import ChatTest
from tests.model_streams import ANTHROPIC, anthropic_event, app

SYNC = "import anthropic\nclient = anthropic.Anthropic(base_url=URL.removesuffix('/v1'), api_key='none', max_retries=0)"
ASYNC = "import anthropic\nclient = anthropic.AsyncAnthropic(base_url=URL.removesuffix('/v1'), api_key='none', max_retries=0)"
ARGS = "model='claude-test', max_tokens=1024, messages=[{'role': 'user', 'content': prompt}]"
CREATE = f"client.messages.create({ARGS}, stream=True)"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(ANTHROPIC) as replay:
        yield replay


def assert_tokyo(t: ChatTest) -> None:
    assert t.errors == []
    reasoning, tool = t.thoughts
    assert reasoning["title"].startswith("Thought for ") and reasoning["content"] == "Tokyo, so a lookup."
    assert (
        tool["title"] == "get_weather" and tool["content"] == '{"city": "Tokyo"}' and tool["status"] == "done"
    )
    assert t.session.state["reply"] == "Looking it up."
    assert t.rendered[-1]["content"] == "Looking it up."
    usage = t.nodes("message")[-1][2]["usage"]
    assert usage == {"input_tokens": 25, "output_tokens": 89, "model": "claude-test"}


def test_a_raw_stream_shows_thinking_text_tool_use_and_usage(
    write_app: Callable[[str], str], server: ReplayServer
) -> None:
    t = ChatTest.from_file(write_app(app(server.url, SYNC, CREATE)))
    t.send("weather in Tokyo?")
    assert_tokyo(t)
    assert server.requests[0]["stream"] is True


def test_the_stream_helper_in_an_async_script(write_app: Callable[[str], str], server: ReplayServer) -> None:
    source = app(server.url, ASYNC, "stream").replace(
        "        rc.session_state.reply = rc.write_stream(stream)",
        f"        async with client.messages.stream({ARGS}) as stream:\n"
        "            rc.session_state.reply = await rc.write_stream(stream)",
    )
    t = ChatTest.from_file(write_app("import asyncio\nawait asyncio.sleep(0)\n" + source))
    t.send("weather in Tokyo?")
    assert_tokyo(t)


@pytest.mark.parametrize("client", [SYNC, ASYNC])
def test_stop_closes_the_upstream_response(write_app: Callable[[str], str], client: str) -> None:
    events = [*ANTHROPIC[:1], ANTHROPIC[7], ANTHROPIC[8]]
    with ReplayServer(events, hold=True) as server:
        source = app(server.url, client, CREATE if client == SYNC else "await " + CREATE)
        if client == ASYNC:
            source = "import asyncio\nawait asyncio.sleep(0)\n" + source.replace(
                "rc.write_stream(", "await rc.write_stream("
            )
        t = ChatTest.from_file(write_app(source))
        t.send("go", wait=False)
        t.wait_for(lambda t: len(t.rendered) == 2 and t.rendered[-1]["content"] == "Looking")
        t.stop()
        t.wait()
        assert server.closed_early.wait(10)
    assert t.run_state == "stopped" and t.session.state["reply"] == "Looking "


def test_an_error_event_mid_stream_is_shown_keeping_the_text(write_app: Callable[[str], str]) -> None:
    error = anthropic_event("error", error={"type": "overloaded_error", "message": "Overloaded"})
    with ReplayServer([*ANTHROPIC[:9], error]) as server:
        t = ChatTest.from_file(write_app(app(server.url, SYNC, CREATE)))
        t.send("go")
    assert "Overloaded" in t.errors[0]["message"]
    assert t.rendered[-1]["content"] == "Looking"


def test_server_tool_results_end_their_call() -> None:
    dialect = recognise(
        anthropic_event("message_start", message={"model": "m", "usage": {"input_tokens": 1}})
    )
    assert isinstance(dialect, MessagesEvents)
    start = {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}}
    list(dialect.feed(anthropic_event("content_block_start", index=0, content_block=start)))
    result = {"type": "web_search_tool_result", "tool_use_id": "srv_1",
              "content": {"type": "web_search_tool_result_error", "error_code": "unavailable"}}  # fmt: skip
    (part,) = dialect.feed(anthropic_event("content_block_start", index=1, content_block=result))
    assert isinstance(part, ToolResult) and part.key == "srv_1" and part.failed
    helper = anthropic_event("text", text="x", snapshot="x")  # the stream helper's echo of a text delta
    assert list(dialect.feed(helper)) == []
    delta = anthropic_event("content_block_delta", index=2, delta={"type": "text_delta", "text": "x"})
    assert list(dialect.feed(delta)) == [Text("x")]
    assert recognise({"choices": []}) is None
