from __future__ import annotations

import textwrap
from collections.abc import Callable

from reactchat.parts import Done, Reasoning, Text, ToolCall, ToolResult
from reactchat.pydantic_ai_stream import AgentEvents, recognise
from reactchat.testing import ChatTest

AGENT = """
import asyncio
import reactchat as rc
from pydantic_ai import Agent, ModelRetry
from pydantic_ai.messages import ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaThinkingPart, DeltaToolCall, FunctionModel

CITY = {city!r}


async def stream(messages, info: AgentInfo):
    returned = [p for m in messages for p in getattr(m, "parts", ()) if isinstance(p, ToolReturnPart)]
    if returned:
        for word in ["It is ", "**", returned[-1].content, "**."]:
            yield word
        return
    yield {{0: DeltaThinkingPart(content="A lookup ")}}
    yield {{0: DeltaThinkingPart(content="is needed.")}}
    yield {{1: DeltaToolCall(name="get_weather", json_args='{{"city": ', tool_call_id="call_1")}}
    yield {{1: DeltaToolCall(json_args='"' + CITY + '"}}')}}


agent = Agent(FunctionModel(stream_function=stream))
tries = []


@agent.tool_plain
def get_weather(city: str) -> str:
    \"\"\"The weather in a city.\"\"\"
    if city == "Atlantis" and not tries:
        tries.append(city)
        raise ModelRetry("no such city; try Rome")
    return f"sunny in {{city}}"


if prompt := rc.chat_input():
    with rc.message("assistant"):
        async with agent.run_stream_events(prompt) as events:
            rc.session_state.reply = await rc.write_stream(events)
"""


def run(write_app: Callable[[str], str], city: str) -> ChatTest:
    t = ChatTest.from_file(write_app(textwrap.dedent(AGENT.format(city=city))))
    t.send("weather?")
    assert t.errors == []
    return t


def test_an_agent_run_shows_thinking_the_tool_call_with_its_result_the_answer_and_usage(
    write_app: Callable[[str], str],
) -> None:
    t = run(write_app, "Lima")
    reasoning, tool = t.thoughts
    assert reasoning["title"].startswith("Thought for ") and reasoning["content"] == "A lookup is needed."
    assert tool["title"] == "get_weather" and tool["status"] == "done"
    assert [line for line in tool["content"].splitlines() if line] == ['{"city": "Lima"}', "sunny in Lima"]
    assert t.session.state["reply"] == "It is **sunny in Lima**."
    usage = t.nodes("message")[-1][2]["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0


def test_a_tool_asking_for_a_retry_shows_as_failed(write_app: Callable[[str], str]) -> None:
    t = run(write_app, "Atlantis")
    failed = t.thoughts[1]
    assert (
        failed["title"] == "get_weather" and failed["status"] == "error" and "try Rome" in failed["content"]
    )


def test_events_become_parts() -> None:
    from pydantic_ai.messages import (
        PartDeltaEvent,
        PartEndEvent,
        PartStartEvent,
        TextPart,
        TextPartDelta,
        ThinkingPart,
        ToolCallPart,
        ToolCallPartDelta,
    )

    start = PartStartEvent(index=0, part=ToolCallPart(tool_name="f", args={"x": 1}, tool_call_id="c"))
    dialect = recognise(start)
    assert isinstance(dialect, AgentEvents)
    assert list(dialect.feed(start)) == [ToolCall("c", "f", '{"x": 1}', "c")]
    delta = PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta=', "y"'))
    assert list(dialect.feed(delta)) == [ToolCall("c", None, ', "y"')]
    assert list(dialect.feed(PartStartEvent(index=1, part=TextPart(content="hi")))) == [Text("hi")]
    assert list(dialect.feed(PartDeltaEvent(index=1, delta=TextPartDelta(content_delta="!")))) == [Text("!")]
    assert list(dialect.feed(PartEndEvent(index=2, part=ThinkingPart(content="t")))) == [Done()]
    assert list(dialect.feed(PartStartEvent(index=2, part=ThinkingPart(content="t")))) == [Reasoning("t")]
    assert recognise({"choices": []}) is None
    assert ToolResult  # the results are checked end to end above
