from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reactchat.agents_stream import RunEvents, recognise
from reactchat.parts import Text, ToolResult
from reactchat.replay import ReplayServer
from reactchat.testing import ChatTest
from tests.model_streams import RESPONSE, responses


def model(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The Responses API as an agent's model: a function call, or, given its output, the answer."""
    outputs = [i for i in body["input"] if isinstance(i, dict) and i.get("type") == "function_call_output"]
    if outputs:
        text = f"It is {outputs[-1]['output']}."
        message = {"id": "msg_2", "type": "message", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": text, "annotations": []}]}  # fmt: skip
        return responses([
            {"type": "response.created", "response": RESPONSE},
            {"type": "response.output_item.added", "output_index": 0, "item": {**message, "status": "in_progress", "content": []}},
            {"type": "response.output_text.delta", "item_id": "msg_2", "output_index": 0, "content_index": 0, "delta": "It is ", "logprobs": []},
            {"type": "response.output_text.delta", "item_id": "msg_2", "output_index": 0, "content_index": 0, "delta": text[6:], "logprobs": []},
            {"type": "response.output_item.done", "output_index": 0, "item": message},
            {"type": "response.completed", "response": {**RESPONSE, "status": "completed", "output": [message],
             "usage": {"input_tokens": 30, "output_tokens": 6, "total_tokens": 36,
                       "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}}},
        ])  # fmt: skip
    call = {"id": "fc_1", "type": "function_call", "status": "completed", "arguments": '{"city": "Oslo"}',
            "call_id": "call_7", "name": "get_weather"}  # fmt: skip
    return responses([
        {"type": "response.created", "response": RESPONSE},
        {"type": "response.output_item.added", "output_index": 0, "item": {**call, "status": "in_progress", "arguments": ""}},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"city":'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": ' "Oslo"}'},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": call["arguments"]},
        {"type": "response.output_item.done", "output_index": 0, "item": call},
        {"type": "response.completed", "response": {**RESPONSE, "status": "completed", "output": [call],
         "usage": {"input_tokens": 20, "output_tokens": 10, "total_tokens": 30,
                   "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}}},
    ])  # fmt: skip


AGENT = """
import reactchat as rc
from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled
from openai import AsyncOpenAI

set_tracing_disabled(True)


@function_tool
def get_weather(city: str) -> str:
    \"\"\"The weather in a city.\"\"\"
    return f"snowing in {{city}}"


client = AsyncOpenAI(base_url={url!r}, api_key="none", max_retries=0)
agent = Agent(name="weather", tools=[get_weather], model=OpenAIResponsesModel(model="o-test", openai_client=client))
if prompt := rc.chat_input():
    with rc.message("assistant"):
        result = Runner.run_streamed(agent, prompt)
        rc.session_state.reply = await rc.write_stream(result.stream_events())
"""


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(model) as replay:
        yield replay


def test_an_agent_run_shows_the_tool_call_with_its_output_the_answer_and_the_runs_usage(
    write_app: Callable[[str], str], server: ReplayServer
) -> None:
    t = ChatTest.from_file(write_app(textwrap.dedent(AGENT.format(url=server.url))))
    t.send("weather in Oslo?")
    assert t.errors == []
    (tool,) = t.thoughts
    assert tool["title"] == "get_weather" and tool["status"] == "done"
    assert [line for line in tool["content"].splitlines() if line] == ['{"city": "Oslo"}', "snowing in Oslo"]
    assert t.session.state["reply"] == "It is snowing in Oslo."
    usage = t.nodes("message")[-1][2]["usage"]
    assert usage == {"input_tokens": 50, "output_tokens": 16, "model": "o-test"}  # both model calls
    assert len(server.requests) == 2


def test_events_become_parts() -> None:
    raw = {"type": "raw_response_event", "data": {"type": "response.output_text.delta", "delta": "hi"}}
    dialect = recognise(raw)
    assert isinstance(dialect, RunEvents) and list(dialect.feed(raw)) == [Text("hi")]
    output = {"type": "run_item_stream_event", "name": "tool_output",
              "item": {"output": {"n": 1}, "raw_item": {"call_id": "c"}}}  # fmt: skip
    assert list(dialect.feed(output)) == [ToolResult("c", '{"n": 1}')]
    assert list(dialect.feed({"type": "agent_updated_stream_event"})) == []
    assert recognise({"type": "response.created"}) is None
