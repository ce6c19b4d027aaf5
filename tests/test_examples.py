from __future__ import annotations

import pathlib

from reactchat.config import Config
from reactchat.testing import ChatTest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def test_every_example_has_a_test() -> None:
    tested = {"echo.py", "stream.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_echo() -> None:
    t = ChatTest.from_file(EXAMPLES / "echo.py")
    assert t.title == "Echo" and t.messages == []
    t.send("hello")
    t.send("again")
    assert t.messages == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "You said: hello"},
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": "You said: again"},
    ]


def test_stream_streams_character_by_character_and_stop_keeps_the_partial_answer() -> None:
    t = ChatTest.from_file(EXAMPLES / "stream.py", config=Config(frame_interval=0.001))
    t.session.state["delay"] = 0.001
    t.send("hi")
    assert t.messages[-1] == {"role": "assistant", "content": "You typed: hi"}
    t.session.state["delay"] = 0.05
    t.send("a long message", wait=False)
    t.wait_for(lambda t: len(t.messages) == 4 and len(t.messages[-1]["content"]) >= 3)
    t.stop().wait()
    partial = t.messages[-1]["content"]
    assert 3 <= len(partial) < len("You typed: a long message")
    assert t.session.state["history"][-1]["content"].startswith(partial[:3])
