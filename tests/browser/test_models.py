"""A LangGraph agent end to end in a real Chromium: its reasoning collapsed, its tool call pending while the
tool runs then done with input and output, the answer streamed, the usage under the reply."""

from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import APP, ASSISTANT, CONTENT, open_app, send

pytestmark = [pytest.mark.browser, pytest.mark.timeout(30)]

AGENT = """
import pathlib
import time

import reactchat as rc
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from tests.scripted_model import ScriptedChatModel, weather_turns

GO = pathlib.Path({go!r})


@tool
def get_weather(city: str) -> str:
    \"\"\"The weather in a city.\"\"\"
    deadline = time.monotonic() + 20
    while not GO.exists() and time.monotonic() < deadline:  # the test lets the tool finish
        time.sleep(0.01)
    return f"Sunny in {{city}}"


def call_model(state):
    return {{"messages": [model.invoke(state["messages"])]}}


model = ScriptedChatModel(turns=weather_turns())
graph = StateGraph(MessagesState)
graph.add_node("agent", call_model)
graph.add_node("tools", ToolNode([get_weather]))
graph.add_edge(START, "agent")
graph.add_conditional_edges("agent", tools_condition)
graph.add_edge("tools", "agent")
agent = graph.compile()

rc.chat(show_usage=True)
if prompt := rc.chat_input("Ask"):
    rc.message("user", prompt)
    with rc.message("assistant"):
        rc.write_stream(agent.stream({{"messages": [("user", prompt)]}}, stream_mode="messages"))
"""

THOUGHT = '[data-testid="thought"]'
TITLE = '[data-testid="thought-title"]'
BODY = '[data-testid="thought-body"]'


def test_an_agent_shows_reasoning_a_pending_tool_then_the_answer_and_usage(
    page: Page, serve: Callable[..., Any], tmp_path: pathlib.Path
) -> None:
    go = tmp_path / "go"
    script = tmp_path / "agent.py"
    script.write_text(textwrap.dedent(AGENT.format(go=str(go))))
    served = serve(str(script))
    open_app(page, served.url)
    send(page, "weather in Lima?")

    reply = page.locator(ASSISTANT)
    reasoning, tool = reply.locator(THOUGHT).nth(0), reply.locator(THOUGHT).nth(1)
    expect(tool).to_have_attribute("data-status", "pending")
    expect(tool.locator(TITLE)).to_contain_text("get_weather")
    expect(tool.locator(TITLE).locator(".rc-spinner")).to_be_visible()
    expect(tool.locator(BODY)).to_contain_text('{"city": "Lima"}')  # open while it runs
    # The reasoning finished: collapsed, saying how long it took.
    expect(reasoning).to_have_attribute("data-status", "done")
    expect(reasoning.locator(TITLE)).to_contain_text("Thought for")
    expect(reasoning.locator(BODY)).to_be_hidden()

    go.write_text("")
    expect(tool).to_have_attribute("data-status", "done")
    expect(tool.locator(BODY)).to_be_hidden()
    tool.locator(TITLE).click()
    expect(tool.locator(BODY)).to_contain_text("Sunny in Lima")
    expect(reply.locator(CONTENT)).to_contain_text("It is sunny.")
    expect(reply.locator('[data-testid="usage"]')).to_have_text("20 in · 9 out · scripted-1")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
