"""How write_stream shows parts: text around thoughts, reasoning, tool calls with input and output, usage; and
a stored reply keeping them so they come back from the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reactchat.ops import RUN
from reactchat.replay import ReplayServer
from reactchat.store import open_store
from reactchat.testing import ChatTest
from tests.model_streams import CHAT

STORED = """
import openai
import reactchat as rc
client = openai.OpenAI(base_url={url!r}, api_key="none", max_retries=0)
rc.chat(show_usage=True)
conv = rc.conversation()
for m in conv.history:
    rc.message(m)
if prompt := rc.chat_input():
    with conv.reply():
        rc.write_stream(client.chat.completions.create(
            model="gpt-test", messages=[{{"role": "user", "content": prompt}}], stream=True))
        rc.write_stream(iter([" Done."]))
"""


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(CHAT) as replay:
        yield replay


def shown(t: ChatTest) -> list[tuple[str, str]]:
    """The assistant message's parts in order: (kind, visible text)."""
    message = t.nodes("message")[-1]
    return [(child[1], str(child[2].get("title", ""))) for child in message[3]]


def test_a_stored_reply_keeps_its_thoughts_tool_calls_and_usage(
    write_app: Callable[[str], str], server: ReplayServer
) -> None:
    store = open_store("memory")
    t = ChatTest.from_file(write_app(STORED.format(url=server.url)), store=store)
    t.send("weather?")
    assert t.errors == []
    live = (t.thoughts, t.messages, shown(t), t.nodes("message")[-1][2]["usage"])
    stored = store.path(t.owner, t.conversation)[-1]
    assert stored.content == "Let me check. Done." and stored.status == "done"
    assert stored.metadata is not None
    assert stored.metadata["usage"] == {"input_tokens": 31, "output_tokens": 17, "model": "gpt-test"}
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    assert stored.metadata["tool_calls"] == [call]
    assert [th["at"] for th in stored.metadata["thoughts"]] == [0, len("Let me check.")]
    # The next turn declares the history from the store: what it shows is what streamed.
    before = len(t.ops)
    t.session.request_rerun()
    t.wait()
    assert (t.thoughts, t.messages, shown(t), t.nodes("message")[-1][2]["usage"]) == live
    assert shown(t)[0][0] == "thought" and shown(t)[1] == ("markdown", "") and shown(t)[2][0] == "thought"
    resent = [op for op in t.ops[before:] if op[0] != RUN]
    assert len(resent) <= 3, resent  # at most the chat input moving and a prop or two, never the content
    again = t.restart()  # a new server process, the same store
    assert (again.thoughts, again.messages, shown(again), again.nodes("message")[-1][2]["usage"]) == live


def test_text_after_a_thought_goes_into_a_new_block(write_app: Callable[[str], str]) -> None:
    source = """
    import reactchat as rc
    def chunks():
        yield "Before. "
        yield {"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "c", "function": {"name": None, "arguments": "{}"}}]}}]}
        yield {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": "late_name"}}]}}]}
        yield {"choices": [{"delta": {"content": "After."}}]}
    with rc.message("assistant"):
        rc.session_state.reply = rc.write_stream(chunks())
    """
    t = ChatTest.from_file(write_app(source))
    assert t.errors == [] and t.session.state["reply"] == "Before. After."
    assert shown(t) == [("markdown", ""), ("thought", "late_name"), ("markdown", "")]
    assert t.thoughts[0]["content"] == "{}"


def test_reasoning_tags_and_structured_reasoning_together(write_app: Callable[[str], str]) -> None:
    source = """
    import reactchat as rc
    rc.chat(reasoning_tags=[("<think>", "</think>")])
    def chunks():
        yield {"choices": [{"delta": {"reasoning_content": "structured"}}]}
        yield {"choices": [{"delta": {"content": "<think>tagged</think>answer"}}]}
    with rc.message("assistant"):
        rc.write_stream(chunks())
    """
    t = ChatTest.from_file(write_app(source))
    assert [th["content"] for th in t.thoughts] == ["structured", "tagged"]
    assert t.messages[-1]["content"] == "answer"


def test_an_empty_stream_still_declares_its_block(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("import reactchat as rc\nwith rc.message('assistant'):\n    rc.write_stream(iter([]))\n")
    )
    assert shown(t) == [("markdown", "")]


def test_a_tool_output_with_a_fence_keeps_its_own_block(write_app: Callable[[str], str]) -> None:
    source = """
    import reactchat as rc
    from reactchat.langchain_stream import Messages
    from langchain_core.messages import AIMessage, ToolMessage
    parts = [AIMessage(content="", tool_calls=[{"name": "run", "args": {}, "id": "1"}]),
             ToolMessage(content="```py\\nx\\n```", tool_call_id="1")]
    with rc.message("assistant"):
        rc.write_stream(iter(parts))
    """
    t = ChatTest.from_file(write_app(source))
    assert t.errors == []
    assert "```py" in t.thoughts[0]["content"]  # shown as text inside a longer fence, not as markup


def test_a_stream_that_starts_with_a_thought_shows_it_first(write_app: Callable[[str], str]) -> None:
    source = """
    import reactchat as rc
    def chunks():
        yield {"choices": [{"delta": {"reasoning": "hmm"}}]}
        yield {"choices": [{"delta": {"content": "answer"}}]}
    with rc.message("assistant"):
        rc.write_stream(chunks(), key="reply")
    """
    t = ChatTest.from_file(write_app(source))
    assert [kind for kind, _ in shown(t)] == ["thought", "markdown"]
    assert t.session.tree.find("markdown")[-1].key == "reply"  # the answer's block took the key


def test_a_message_with_thoughts_in_its_metadata_shows_them_where_they_stood(
    write_app: Callable[[str], str],
) -> None:
    source = """
    import reactchat as rc
    thoughts = [{"title": "first", "at": 0, "content": "a"}, {"content": "no title: skipped"},
                {"title": "late", "at": 999, "status": "error", "content": "b"}]
    rc.message({"role": "assistant", "content": "Hello.", "metadata": {"thoughts": thoughts, "usage": {"output_tokens": 3}}})
    """
    t = ChatTest.from_file(write_app(source))
    assert t.errors == []
    assert shown(t) == [("thought", "first"), ("markdown", ""), ("thought", "late")]
    assert "status" not in t.thoughts[0] and t.thoughts[1]["status"] == "error"
    assert t.nodes("message")[-1][2]["usage"] == {"output_tokens": 3}
