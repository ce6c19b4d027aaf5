"""A PydanticAI agent, streamed with `rc.write_stream(events)` inside `agent.run_stream_events(...)`: its
thinking as a collapsible thought, each tool call as a thought titled with the tool (arguments, then the
result; failed when the tool asked the model to retry), the answer as markdown, usage under the reply.

Without OPENAI_API_KEY it runs a stand-in model (PydanticAI's own `FunctionModel`) that thinks, calls the
tool, then answers; with it, `openai:` + OPENAI_MODEL (install `pydantic-ai-slim[openai]`).
Run it with `reactchat run examples/pydantic_ai_agent.py`.
"""

import os

from pydantic_ai import Agent
from pydantic_ai.messages import ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaThinkingPart, DeltaToolCall, FunctionModel

import reactchat as rc

DICE = {"d6": 4, "d20": 17}


async def stand_in(messages: list, info: AgentInfo):
    """Thinks, asks to roll the die the user named, then answers with what it rolled."""
    last = messages[-1].parts[-1]
    if isinstance(last, ToolReturnPart):
        for word in f"You rolled a **{last.content}**.".split(" "):
            yield word + " "
        return
    prompt = str(last.content)
    die = next((d for d in DICE if d in prompt.lower()), "d6")
    yield {0: DeltaThinkingPart(content="The user wants a roll; ")}
    yield {0: DeltaThinkingPart(content=f"I will roll a {die}.")}
    yield {1: DeltaToolCall(name="roll", json_args='{"die": ', tool_call_id=f"roll-{len(messages)}")}
    yield {1: DeltaToolCall(json_args=f'"{die}"' + "}")}


model = (
    f"openai:{os.environ.get('OPENAI_MODEL', 'gpt-4o-mini')}" if os.environ.get("OPENAI_API_KEY") else None
)
agent = Agent(model or FunctionModel(stream_function=stand_in), instructions="Roll dice with the roll tool.")


@agent.tool_plain
def roll(die: str) -> int:
    """Roll a die: "d6" or "d20"."""
    return DICE.get(die, 1)


rc.title("Dice, with PydanticAI")
rc.chat(show_usage=True)
rc.session_state.setdefault("history", [])
for m in rc.session_state.history:
    rc.message(m)
if prompt := rc.chat_input("Roll a d20"):
    rc.message("user", prompt)
    rc.session_state.history.append({"role": "user", "content": prompt})
    with rc.message("assistant"):
        async with agent.run_stream_events(prompt) as events:
            reply = await rc.write_stream(events)  # noqa: F704  a script may await at its top level
    rc.session_state.history.append({"role": "assistant", "content": reply, "metadata": reply.metadata})
