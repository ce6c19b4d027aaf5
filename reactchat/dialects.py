"""Which library a stream's chunks come from, recognised from the first chunk that is not a str."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reactchat import anthropic_stream, langchain_stream, openai_stream

if TYPE_CHECKING:
    from reactchat.parts import Dialect

ACCEPTED = (
    "str; OpenAI Chat Completions chunks or Responses API events; Anthropic Messages stream events;"
    " LangChain message chunks; LangGraph stream parts (stream_mode 'messages' or 'updates')"
)


def recognise(chunk: Any) -> Dialect:
    """The dialect that reads ``chunk`` and the chunks after it.

    Raises:
        TypeError: naming the chunk's type and what ``write_stream`` accepts.
    """
    for module in (openai_stream, anthropic_stream, langchain_stream):
        dialect = module.recognise(chunk)
        if dialect is not None:
            return dialect
    raise TypeError(
        f"write_stream got a chunk of type {type(chunk).__module__}.{type(chunk).__qualname__}: {chunk!r:.80};"
        f" it accepts iterables of {ACCEPTED}"
    )
