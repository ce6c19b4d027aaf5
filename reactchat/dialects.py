"""Which library a stream's chunks come from, recognised from the first chunk that is not a str. The readers
of each library are imported then: a server whose streams are all text never loads them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactchat.parts import Dialect

ACCEPTED = (
    "str; OpenAI Chat Completions chunks or Responses API events; Anthropic Messages stream events;"
    " LangChain message chunks; LangGraph stream parts (stream_mode 'messages' or 'updates');"
    " PydanticAI agent events; OpenAI Agents SDK run events"
)


def _find(chunk: Any) -> Dialect | None:
    from reactchat import agents_stream, anthropic_stream, langchain_stream, openai_stream, pydantic_ai_stream

    return (
        openai_stream.recognise(chunk)
        or anthropic_stream.recognise(chunk)
        or langchain_stream.recognise(chunk)
        or pydantic_ai_stream.recognise(chunk)
        or agents_stream.recognise(chunk)
    )


def is_model_stream(chunk: Any) -> bool:
    """Whether ``chunk`` is a model library's chunk (not a str, nor a message dict)."""
    return _find(chunk) is not None


def recognise(chunk: Any) -> Dialect:
    """The dialect that reads ``chunk`` and the chunks after it.

    Raises:
        TypeError: naming the chunk's type and what ``write_stream`` accepts.
    """
    dialect = _find(chunk)
    if dialect is not None:
        return dialect
    raise TypeError(
        f"write_stream got a chunk of type {type(chunk).__module__}.{type(chunk).__qualname__}:"
        f" {chunk!r:.80}; it accepts iterables of {ACCEPTED}"
    )
