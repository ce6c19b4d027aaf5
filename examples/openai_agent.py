"""An OpenAI Agents SDK agent, streamed with `rc.write_stream(result.stream_events())`: each tool call as a
thought titled with the tool (its arguments streaming in, then its output), the answer as markdown, the tokens
of all the run's model calls under the reply.

With OPENAI_API_KEY set the agent asks OpenAI (OPENAI_MODEL picks the model); without, a stand-in model on
this machine that streams what the Responses API would. Run it with `reactchat run examples/openai_agent.py`.
"""

import os

from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled
from openai import AsyncOpenAI

import reactchat as rc

CAPITALS = {"france": "Paris", "japan": "Tokyo", "peru": "Lima"}


@function_tool
def capital(country: str) -> str:
    """The capital city of a country."""
    return CAPITALS.get(country.lower(), "unknown")


def stand_in(body: dict) -> list[dict]:
    """The Responses API's events for this request: a call of `capital`, or, given its output, the answer."""
    usage = {
        "input_tokens": 40,
        "output_tokens": 12,
        "total_tokens": 52,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens_details": {"reasoning_tokens": 0},
    }
    response = {
        "id": "resp_1",
        "object": "response",
        "created_at": 0,
        "model": "stand-in",
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "status": "in_progress",
    }
    outputs = [i for i in body["input"] if isinstance(i, dict) and i.get("type") == "function_call_output"]
    if outputs:
        text = f"The capital is **{outputs[-1]['output']}**."
        item = {
            "id": "msg_1",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }
        events = [{"type": "response.output_item.added", "output_index": 0, "item": {**item, "content": []}}]
        events += [
            {
                "type": "response.output_text.delta",
                "item_id": "msg_1",
                "output_index": 0,
                "content_index": 0,
                "delta": word + " ",
                "logprobs": [],
            }
            for word in text.split(" ")
        ]
    else:
        prompt = str(body["input"][-1].get("content", "")).lower()
        country = next((c for c in CAPITALS if c in prompt), "france")
        arguments = '{"country": "' + country + '"}'
        item = {
            "id": "fc_1",
            "type": "function_call",
            "status": "completed",
            "arguments": arguments,
            "call_id": f"call_{len(body['input'])}",
            "name": "capital",
        }
        events = [
            {"type": "response.output_item.added", "output_index": 0, "item": {**item, "arguments": ""}}
        ]
        events += [
            {
                "type": "response.function_call_arguments.delta",
                "item_id": "fc_1",
                "output_index": 0,
                "delta": piece,
            }
            for piece in (arguments[:12], arguments[12:])
        ]
    done = {**response, "status": "completed", "output": [item], "usage": usage}
    events = [
        {"type": "response.created", "response": response},
        *events,
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": done},
    ]
    return [{**event, "sequence_number": i} for i, event in enumerate(events)]  # fmt: skip


if os.environ.get("OPENAI_API_KEY"):
    model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
else:
    set_tracing_disabled(True)  # the stand-in needs no network: no traces sent to OpenAI either
    client = AsyncOpenAI(base_url=rc.ReplayServer.shared(stand_in, delay=0.05).url, api_key="stand-in")
    model = OpenAIResponsesModel(model="stand-in", openai_client=client)
agent = Agent(name="Geographer", instructions="Answer with the capital tool.", tools=[capital], model=model)

rc.title("Capitals, with the Agents SDK")
rc.chat(show_usage=True)
rc.session_state.setdefault("history", [])
for m in rc.session_state.history:
    rc.message(m)
if prompt := rc.chat_input("What is the capital of Peru?"):
    rc.message("user", prompt)
    rc.session_state.history.append({"role": "user", "content": prompt})
    with rc.message("assistant"):
        result = Runner.run_streamed(agent, prompt)
        reply = await rc.write_stream(result.stream_events())  # noqa: F704  a script may await at its top level
    rc.session_state.history.append({"role": "assistant", "content": reply, "metadata": reply.metadata})
