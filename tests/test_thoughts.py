from __future__ import annotations

from collections.abc import Callable

from reactchat.config import Config
from reactchat.ops import EVACK, MOV, RUN
from reactchat.testing import ChatTest


def test_thought_blocks_nest_time_themselves_and_finish(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import time
        import reactchat as rc
        with rc.message("assistant"):
            with rc.thought("Planning", log="step 1") as plan:
                rc.markdown("first I think")
                with rc.thought("Searching"):
                    time.sleep(0.12)
                    rc.markdown("found 3 results")
                plan.update(log="step 2")
            rc.markdown("The answer.")
    """)
    )
    outer, inner = t.thoughts
    assert (outer["title"], outer["status"], outer["log"], outer["depth"]) == (
        "Planning",
        "done",
        "step 2",
        0,
    )
    assert (inner["title"], inner["status"], inner["content"], inner["depth"]) == (
        "Searching",
        "done",
        "found 3 results",
        1,
    )
    assert inner["duration"] >= 0.1 and outer["duration"] >= inner["duration"]
    assert t.messages == [{"role": "assistant", "content": "The answer."}]


def test_a_thought_is_pending_while_it_runs(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
            import threading
            import reactchat as rc
            rc.session_state.setdefault("go", threading.Event())
            if rc.chat_input():
                with rc.thought("Working"):
                    rc.session_state.go.wait(10)
        """),
        config=Config(frame_interval=0.001),
    )
    t.send("x", wait=False)
    t.wait_for(lambda t: bool(t.thoughts))
    assert t.thoughts[0]["status"] == "pending"
    t.session.state["go"].set()
    t.wait()
    assert t.thoughts[0]["status"] == "done"


def test_a_thought_that_raises_is_marked_failed(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        try:
            with rc.thought("Calling the weather API"):
                raise TimeoutError("no answer")
        except TimeoutError:
            rc.markdown("the tool failed")
    """)
    )
    assert t.thoughts[0]["status"] == "error"
    assert t.errors == []


def test_metadata_messages_are_thoughts_nested_by_parent_id(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        history = [
            {"role": "user", "content": "What's the weather?"},
            rc.ChatMessage(content="Looking up Paris", metadata={"title": "Used the weather tool", "id": "w", "status": "done", "duration": 1.25, "log": "GET /weather"}),
            rc.ChatMessage(content="12°C, cloudy", metadata={"title": "Raw result", "parent_id": "w"}),
            rc.ChatMessage(content="Then converted units", metadata={"title": "Converted", "parent_id": "w"}),
            {"role": "assistant", "content": "It's 12°C in Paris."},
        ]
        for m in history:
            rc.message(m)
        rc.chat_input()
    """)
    )
    assert [(x["title"], x["depth"]) for x in t.thoughts] == [
        ("Used the weather tool", 0),
        ("Raw result", 1),
        ("Converted", 1),
    ]
    assert t.thoughts[0]["duration"] == 1.25 and t.thoughts[0]["log"] == "GET /weather"
    assert t.messages == [
        {"role": "user", "content": "What's the weather?"},
        {"role": "assistant", "content": "It's 12°C in Paris."},
    ]
    before = len(t.ops)
    t.send("again")  # re-declaring nested thoughts costs nothing
    assert [op for op in t.ops[before:] if op[0] not in (RUN, EVACK)] == []


def test_reasoning_tags_make_thoughts_streamed_or_not_with_the_same_nodes(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app("""
            import reactchat as rc
            rc.chat(reasoning_tags=[("<think>", "</think>")])
            rc.session_state.setdefault("history", [])
            for m in rc.session_state.history:
                rc.message(m)
            def model():
                for piece in ["<thi", "nk>Let me", " consider.</th", "ink>", "The answer ", "is 4."]:
                    yield piece
            if rc.chat_input():
                with rc.message("assistant"):
                    reply = rc.write_stream(model())
                rc.session_state.history.append({"role": "assistant", "content": reply})
        """),
        config=Config(frame_interval=0.001),
    )
    t.send("2+2?")
    assert t.session.state["history"][0]["content"] == "<think>Let me consider.</think>The answer is 4."
    assert [(x["title"], x["status"], x["content"]) for x in t.thoughts] == [
        ("Thinking", "done", "Let me consider.")
    ]
    assert t.messages == [{"role": "assistant", "content": "The answer is 4."}]
    streamed = t.nodes("thought")
    before = len(t.ops)
    t.session.request_rerun()
    t.wait()
    assert [op for op in t.ops[before:] if op[0] not in (RUN, MOV)] == []  # only the input may move
    assert t.nodes("thought") == streamed  # same ids, same props: the stored reply re-declares it exactly
