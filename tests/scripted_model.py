"""A LangChain chat model that streams scripted chunks through ``BaseChatModel``'s own machinery (as a real
provider's integration does), so tests see exactly what ``model.stream`` and LangGraph give an app."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Each call streams the next turn of ``turns``: a list of ``AIMessageChunk``s."""

    turns: list[list[AIMessageChunk]]
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:  # fmt: skip
        turn = self.turns[self.calls]
        self.calls += 1
        for chunk in turn:
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:  # fmt: skip
        whole: Any = None
        for generation in self._stream(messages, stop, run_manager):
            whole = generation.message if whole is None else whole + generation.message
        message = AIMessage(content=whole.content, tool_calls=whole.tool_calls, usage_metadata=whole.usage_metadata,
                            response_metadata=whole.response_metadata, id=whole.id)  # fmt: skip
        return ChatResult(generations=[ChatGeneration(message=message)])


def weather_turns() -> list[list[AIMessageChunk]]:
    """Reasoning and a get_weather call split across chunks; then, given its result, the answer and usage."""
    first = {"input_tokens": 12, "output_tokens": 4, "total_tokens": 16}
    usage = {"input_tokens": 8, "output_tokens": 5, "total_tokens": 13}  # with the first: 20 in, 9 out
    return [
        [
            AIMessageChunk(content=[{"type": "reasoning", "reasoning": "Needs "}], id="run-1"),
            AIMessageChunk(content=[{"type": "reasoning", "reasoning": "a lookup."}], id="run-1"),
            AIMessageChunk(content="", id="run-1", tool_call_chunks=[
                {"name": "get_weather", "args": '{"city": ', "id": "call_1", "index": 0}]),
            AIMessageChunk(content="", id="run-1", tool_call_chunks=[
                {"name": None, "args": '"Lima"}', "id": None, "index": 0}], usage_metadata=first),
        ],
        [
            AIMessageChunk(content="It is ", id="run-2"),
            AIMessageChunk(content="sunny.", id="run-2"),
            AIMessageChunk(content="", id="run-2", usage_metadata=usage,
                           response_metadata={"model_name": "scripted-1"}),
        ],
    ]  # fmt: skip
