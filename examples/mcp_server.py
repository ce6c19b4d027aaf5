"""A small MCP server for examples/mcp_tools.py (and the tests): a weather lookup and a dice roll, over stdio
by default, or over streamable HTTP with ``--http PORT``. Run it with the official ``mcp`` SDK."""

import random
import sys
import time

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("reactchat-demo-tools")


@server.tool()
def weather(city: str) -> str:
    """The weather in a city right now."""
    if not city.strip():
        raise ToolError("which city? Give a city's name")
    return f"{city}: 14 °C, light rain"


@server.tool()
def wait(seconds: float) -> str:
    """Take a while (to try Stop on)."""
    time.sleep(min(seconds, 30))
    return "waited"


@server.tool()
def roll(sides: int = 6) -> int:
    """Roll a die with the given number of sides."""
    return random.randint(1, max(2, sides))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.run("streamable-http", port=int(sys.argv[2]))
    else:
        server.run()
