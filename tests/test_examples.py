from __future__ import annotations

import pathlib

from reactchat.config import Config
from reactchat.testing import ChatTest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def test_every_example_has_a_test() -> None:
    tested = {"echo.py", "stream.py", "thoughts.py", "media.py", "display.py", "feedback.py", "options.py",
              "multimodal.py", "settings.py", "random_responder.py", "alternating_agree.py", "slow_echo.py", "yes_man.py", "image_counter.py", "system_prompt.py", "audio_and_files.py", "preset_options.py", "tool_thoughts.py", "voting.py", "blocks_streaming.py", "blocks_multimodal.py", "llm_client.py", "conversations.py", "one_gpu.py", "openai_tools.py", "anthropic_thinking.py", "langgraph_agent.py", "pydantic_ai_agent.py", "openai_agent.py", "mcp_tools.py", "mcp_server.py"}  # fmt: skip
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
    assert t.rendered[-1] == {"role": "assistant", "content": "You typed: hi"}
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
    assert t.rendered[-1]["content"] == "Here is what I found about tides: three results."
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
    assert "--accent:#0d9488" in chat["theme"]["css"] and "--radius:10px" in chat["theme"]["css"]
    t.send("what is Euler's identity?")
    html = t.texts()[-1]["html"]
    assert '<span class="math-inline">e^{i\\pi} + 1 = 0</span>' in html
    assert '<span class="math-display">e^{i\\pi} + 1 = 0</span>' in html
    assert "Prices like $5 and $10 stay as text." in html
    assert '<pre class="highlight"><code class="language-python">' in html


def test_feedback() -> None:
    t = ChatTest.from_file(EXAMPLES / "feedback.py")
    t.send("hello")
    t.feedback(1, "Like")
    assert t.session.state["votes"] == [(1, "Like")] and t.nodes("message")[1][2]["feedback"] == "Like"
    assert "1 feedback click(s) so far; last: Like" in t.texts()[-1]["html"]
    t.retry(1)
    assert t.messages[1]["content"] == "Certainly! You said: hello"
    t.edit(0, "bonjour")
    assert [m["content"] for m in t.messages] == ["bonjour", "Sure! You said: bonjour"]
    t.undo(1)
    assert t.messages == [] and t.nodes("chat_input")[0][2]["value"] == "bonjour"
    t.send("again")
    t.clear()
    assert t.messages == []
    chat = t.nodes("chat")[0][2]
    assert chat["watermark"] == "Generated with reactchat" and chat["actions"]["edit"] == "user"


def test_options() -> None:
    t = ChatTest.from_file(EXAMPLES / "options.py")
    assert [e.get("display_text", e["text"]) for e in t.nodes("chat")[0][2]["examples"]] == [
        "What can you do?", "🎨 Choose a colour"]  # fmt: skip
    t.click_example(1)
    assert t.messages[-1]["content"] == "Which one?"
    t.click_option(2)
    assert [m["content"] for m in t.messages[-2:]] == ["Blue", "Blue it is!"]


def test_multimodal() -> None:
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    t = ChatTest.from_file(EXAMPLES / "multimodal.py")
    t.send(
        "two files",
        files=[("pic.png", png.getvalue(), "image/png"), ("notes.txt", b"hello notes", "text/plain")],
    )
    assert t.errors == []
    assert t.messages[-1]["content"].startswith("You sent 1 image(s) and 1 text file(s).")
    assert "'hello notes'" in t.messages[-1]["content"]
    assert len(t.nodes("image")) == 1 and t.nodes("file")[0][2]["name"] == "notes.txt"


def test_settings() -> None:
    t = ChatTest.from_file(EXAMPLES / "settings.py", config=Config(frame_interval=0.001))
    assert [w[2]["label"] for w in t.nodes("sidebar")[0][3]] == [
        "System prompt", "Temperature", "Max words", "Style", "Stream the answer", "Clear chat"]  # fmt: skip
    t.set("Style", "shouting").set("Max words", 4)
    t.send("hi")
    assert t.rendered[-1]["content"] == "[YOU ARE A HELPFUL"
    t.set("Stream the answer", False).set("Style", "plain")
    t.send("bye")
    assert t.rendered[-1]["content"] == "[You are a helpful"
    t.click("Clear chat")
    assert t.messages == []


def test_conversations_are_kept_and_come_back_after_a_restart() -> None:
    t = ChatTest.from_file(EXAMPLES / "conversations.py")
    t.session.state["delay"] = 0
    t.send("remember the milk")
    assert t.messages[-1]["content"].startswith("You wrote **remember the milk** (message 1")
    assert t.restart().messages[0]["content"] == "remember the milk"
    t.send("and eggs")
    assert "message 3 of this conversation" in t.messages[-1]["content"]


def test_the_readmes_first_app_runs_as_written(tmp_path: pathlib.Path) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    code = readme.split("## Your first app", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "bot.py").write_text(code)
    t = ChatTest.from_file(tmp_path / "bot.py")
    t.send("hi")
    assert t.messages == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "You said: hi"},
    ]
    assert t.reload().messages[-1]["content"] == "You said: hi"


def test_one_gpu_queues_the_second_tab_and_replays_a_cached_example() -> None:
    first = ChatTest.from_file(EXAMPLES / "one_gpu.py", config=Config(frame_interval=0.001))
    second = ChatTest.from_file(EXAMPLES / "one_gpu.py", config=Config(frame_interval=0.001))
    try:
        first.session.state["delay"] = 0.01
        second.session.state["delay"] = 0.001
        first.send("a", wait=False).wait_for(lambda t: len(t.messages) == 2)  # answering, slowly
        second.send("b", wait=False).wait_for(lambda t: [n[2] for n in t.nodes("queue")] == [{"ahead": 0}])
        first.wait()
        second.wait()
        assert second.nodes("queue") == []
        assert second.messages[-1]["content"] == "After some thought about 'b': one step at a time."
        second.clear().click_example(0)
        answer = second.messages[-1]["content"]
        assert answer == "After some thought about 'What is a queue?': one step at a time."
        second.session.state["delay"] = 10  # a replay does not call the model at all
        second.clear().click_example(0)
        assert second.messages[-1]["content"] == answer
    finally:
        first.close()
        second.close()


def test_openai_tools_calls_the_tool_then_answers() -> None:
    t = ChatTest.from_file(EXAMPLES / "openai_tools.py", config=Config(frame_interval=0.001))
    t.send("weather in Tokyo?")
    assert t.errors == []
    assert [(x["title"][:12], x["status"]) for x in t.thoughts] == [
        ("Thought for ", "done"),
        ("get_weather", "done"),
    ]
    assert t.thoughts[1]["content"] == '{"city": "tokyo"}'
    assert t.rendered[-1]["content"] == "It is 24 °C and raining there right now."
    assert t.nodes("message")[-1][2]["usage"] == {"input_tokens": 80, "output_tokens": 9, "model": "stand-in"}
    t.send(
        "and Paris?"
    )  # the history shows the first turn's thoughts again, and the model saw the tool result
    assert len(t.thoughts) == 4 and t.rendered[-1]["content"] == "It is 14 °C and cloudy there right now."


def test_anthropic_thinking() -> None:
    t = ChatTest.from_file(EXAMPLES / "anthropic_thinking.py", config=Config(frame_interval=0.001))
    t.send("why?")
    assert t.errors == [] and t.thoughts[0]["content"] == "The user asks: 'why?'. I answer briefly."
    assert t.rendered[-1]["content"] == "You asked: why?. That is a good question."
    assert t.nodes("message")[-1][2]["usage"] == {
        "input_tokens": 12,
        "output_tokens": 30,
        "model": "stand-in",
    }


def test_langgraph_agent_shows_the_tool_and_its_failure() -> None:
    t = ChatTest.from_file(EXAMPLES / "langgraph_agent.py", config=Config(frame_interval=0.001))
    t.send("Rome")
    (tool,) = t.thoughts
    assert tool["title"] == "lookup" and tool["status"] == "done" and "Rome: an article" in tool["content"]
    assert t.rendered[-1]["content"] == "Here is what I found: Rome: an article of 1,200 words."
    t.send("Atlantis")
    assert t.thoughts[-1]["status"] == "error" and "no article about Atlantis" in t.thoughts[-1]["content"]
    assert t.thoughts[0] == tool  # the first turn, shown again from the history


def test_pydantic_ai_agent() -> None:
    t = ChatTest.from_file(EXAMPLES / "pydantic_ai_agent.py", config=Config(frame_interval=0.001))
    t.send("roll a d20")
    assert t.errors == []
    reasoning, tool = t.thoughts
    assert reasoning["content"] == "The user wants a roll; I will roll a d20."
    assert tool["title"] == "roll" and [x for x in tool["content"].splitlines() if x] == [
        '{"die": "d20"}',
        "17",
    ]
    assert t.rendered[-1]["content"] == "You rolled a 17."
    t.send("now a d6")
    assert len(t.thoughts) == 4 and t.rendered[-1]["content"] == "You rolled a 4."


def test_openai_agent() -> None:
    t = ChatTest.from_file(EXAMPLES / "openai_agent.py", config=Config(frame_interval=0.001))
    t.send("capital of Peru?")
    assert t.errors == []
    (tool,) = t.thoughts
    assert tool["title"] == "capital" and [x for x in tool["content"].splitlines() if x] == [
        '{"country": "peru"}',
        "Lima",
    ]
    assert t.rendered[-1]["content"] == "The capital is Lima."
    assert t.nodes("message")[-1][2]["usage"] == {
        "input_tokens": 80,
        "output_tokens": 24,
        "model": "stand-in",
    }
