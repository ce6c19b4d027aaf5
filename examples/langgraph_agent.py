"""A LangGraph agent, streamed with `rc.write_stream(graph.stream(..., stream_mode="messages"))`: the model's
tokens as the answer, each tool call as a thought titled with the tool (pending while the tool runs, then its
input and output, or shown failed when it raised).

Without a model configured it uses a stand-in chat model (a `BaseChatModel` that streams what a real one
would: a tool call, then the answer); set OPENAI_API_KEY and install `langchain-openai` to use a real one.
Run it with `reactchat run examples/langgraph_agent.py`.
"""

import os
import time

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

import reactchat as rc


@tool
def lookup(topic: str) -> str:
    """Look a topic up in the encyclopedia."""
    time.sleep(0.3)  # a slow API: the thought shows a spinner meanwhile
    if topic.lower() == "atlantis":
        raise ValueError("no article about Atlantis")
    return f"{topic.title()}: an article of 1,200 words."


class StandIn(BaseChatModel):
    """Streams a call of `lookup` with the last question, then, given its result, an answer."""

    @property
    def _llm_type(self) -> str:
        return "stand-in"

    def bind_tools(self, tools, **kwargs):
        return self

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        last = messages[-1]
        if last.type == "tool":
            for word in f"Here is what I found: *{last.content}*".split(" "):
                yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        else:
            call = {"name": "lookup", "args": '{"topic": "' + last.content + '"}', "id": "call_1", "index": 0}
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[call]))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        whole = None
        for chunk in self._stream(messages):
            whole = chunk.message if whole is None else whole + chunk.message
        message = AIMessage(content=whole.content, tool_calls=whole.tool_calls)
        return ChatResult(generations=[ChatGeneration(message=message)])


if os.environ.get("OPENAI_API_KEY"):
    from langchain_openai import ChatOpenAI  # type: ignore[import-not-found]

    model = ChatOpenAI(model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini")).bind_tools([lookup])
else:
    model = StandIn()


def build(model):
    def call_model(state: MessagesState) -> dict:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", call_model)
    graph.add_node("tools", ToolNode([lookup], handle_tool_errors=True))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    return graph.compile()


agent = build(model)
rc.title("LangGraph agent")
rc.session_state.setdefault("history", [])
for m in rc.session_state.history:
    rc.message(m)
if prompt := rc.chat_input("A topic to look up (try Atlantis)"):
    rc.message("user", prompt)
    rc.session_state.history.append({"role": "user", "content": prompt})
    inputs = {"messages": [(m["role"], m["content"]) for m in rc.session_state.history]}
    with rc.message("assistant"):
        reply = rc.write_stream(agent.stream(inputs, stream_mode="messages"))
    rc.session_state.history.append({"role": "assistant", "content": reply, "metadata": reply.metadata})
