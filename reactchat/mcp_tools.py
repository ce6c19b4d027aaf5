"""``rc.mcp_tools``: the tools of MCP servers (a command over stdio, or a streamable HTTP URL), through the
official ``mcp`` SDK, in the shapes model libraries take, each call shown as a thought.

The connections are the process's: one background thread runs an event loop that holds every connection
open, so a rerun, a second tab or another session reuses them (a stdio server is started once). A call made
in a run waits for its result in the run's own thread, checking for Stop between waits.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import shlex
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reactchat import context
from reactchat.elements import begin
from reactchat.markdown import fenced
from reactchat.messages import markdown, thought

__all__ = ["McpTools", "mcp_tools"]

CONNECT_SECONDS = 30.0
CALL_SECONDS = 300.0
_POLL = 0.1  # seconds between two looks for Stop while a call runs

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()
_known: dict[tuple[str, ...], McpTools] = {}


def _background() -> asyncio.AbstractEventLoop:
    """The event loop the connections live on (started on first use; a daemon thread)."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="reactchat-mcp", daemon=True).start()
        return _loop


def _wait(future: concurrent.futures.Future[Any], seconds: float) -> Any:
    """``future``'s result; in a run, Stop cancels the wait (and the call) at once."""
    run = context.active_run()
    if run is None:
        return future.result(seconds)
    waited = 0.0
    while True:
        try:
            return future.result(_POLL)
        except concurrent.futures.TimeoutError:
            waited += _POLL
            try:
                run.cancel.check()
            except BaseException:
                future.cancel()
                raise
            if waited >= seconds:
                future.cancel()
                raise TimeoutError(f"the MCP call took longer than {seconds:g} s") from None


def _server(spec: Any) -> Any:
    """What ``mcp.Client`` connects to: a URL (streamable HTTP), a command line or ``{"command", "args"?,
    "env"?}`` (stdio), or the SDK's own ``StdioServerParameters``."""
    from mcp import StdioServerParameters

    if isinstance(spec, StdioServerParameters):
        return spec
    if isinstance(spec, str) and spec.startswith(("http://", "https://")):
        return spec
    if isinstance(spec, str):
        argv = shlex.split(spec)
        if not argv:
            raise ValueError("an MCP server's command is empty")
        return StdioServerParameters(command=argv[0], args=argv[1:])
    if isinstance(spec, Mapping) and isinstance(spec.get("command"), str):
        return StdioServerParameters(
            command=spec["command"], args=list(spec.get("args") or ()), env=spec.get("env")
        )
    raise TypeError(
        f"an MCP server is a URL, a command line, {{'command', 'args'?, 'env'?}} or StdioServerParameters;"
        f" got {spec!r}"
    )


class _Connection:
    """One server's client, entered on the background loop and kept open."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self._stack = contextlib.AsyncExitStack()
        self.client: Any = None
        self.tools: list[Any] = []

    async def open(self) -> None:
        from mcp import Client

        self.client = await self._stack.enter_async_context(Client(_server(self.spec)))
        listed = await self.client.list_tools()
        self.tools = list(listed.tools)

    async def close(self) -> None:
        await self._stack.aclose()


class McpTools:
    """The tools of one or more MCP servers (see ``mcp_tools``).

    Attributes:
        names: Every tool's name, in the servers' order.
    """

    def __init__(self, servers: Sequence[Any]) -> None:
        loop = _background()
        self._connections = [_Connection(spec) for spec in servers]
        self._owner: dict[str, _Connection] = {}
        self._schemas: dict[str, Any] = {}
        for connection in self._connections:
            _wait(asyncio.run_coroutine_threadsafe(connection.open(), loop), CONNECT_SECONDS)
            for tool in connection.tools:
                self._owner.setdefault(tool.name, connection)
                self._schemas.setdefault(tool.name, tool)
        self.names = list(self._schemas)

    @property
    def openai(self) -> list[dict[str, Any]]:
        """The tools as OpenAI Chat Completions' ``tools=`` (function tools)."""
        return [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description or "",
                    "parameters": t.input_schema,
                },
            }
            for t in self._schemas.values()
        ]

    @property
    def anthropic(self) -> list[dict[str, Any]]:
        """The tools as Anthropic Messages' ``tools=``."""
        return [
            {"name": t.name, "description": t.description or "", "input_schema": t.input_schema}
            for t in self._schemas.values()
        ]

    def call(self, name: str, arguments: Mapping[str, Any] | str | None = None) -> str:
        """Call tool ``name`` and return its result as text; in a run, the call shows as a thought titled with
        the tool's name (its arguments, then its output; failed when the tool reports an error).

        Raises:
            KeyError: no server has a tool ``name``.
        """
        if name not in self._owner:
            raise KeyError(f"no MCP tool {name!r}; the servers offer {self.names}")
        given: Any = json.loads(arguments) if isinstance(arguments, str) and arguments.strip() else arguments
        args: dict[str, Any] = dict(given or {})
        connection = self._owner[name]
        future = asyncio.run_coroutine_threadsafe(connection.client.call_tool(name, args), _background())
        if context.active_run() is None:
            return _text(_wait(future, CALL_SECONDS))
        begin()
        with thought(name) as shown:
            markdown(f"```json\n{json.dumps(args, indent=2, ensure_ascii=False)}\n```")
            result = _wait(future, CALL_SECONDS)
            text = _text(result)
            markdown(fenced(text))
        if result.is_error:  # the tool said it failed: the model reads why, the thought shows it failed
            shown.update(status="error")
        return text

    def run(self, tool_calls: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
        """Carry out the tool calls a model asked for (OpenAI's shape: ``reply.metadata["tool_calls"]``) and
        return the messages that answer them, to append to the history before asking the model again:
        ``{"role": "tool", "tool_call_id", "content"}``."""
        answers = []
        for call in tool_calls or ():
            function = call.get("function") or {}
            content = self.call(str(function.get("name")), function.get("arguments"))
            answers.append({"role": "tool", "tool_call_id": call.get("id"), "content": content})
        return answers

    def close(self) -> None:
        """Close every connection (a stdio server's process ends)."""
        for connection in self._connections:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(connection.close(), _background()).result(CONNECT_SECONDS)
        for key in [k for k, v in _known.items() if v is self]:
            del _known[key]


def _text(result: Any) -> str:
    """A tool result's text: its text parts joined, else its structured content as JSON."""
    texts = [getattr(part, "text", None) for part in result.content or ()]
    joined = "\n".join(t for t in texts if isinstance(t, str))
    if joined or result.structured_content is None:
        return joined
    return json.dumps(result.structured_content, ensure_ascii=False)


def mcp_tools(*servers: Any) -> McpTools:
    """The tools of MCP servers, connected once per process and reused by every rerun and session.

    Each server is a streamable HTTP URL (``"http://127.0.0.1:8000/mcp"``), a command line started as a
    subprocess speaking stdio (``"python tools_server.py"``), ``{"command", "args"?, "env"?}`` or the SDK's
    ``StdioServerParameters``. Needs the ``mcp`` package (``pip install "reactchat[mcp]"``).

        tools = rc.mcp_tools("python examples/mcp_server.py")
        reply = rc.write_stream(client.chat.completions.create(..., tools=tools.openai, stream=True))
        history += tools.run(reply.metadata.get("tool_calls"))  # each call shown as a thought

    Raises:
        TypeError, ValueError: for a server given in no known shape.
        TimeoutError: a server did not answer within 30 s.
    """
    key = tuple(repr(s) for s in servers)
    found = _known.get(key)
    if found is None:
        found = _known[key] = McpTools(servers)
    return found
