"""What a model library's stream means, whatever the library: the parts ``write_stream`` shows.

Each library's module (``openai_stream``, ``anthropic_stream``, ``langchain_stream``) turns its chunks into
these; ``parts_writer`` shows them. ``key`` tells apart the thoughts that stream at once (tool calls split
across chunks name theirs by index or id).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Protocol


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """Answer text, appended to the message."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Reasoning:
    """Reasoning text, appended to the open "Thinking" thought (opened on the first)."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call starting (``name`` set) or its arguments growing (``arguments``, a piece of JSON)."""

    key: Any
    name: str | None = None
    arguments: str = ""
    id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool gave back (or its error): ends the thought of the call with that ``key``."""

    key: Any
    output: str
    failed: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Usage:
    """Tokens used and the model; merged into the message's metadata ``usage``: the counts replace those
    before, or, when ``added``, add to them (LangChain's chunks each carry a part, and an agent's model calls
    each their own)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    model: str | None = None
    added: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Done:
    """The part that was streaming (reasoning, the tool calls whose arguments streamed) is complete."""


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """What follows comes from inside these steps of a graph (a LangGraph subgraph's nodes, outermost first;
    empty: the top level): it shows nested in a thought for each."""

    path: tuple[str, ...]


Part = Text | Reasoning | ToolCall | ToolResult | Usage | Done | Step


class Dialect(Protocol):
    """One library's chunks as parts: ``feed`` is called with each chunk, in order."""

    def feed(self, chunk: Any) -> Iterable[Part]: ...


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name`` or ``obj[name]``: the libraries' objects and the same shapes as plain dicts."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)
