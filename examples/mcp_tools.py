"""Tools from an MCP server, each call shown as a thought: `rc.mcp_tools` starts examples/mcp_server.py (over
stdio, with the official `mcp` SDK) once per process and hands its tools over in the shapes model libraries
take (`tools.openai`, `tools.anthropic`); `tools.run(reply.metadata["tool_calls"])` carries out what a model
asked for. This example needs no model: it picks the tool from the prompt itself. Run it with
`reactchat run examples/mcp_tools.py` (`pip install "reactchat[mcp]"`).
"""

import os
import re
import sys

import reactchat as rc

SERVER = f"{sys.executable} {os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mcp_server.py')}"
tools = rc.mcp_tools(SERVER)

rc.chat(title="MCP tools", placeholder="Ask for the weather in a city, or to roll a die.",
        examples=["What is the weather in Paris?", "Roll a 20-sided die"])  # fmt: skip

conv = rc.conversation()
conv.show()

if prompt := rc.chat_input():
    with conv.reply():
        if city := re.search(r"weather in ([\w .'-]+)", prompt, re.IGNORECASE):
            result = tools.call("weather", {"city": city.group(1).strip(" ?.")})
            rc.markdown(f"Right now: **{result}**.")
        elif sides := re.search(r"(\d+)", prompt):
            rc.markdown(f"You rolled a **{tools.call('roll', {'sides': int(sides.group(1))})}**.")
        else:
            rc.markdown(f"I can use these tools: {', '.join(tools.names)}. Ask for the weather, or a roll.")
