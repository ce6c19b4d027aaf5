from __future__ import annotations

import pathlib

from reactchat.config import Config
from reactchat.testing import ChatTest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def test_every_example_has_a_test() -> None:
    tested = {"echo.py", "stream.py", "thoughts.py", "media.py", "display.py"}
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


def test_thoughts() -> None:
    t = ChatTest.from_file(EXAMPLES / "thoughts.py", config=Config(frame_interval=0.001))
    t.send("tides")
    assert [(x["title"], x["status"]) for x in t.thoughts] == [
        ("Searching the web", "done"),
        ("Thinking", "done"),
    ]
    assert t.thoughts[0]["log"] == "query: tides · 3 results" and "tides result 3" in t.thoughts[0]["content"]
    assert t.messages[-1]["content"] == "Here is what I found about tides: three results."
    t.send("again")  # the history re-shows the first turn's thoughts from stored messages
    assert [x["title"] for x in t.thoughts][:2] == ["Searching the web", "Thinking"]
    assert len(t.thoughts) == 4 and t.errors == []


def test_media() -> None:
    import io

    from PIL import Image

    t = ChatTest.from_file(EXAMPLES / "media.py")
    assert "Type" in t.nodes("chat")[0][2]["placeholder"]
    for word in ("image", "audio", "plot", "file", "gallery"):
        t.send(word)
    assert t.errors == []
    image = t.nodes("image")[0][2]
    assert Image.open(io.BytesIO(t.media(image["src"]))).size == (96, 64) and image["caption"] == "96 x 64"
    assert t.media(t.nodes("audio")[0][2]["src"]).startswith(b"RIFF")
    assert t.nodes("image")[1][2]["alt"] == "a sine wave"
    assert t.nodes("file")[0][2]["name"] == "scores.csv"
    assert [i["caption"] for i in t.nodes("gallery")[0][2]["items"]] == ["small", "wide"]
    assert t.messages[0] == {"role": "user", "content": "image"}


def test_display() -> None:
    t = ChatTest.from_file(EXAMPLES / "display.py")
    chat = t.nodes("chat")[0][2]
    assert chat["layout"] == "panel" and chat["avatars"]["assistant"] == {"emoji": "🤖"}
    assert chat["show_timestamps"] and t.title == "Display options"
    t.send("what is Euler's identity?")
    html = t.nodes("markdown")[-1][2]["html"]
    assert '<span class="math-inline">e^{i\\pi} + 1 = 0</span>' in html
    assert '<span class="math-display">e^{i\\pi} + 1 = 0</span>' in html
    assert "Prices like $5 and $10 stay as text." in html
    assert '<pre class="highlight"><code class="language-python">' in html
