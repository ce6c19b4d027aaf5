"""What a chat function gives back, as messages and as stream deltas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reactchat.elements import ChatMessage
from reactchat.replies import as_messages, deltas, last_user
from reactchat.stream import Replace


def test_results_become_message_dicts() -> None:
    assert as_messages("hi") == [{"role": "assistant", "content": "hi"}]
    assert as_messages(ChatMessage("assistant", "x")) == [{"role": "assistant", "content": "x"}]
    assert as_messages(["a", {"role": "user", "content": "b"}]) == [
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "b"},
    ]
    assert as_messages(None) == []
    with pytest.raises(TypeError, match="returned a int"):
        as_messages(3)


def test_the_reply_so_far_becomes_deltas_and_a_rewrite_replaces() -> None:
    def so_far() -> Iterator[str]:
        yield "Hel"
        yield "Hello"
        yield "Goodbye"

    out = list(deltas(so_far()))  # type: ignore[arg-type]
    assert out == ["Hel", "lo", "Goodbye"] and isinstance(out[2], Replace)


def test_last_user_finds_the_prompt_at_or_before_a_message() -> None:
    history = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert last_user(history, 1) == 0 and last_user(history[1:], 0) is None


def test_model_library_chunks_pass_through_deltas_as_they_are() -> None:
    import asyncio

    from reactchat.replies import deltas, is_stream, is_structured

    chunk = {"choices": [{"delta": {"content": "x"}}]}
    assert list(deltas(iter(["a", "ab"]))) == ["a", "b"]
    assert list(deltas(iter([chunk, chunk]))) == [chunk, chunk]

    async def agen():  # type: ignore[no-untyped-def]
        yield chunk

    async def collect() -> list[object]:
        return [c async for c in deltas(agen())]  # type: ignore[union-attr]

    assert asyncio.run(collect()) == [chunk]
    assert is_structured({"role": "assistant", "content": "hi"}) and not is_structured(chunk)
    assert not is_structured("text")
    assert is_stream(iter([])) and is_stream(agen()) and not is_stream([chunk]) and not is_stream("text")
