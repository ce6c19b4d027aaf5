"""rc.mcp_tools: an MCP server's tools over stdio and streamable HTTP (the official SDK, a real server), in the
shapes model libraries take, each call a thought; a failing tool, Stop during a call."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from reactchat.mcp_tools import McpTools, mcp_tools
from reactchat.store import open_store
from reactchat.testing import ChatTest
from tests.nginx import free_ports
from tests.test_examples import EXAMPLES

SERVER = f"{sys.executable} {EXAMPLES / 'mcp_server.py'}"


@pytest.fixture(scope="module")
def tools() -> Iterator[McpTools]:
    found = mcp_tools(SERVER)
    yield found
    found.close()


def test_the_tools_come_in_openai_and_anthropic_shapes_and_answer(tools: McpTools) -> None:
    assert tools.names == ["weather", "wait", "roll"]
    weather = tools.openai[0]["function"]
    assert weather["name"] == "weather" and weather["parameters"]["required"] == ["city"]
    assert tools.anthropic[0]["input_schema"] == weather["parameters"]
    assert tools.call("weather", {"city": "Paris"}) == "Paris: 14 °C, light rain"
    asked = [
        {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}
    ]
    assert tools.run(asked) == [
        {"role": "tool", "tool_call_id": "call_1", "content": "Oslo: 14 °C, light rain"}
    ]
    assert mcp_tools(SERVER) is tools  # one connection per process, whatever reruns
    with pytest.raises(KeyError, match="no MCP tool 'search'"):
        tools.call("search", {})
    with pytest.raises(TypeError, match="an MCP server is a URL"):
        mcp_tools(42)


def test_each_call_in_a_run_shows_as_a_thought(write_app: Callable[[str], str], tools: McpTools) -> None:
    app = write_app(f"""
        import reactchat as rc
        tools = rc.mcp_tools({SERVER!r})
        if prompt := rc.chat_input():
            with rc.message("assistant"):
                rc.markdown(tools.call("weather", {{"city": prompt}}))
    """)
    t = ChatTest.from_file(app, stored=False)
    t.send("Lyon")
    (shown,) = t.thoughts
    assert shown["title"] == "weather" and shown["status"] == "done"
    assert '"city": "Lyon"' in shown["content"] and "Lyon: 14 °C" in shown["content"]
    assert t.rendered[-1]["content"] == "Lyon: 14 °C, light rain"
    t.send(" ")  # the tool reports an error: the thought shows it failed, the model would read why
    assert t.thoughts[-1]["status"] == "error" and "which city?" in t.rendered[-1]["content"]
    assert t.errors == []


def test_stop_during_a_call_ends_the_run_at_once(write_app: Callable[[str], str], tools: McpTools) -> None:
    app = write_app(f"""
        import reactchat as rc
        tools = rc.mcp_tools({SERVER!r})
        if rc.chat_input():
            with rc.message("assistant"):
                rc.markdown(tools.call("wait", {{"seconds": 20}}))
    """)
    t = ChatTest.from_file(app, stored=False)
    t.send("go", wait=False)
    t.wait_for(lambda t: any(x["title"] == "wait" for x in t.thoughts))
    started = time.monotonic()
    t.stop().wait()
    assert time.monotonic() - started < 5 and t.run_state == "stopped"


def test_a_streamable_http_server_works_the_same() -> None:
    port = free_ports(1)
    server = subprocess.Popen([sys.executable, str(EXAMPLES / "mcp_server.py"), "--http", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the MCP server did not start"
            threading.Event().wait(0.05)  # polling for the port to open
        tools = mcp_tools(f"http://127.0.0.1:{port}/mcp")
        try:
            assert tools.names == ["weather", "wait", "roll"]
            assert tools.call("weather", {"city": "Rome"}) == "Rome: 14 °C, light rain"
        finally:
            tools.close()
    finally:
        server.terminate()
        server.wait(10)


def test_the_example_answers_with_its_tools() -> None:
    t = ChatTest.from_file(EXAMPLES / "mcp_tools.py", store=open_store("memory"))
    t.click_example(0)
    assert [x["title"] for x in t.thoughts] == ["weather"]
    assert t.rendered[-1]["content"] == "Right now: Paris: 14 °C, light rain."
    assert t.errors == []
