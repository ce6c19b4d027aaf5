from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

from reactchat.langchain_stream import Messages, is_message, recognise
from reactchat.parts import Done, Reasoning, Step, Text, ToolCall, ToolResult, Usage
from reactchat.testing import ChatTest

PRELUDE = """
import reactchat as rc
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from tests.scripted_model import ScriptedChatModel, weather_turns

@tool
def get_weather(city: str) -> str:
    \"\"\"The weather in a city.\"\"\"
    if city == "Atlantis":
        raise ValueError("no such city")
    return f"Sunny in {city}"

model = ScriptedChatModel(turns=weather_turns())

def call_model(state):
    return {"messages": [model.invoke(state["messages"])]}

graph = StateGraph(MessagesState)
graph.add_node("agent", call_model)
graph.add_node("tools", ToolNode([get_weather], handle_tool_errors=True))
graph.add_edge(START, "agent")
graph.add_conditional_edges("agent", tools_condition)
graph.add_edge("tools", "agent")
agent = graph.compile()
inputs = {"messages": [{"role": "user", "content": "weather?"}]}
"""


def run(write_app: Callable[[str], str], body: str) -> ChatTest:
    source = (
        PRELUDE
        + "if rc.chat_input():\n    with rc.message('assistant'):\n"
        + textwrap.indent(body, "        ")
    )
    t = ChatTest.from_file(write_app(source))
    t.send("weather?")
    assert t.errors == []
    return t


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def assert_agent(t: ChatTest) -> None:
    reasoning, tool = t.thoughts
    assert reasoning["title"].startswith("Thought for ") and reasoning["content"] == "Needs a lookup."
    assert tool["title"] == "get_weather" and tool["status"] == "done"
    assert lines(tool["content"]) == ['{"city": "Lima"}', "Sunny in Lima"]  # the input, then the output
    assert t.messages[-1]["content"] == "It is sunny."
    assert t.nodes("message")[-1][2]["usage"] == {
        "input_tokens": 20,
        "output_tokens": 9,
        "model": "scripted-1",
    }


def test_a_chat_model_stream(write_app: Callable[[str], str]) -> None:
    t = run(write_app, "rc.session_state.reply = rc.write_stream(model.stream('weather?'))\n")
    reasoning, tool = t.thoughts
    assert reasoning["content"] == "Needs a lookup." and tool["title"] == "get_weather"
    assert (
        tool["content"] == '{"city": "Lima"}' and tool["status"] == "done"
    )  # no tool ran: the call is shown


def test_a_langgraph_agent_in_messages_mode(write_app: Callable[[str], str]) -> None:
    t = run(
        write_app, "rc.session_state.reply = rc.write_stream(agent.stream(inputs, stream_mode='messages'))\n"
    )
    assert_agent(t)
    assert t.session.state["reply"] == "It is sunny."


def test_a_langgraph_agent_in_updates_mode_async(write_app: Callable[[str], str]) -> None:
    t = run(write_app, "rc.write_stream(agent.astream(inputs, stream_mode='updates'))\n")
    _, tool = t.thoughts
    assert tool["title"] == "get_weather" and lines(tool["content"]) == ['{"city": "Lima"}', "Sunny in Lima"]
    assert t.messages[-1]["content"] == "It is sunny."


def test_several_modes_at_once(write_app: Callable[[str], str]) -> None:
    t = run(write_app, "rc.write_stream(agent.stream(inputs, stream_mode=['updates', 'messages']))\n")
    assert_agent(t)  # "updates" repeats what "messages" showed: once is enough


def test_a_failing_tool_shows_as_an_error(write_app: Callable[[str], str]) -> None:
    t = run(
        write_app,
        "model.turns[0][2].tool_call_chunks[0]['args'] = '{\"city\": \"Atlan'\n"
        "model.turns[0][3].tool_call_chunks[0]['args'] = 'tis\"}'\n"
        "rc.write_stream(agent.stream(inputs, stream_mode='messages'))\n",
    )
    tool = t.thoughts[1]
    assert tool["status"] == "error" and "no such city" in tool["content"]


def test_messages_become_parts() -> None:
    dialect = Messages()
    chunk = AIMessageChunk(content="", additional_kwargs={"reasoning_content": "hm"})
    assert list(dialect.feed(chunk)) == [Reasoning("hm")]
    assert list(dialect.feed(AIMessageChunk(content="ok"))) == [Done(), Text("ok")]
    whole = AIMessage(content=[{"type": "text", "text": "a"}, {"type": "thinking", "thinking": "b"}],
                      tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c1"}])  # fmt: skip
    assert list(dialect.feed(whole)) == [Text("a"), Reasoning("b"), ToolCall("c1", "f", '{"x": 1}', "c1")]
    result = ToolMessage(content="out", tool_call_id="c1", status="error")
    with pytest.raises(TypeError, match="a LangChain stream gave a tuple"):
        dialect.feed(({"x": 1}, result))  # a pair not led by a message is no stream part
    assert list(dialect.feed(result)) == [ToolResult("c1", "out", True)]
    usage = AIMessageChunk(
        content="", usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    )
    assert list(dialect.feed(usage)) == [Usage(1, 2, None, added=True)]


def test_recognising_messages_and_graph_parts() -> None:
    assert is_message(AIMessageChunk(content="x")) and not is_message({"type": "ai", "content": "x"})
    assert isinstance(recognise(AIMessageChunk(content="x")), Messages)
    assert isinstance(recognise((AIMessageChunk(content="x"), {"langgraph_node": "agent"})), Messages)
    assert isinstance(recognise({"agent": {"messages": []}}), Messages)
    assert isinstance(recognise(("updates", {"tools": None})), Messages)
    assert recognise({"choices": []}) is None and recognise({"type": "message_start"}) is None
    assert recognise(("other", 1)) is None
    chunk = AIMessageChunk(content="x")
    for part in [((), (chunk, {})), (("agent:1",), "messages", (chunk, {}))]:  # subgraphs=True
        dialect = recognise(part)
        expected = [Text("x")] if part[0] == () else [Step(("agent",)), Text("x")]  # a subgraph's step
        assert isinstance(dialect, Messages) and list(dialect.feed(part)) == expected


def test_a_subgraph_s_tools_and_reasoning_show_nested_in_its_step(write_app: Callable[[str], str]) -> None:
    body = (
        "parent = StateGraph(MessagesState)\n"
        "parent.add_node('researcher', agent)\n"
        "parent.add_edge(START, 'researcher')\n"
        "rc.write_stream(parent.compile().stream(inputs, stream_mode='messages', subgraphs=True))\n"
    )
    t = run(write_app, body)
    step, reasoning, tool = t.thoughts
    assert step["title"] == "researcher" and step["status"] == "done" and step["depth"] == 0
    assert reasoning["depth"] == tool["depth"] == 1  # inside the step that called them
    assert tool["title"] == "get_weather" and lines(tool["content"]) == ['{"city": "Lima"}', "Sunny in Lima"]
    assert t.messages[-1]["content"] == "It is sunny."  # the answer stays the message's own text


def test_stop_returns_at_once_and_the_run_goes_no_further(
    write_app: Callable[[str], str], tmp_path: Path
) -> None:
    go, calls, closed = tmp_path / "go", tmp_path / "calls", tmp_path / "closed"
    body = f"""
import pathlib, time
GO, CALLS, CLOSED = pathlib.Path({str(go)!r}), pathlib.Path({str(calls)!r}), pathlib.Path({str(closed)!r})
def watched(stream):
    try:
        yield from stream
    finally:
        CLOSED.write_text("")
@tool
def slow_weather(city: str) -> str:
    \"\"\"The weather, slowly.\"\"\"
    while not GO.exists():
        time.sleep(0.01)
    return "Sunny"
def counting_model(state):
    with CALLS.open("a") as f:
        f.write("call\\n")
    return {{"messages": [model.invoke(state["messages"])]}}
model.turns[0][2].tool_call_chunks[0]["name"] = "slow_weather"
graph = StateGraph(MessagesState)
graph.add_node("agent", counting_model)
graph.add_node("tools", ToolNode([slow_weather]))
graph.add_edge(START, "agent")
graph.add_conditional_edges("agent", tools_condition)
graph.add_edge("tools", "agent")
rc.session_state.reply = rc.write_stream(watched(graph.compile().stream(inputs, stream_mode="messages")))
"""
    source = (
        PRELUDE
        + "if rc.chat_input():\n    with rc.message('assistant'):\n"
        + textwrap.indent(body, "        ")
    )
    t = ChatTest.from_file(write_app(source))
    t.send("weather?", wait=False)
    t.wait_for(
        lambda t: any(th["title"] == "slow_weather" and th["status"] == "pending" for th in t.thoughts)
    )
    t.stop()
    t.wait()
    assert t.run_state == "stopped" and t.session.state["reply"] == ""
    go.write_text("")  # the tool returns; the stream yields its result, is closed, and asks the model no more
    deadline = time.monotonic() + 10
    while not closed.exists():
        assert time.monotonic() < deadline, "the stream was never closed"
        time.sleep(0.02)
    assert calls.read_text() == "call\n"
