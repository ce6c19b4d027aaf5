"""Tool use with the official `openai` client, with no adapter code: `rc.write_stream` takes the stream as
the client gives it and shows the model's reasoning as a collapsible thought, each tool call as a thought
titled with the tool's name (its arguments streaming in), the answer as markdown, and the tokens used under
the reply.
It returns the text, with the tool calls in `.metadata` for the app to run.

With OPENAI_API_KEY set it asks OpenAI (OPENAI_BASE_URL: any compatible server, vLLM, Ollama, ...;
OPENAI_MODEL: the model); without, a stand-in model on this machine that streams what such a model would.
Run it with `reactchat run examples/openai_tools.py` and ask about the weather in Paris.
"""

import json
import os

import openai

import reactchat as rc

WEATHER = {"paris": "14 °C and cloudy", "tokyo": "24 °C and raining"}
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city now",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}]  # fmt: skip


def get_weather(city: str) -> str:
    return WEATHER.get(city.lower(), "unknown")


def stand_in(body: dict) -> list[dict]:
    """What a reasoning model streams for this request: a tool call, or, given its result, the answer."""

    def chunk(delta: dict | None = None, usage: dict | None = None) -> dict:
        choices = [] if delta is None else [{"index": 0, "delta": delta}]
        return {"object": "chat.completion.chunk", "model": "stand-in", "choices": choices, "usage": usage}

    last = body["messages"][-1]
    if last["role"] == "tool":
        words = f"It is {last['content']} there right now.".split(" ")
        usage = {"prompt_tokens": 80, "completion_tokens": 9}
        return [chunk({"content": w + " "}) for w in words] + [chunk(usage=usage)]
    city = next((c for c in WEATHER if c in last["content"].lower()), "paris")
    arguments = json.dumps({"city": city})
    return [
        chunk({"reasoning_content": "The user wants the weather, "}),
        chunk({"reasoning_content": f"so I look it up for {city.title()}."}),
        chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                               "function": {"name": "get_weather", "arguments": arguments[:9]}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[9:]}}]}),
        chunk(usage={"prompt_tokens": 60, "completion_tokens": 24}),
    ]  # fmt: skip


if os.environ.get("OPENAI_API_KEY"):
    client = openai.OpenAI()
else:
    client = openai.OpenAI(base_url=rc.ReplayServer.shared(stand_in, delay=0.03).url, api_key="stand-in")
MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")

rc.title("Weather, with tools")
rc.chat(show_usage=True)
rc.session_state.setdefault("shown", [])  # what the chat shows
rc.session_state.setdefault("sent", [])  # what the model is sent: OpenAI's messages, tool calls and results
for m in rc.session_state.shown:
    rc.message(m)
if prompt := rc.chat_input("Ask about the weather in Paris or Tokyo"):
    rc.message("user", prompt)
    rc.session_state.shown.append({"role": "user", "content": prompt})
    sent = rc.session_state.sent
    sent.append({"role": "user", "content": prompt})
    calls = True
    while calls:  # until the model answers instead of calling a tool
        with rc.message("assistant"):
            reply = rc.write_stream(
                client.chat.completions.create(
                    model=MODEL,
                    messages=sent,
                    tools=TOOLS,
                    stream=True,
                    stream_options={"include_usage": True},
                )
            )
        rc.session_state.shown.append({"role": "assistant", "content": reply, "metadata": reply.metadata})
        calls = reply.metadata.get("tool_calls")
        sent.append({"role": "assistant", "content": reply, **({"tool_calls": calls} if calls else {})})
        for call in calls or ():
            result = get_weather(**json.loads(call["function"]["arguments"]))
            sent.append({"role": "tool", "tool_call_id": call["id"], "content": result})
