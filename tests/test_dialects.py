from __future__ import annotations

from types import SimpleNamespace

import pytest

from reactchat.anthropic_stream import MessagesEvents
from reactchat.dialects import ACCEPTED, recognise
from reactchat.langchain_stream import Messages
from reactchat.openai_stream import ChatCompletions, ResponsesEvents


def test_each_library_is_recognised_by_its_first_chunk() -> None:
    assert isinstance(recognise(SimpleNamespace(choices=[], object="chat.completion.chunk")), ChatCompletions)
    assert isinstance(recognise({"type": "response.created", "response": {}}), ResponsesEvents)
    assert isinstance(recognise({"type": "message_start", "message": {}}), MessagesEvents)
    assert isinstance(recognise({"agent": {"messages": []}}), Messages)


@pytest.mark.parametrize("chunk", [42, b"bytes", {"type": "unknown"}, SimpleNamespace(text="x")])
def test_anything_else_is_an_error_naming_its_type_and_what_is_accepted(chunk: object) -> None:
    with pytest.raises(TypeError) as raised:
        recognise(chunk)
    assert type(chunk).__qualname__ in str(raised.value) and ACCEPTED in str(raised.value)
