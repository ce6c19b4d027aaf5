"""The example apps ported from the reference chat-UI guides, each driven headlessly through ChatTest."""

from __future__ import annotations

import csv
import http.server
import io
import json
import pathlib
import random
import struct
import threading
import wave
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from reactchat.config import Config
from reactchat.ops import APP, TXT, Op
from reactchat.testing import ChatTest, html_text

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
FAST = Config(frame_interval=0.001)


def contents(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.rendered]


def history(t: ChatTest) -> list[dict[str, Any]]:
    """The history rc.chat_interface keeps in session state."""
    return t.session.state["__reactchat_chat_interface__"]["history"]  # type: ignore[no-any-return]


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def is_html_append(op: Op) -> bool:
    """An op that appends to a markdown node's HTML: APP of ``html``, or TXT (its short form)."""
    return op[0] == TXT or (op[0] == APP and op[2] == "html")


def streamed(t: ChatTest, index: int, final: str) -> list[str]:
    """Take frames until message ``index`` shows ``final``; returns every distinct text it showed on the way."""
    seen: list[str] = []

    def done(t: ChatTest) -> bool:
        if len(t.messages) > index:
            text = t.messages[index]["content"]
            if not seen or seen[-1] != text:
                seen.append(text)
            return text == final
        return False

    t.wait_for(done)
    t.wait()
    return seen


# -- chat_interface basics ---------------------------------------------------------------------------------


def test_random_responder_answers_yes_or_no_whatever_is_asked() -> None:
    random.seed(4)
    t = ChatTest.from_file(EXAMPLES / "random_responder.py")
    assert t.title == "Random responder"
    for question in ("Will it rain?", "Is 2 prime?", "Should I?", "Really?", "Sure?", "Why?", "What?", "Ok?"):
        t.send(question)
    replies = contents(t)[1::2]
    assert len(replies) == 8 and set(replies) == {"Yes", "No"}
    assert contents(t)[0::2][:2] == ["Will it rain?", "Is 2 prime?"] and t.errors == []


def test_alternating_agree_follows_the_history_through_retry_undo_and_edit() -> None:
    t = ChatTest.from_file(EXAMPLES / "alternating_agree.py")
    t.send("cats are great").send("dogs are great").send("fish are great")
    assert contents(t)[1::2] == ["Yes, I do think that: cats are great", "I don't think so",
                                 "Yes, I do think that: fish are great"]  # fmt: skip
    t.retry()  # the same history before it, so the same answer
    assert contents(t)[-1] == "Yes, I do think that: fish are great"
    t.undo()
    assert len(t.messages) == 4 and t.nodes("chat_input")[0][2]["value"] == "fish are great"
    t.edit(2, "birds are great")  # the second answer again: one assistant reply before it
    assert contents(t)[2:] == ["birds are great", "I don't think so"]
    assert t.nodes("chat")[0][2]["actions"]["edit"] == "user"


def test_slow_echo_streams_the_whole_reply_so_far_as_diffs() -> None:
    t = ChatTest.from_file(EXAMPLES / "slow_echo.py", config=FAST)
    before = len(t.ops)
    t.send("stream", wait=False)
    seen = streamed(t, 1, "You typed: stream")
    assert "You typed: s" in seen and len(seen) >= 3  # it showed partial replies on the way
    assert all("You typed: stream".startswith(s) for s in seen)
    appended = [op[2] if op[0] == TXT else op[3] for op in t.ops[before:] if is_html_append(op)]
    # Each yield's new characters, appended (the block is declared with the first, which its insertion may
    # carry when both go out in one frame).
    assert "<p>You typed: stream</p>\n".endswith("".join(appended))
    # After the first piece, each frame carries only new characters (a few at this pace: see
    # stream.TOKENS_PER_FRAME), never the reply so far again; the closing tags come last.
    assert len(appended) >= 3 and all(len(a) < len("You typed: ") for a in appended[1:])
    assert history(t)[-1] == {"role": "assistant", "content": "You typed: stream"}


def test_slow_echo_stop_keeps_the_partial_reply() -> None:
    t = ChatTest.from_file(EXAMPLES / "slow_echo.py", config=FAST)
    t.send("x" * 200, wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"].startswith("You typed: xx"))
    t.stop().wait()
    partial = t.messages[1]["content"]
    assert t.run_state == "stopped" and len(partial) < len("You typed: ") + 200
    assert history(t)[-1] == {"role": "assistant", "content": partial}


def test_yes_man_has_a_title_description_placeholder_height_and_examples() -> None:
    t = ChatTest.from_file(EXAMPLES / "yes_man.py")
    chat = t.nodes("chat")[0][2]
    assert t.title == "Yes Man" and html_text(chat["description"]) == "Ask Yes Man any question."
    assert chat["placeholder"] == "<p><strong>Your Personal Yes-Man</strong></p>\n<p>Ask me anything.</p>\n"
    assert chat["height"] == 300
    assert t.nodes("chat_input")[0][2]["placeholder"] == "Ask me a yes or no question"
    assert [(e["text"], e["icon"]["emoji"]) for e in chat["examples"]] == [
        ("Hello", "👋"), ("Am I cool?", "😎"), ("Are tomatoes vegetables?", "🍅")]  # fmt: skip
    t.click_example(1)
    assert contents(t) == ["Am I cool?", "Yes"]
    t.click_example(0)
    assert contents(t)[2:] == ["Hello", "Ask me anything!"]


def test_image_counter_counts_images_in_the_message_and_the_history() -> None:
    t = ChatTest.from_file(EXAMPLES / "image_counter.py")
    t.click_example(0)
    assert contents(t) == ["No files", "You just uploaded 0 image(s), total uploaded: 0"]
    t.send("two cats", files=[("cat1.png", png(), "image/png"), ("cat2.png", png(3, 3), "image/png")])
    assert contents(t)[-1] == "You just uploaded 2 image(s), total uploaded: 2"
    t.send("one more", files=[("cat3.png", png(), "image/png")])
    assert contents(t)[-1] == "You just uploaded 1 image(s), total uploaded: 3"
    assert len(t.nodes("image")) == 3 and t.media(t.nodes("image")[1][2]["src"]) == png(3, 3)
    files = [m["content"]["path"] for m in history(t) if isinstance(m["content"], dict)]
    assert len(files) == 3 and files[0].endswith("cat1.png")  # each file is its own user message
    with pytest.raises(ValueError, match="not an accepted file type"):
        t.upload("notes.txt", b"text", "text/plain")
    assert t.errors == []


def test_system_prompt_and_slider_are_passed_to_the_streaming_function() -> None:
    t = ChatTest.from_file(EXAMPLES / "system_prompt.py", config=FAST)
    widgets = [w[2] for w in t.nodes("sidebar")[0][3]]
    assert [(w["type"], w["label"], w["value"]) for w in widgets] == [
        ("text_area", "System prompt", "You are a helpful AI."), ("slider", "Max characters", 100)]  # fmt: skip
    t.send("hi")
    assert contents(t)[-1] == "System prompt: You are a helpful AI.\nMessage: hi."
    t.set("System prompt", "Be a pirate.").set("Max characters", 20)
    t.send("ahoy", wait=False)
    seen = streamed(t, 3, "System prompt: Be a ")
    assert len(seen) > 3 and history(t)[-1]["content"] == "System prompt: Be a "


def test_system_prompt_example_rows_set_the_inputs_then_send() -> None:
    t = ChatTest.from_file(EXAMPLES / "system_prompt.py", config=FAST)
    assert [e["text"] for e in t.nodes("chat")[0][2]["examples"]] == ["Hello!", "What is 2 + 2?"]
    t.click_example(0)
    assert [w[2]["value"] for w in t.nodes("sidebar")[0][3]] == ["You are a pirate.", 40]
    reply = "System prompt: You are a pirate.\n\nMessage: Hello!."[:40]
    assert history(t)[-1]["content"] == reply and contents(t) == ["Hello!", reply.replace("\n\n", "\n")]
    t.click_example(1)  # the other row: a longer limit, so the whole reply
    assert history(t)[-1]["content"] == "System prompt: You are a maths teacher.\n\nMessage: What is 2 + 2?."
    t.send("Ahoy")  # the last example's values stay until changed
    assert history(t)[-1]["content"] == "System prompt: You are a maths teacher.\n\nMessage: Ahoy."


# -- rich replies ------------------------------------------------------------------------------------------


def test_audio_and_files_returns_a_generated_tone_and_a_csv() -> None:
    t = ChatTest.from_file(EXAMPLES / "audio_and_files.py")
    assert t.nodes("chat_input")[0][2]["placeholder"] == "Which artist's music do you want to listen to?"
    t.send("   ")
    assert contents(t) == ["", "Please provide the name of an artist."] and t.nodes("audio") == []
    t.send("Nina Simone")
    assert contents(t)[-2] == "Now playing Nina Simone (381 Hz):"
    audio = t.nodes("audio")[0][2]
    with wave.open(io.BytesIO(t.media(audio["src"]))) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 16000, 16000)
    assert audio["mime"] == "audio/wav"
    download = t.nodes("file")[0][2]
    assert (download["name"], download["mime"]) == ("set-list.csv", "text/csv")
    rows = list(csv.reader(io.StringIO(t.media(download["src"]).decode())))
    assert rows[0] == ["track", "title", "minutes"] and rows[1][1] == "Nina Simone song 1"
    assert download["size"] == len(t.media(download["src"]))
    t.send("Bach")  # the first reply's media are shown again from the history
    assert len(t.nodes("audio")) == 2 and len(t.nodes("file")) == 2 and t.errors == []
    assert t.media(t.nodes("audio")[0][2]["src"]) != t.media(t.nodes("audio")[1][2]["src"])


def test_preset_options_continue_the_conversation_when_clicked() -> None:
    t = ChatTest.from_file(EXAMPLES / "preset_options.py")
    t.click_example(0)
    reply = t.nodes("message")[-1]
    assert reply[2]["options"] == [{"value": "Yes, that's correct.", "label": "Yes"}, {"value": "No"}]
    assert 'class="language-python"' in t.texts()[-1]["html"]
    assert contents(t)[-1].endswith("Is this correct?")
    t.click_option(1)  # "No": the bot tries again, with options again
    assert contents(t)[2] == "No" and t.nodes("message")[-1][2]["options"][0]["label"] == "Yes"
    t.click_option(0)
    assert contents(t)[-2:] == ["Yes, that's correct.", "Great!"]
    assert "options" not in t.nodes("message")[-1][2]


def test_tool_thoughts_show_nested_tool_calls_then_the_answer() -> None:
    t = ChatTest.from_file(EXAMPLES / "tool_thoughts.py")
    t.send("What's the weather in Paris?")
    assert contents(t) == ["What's the weather in Paris?", "It is 14 °C and cloudy in Paris."]
    tool, request, response = t.thoughts
    assert (tool["title"], tool["status"], tool["depth"]) == ("🛠️ Used tool Weather API", "done", 0)
    assert 0.05 <= tool["duration"] < 1 and "says: It is 14 °C" in tool["content"]
    assert (request["title"], request["depth"]) == ("Request", 1)
    assert request["content"] == "GET /v1/weather?city=paris"
    assert (response["title"], response["depth"], response["log"]) == ("Response", 1, "200 OK")
    assert json.loads(response["content"]) == {"city": "Paris", "celsius": 14, "sky": "cloudy"}
    t.send("And in Tokyo?")
    assert contents(t)[-1] == "It is 24 °C and raining in Tokyo. Bring an umbrella!"
    assert [(x["title"], x["depth"]) for x in t.thoughts[3:]] == [
        ("🛠️ Used tool Weather API", 0), ("Request", 1), ("Response", 1)]  # fmt: skip
    assert "city=tokyo" in t.thoughts[4]["content"] and len(t.thoughts) == 6
    t.send("hello")
    assert contents(t)[-1] == "Ask me about the weather in New York, Paris or Tokyo." and len(t.thoughts) == 6
    assert [m.get("metadata", {}).get("title") for m in history(t)][:4] == [
        None, "🛠️ Used tool Weather API", "Request", "Response"]  # fmt: skip


def test_tool_thoughts_retry_regenerates_the_last_answer() -> None:
    t = ChatTest.from_file(EXAMPLES / "tool_thoughts.py")
    t.send("Weather in Paris?").send("Weather in Tokyo?")
    t.retry(3)
    assert contents(t) == ["Weather in Paris?", "It is 14 °C and cloudy in Paris.", "Weather in Tokyo?",
                           "It is 24 °C and raining in Tokyo. Bring an umbrella!"]  # fmt: skip


def test_voting_records_likes_and_dislikes_and_shows_the_tally() -> None:
    t = ChatTest.from_file(EXAMPLES / "voting.py")

    def sidebar() -> list[str]:
        return [html_text(n[2]["html"]) for n in t.nodes("sidebar")[0][3]]

    assert t.nodes("chat")[0][2]["feedback_options"] == ["Like", "Dislike"]
    assert sidebar() == ["Tally: 👍 0 · 👎 0"]
    t.send("Ann").send("Bob")
    assert contents(t) == ["Ann", "Hello, Ann!", "Bob", "Hello, Bob!"]
    t.feedback(1, "Like")
    assert sidebar() == ["Tally: 👍 1 · 👎 0", "You upvoted this response: Hello, Ann!"]
    t.feedback(3, "Dislike")
    assert sidebar() == ["Tally: 👍 1 · 👎 1", "You downvoted this response: Hello, Bob!"]
    t.feedback(1, "Dislike")  # a changed vote moves, it does not add up
    assert sidebar()[0] == "Tally: 👍 0 · 👎 2"
    t.feedback(3, None)
    assert sidebar() == ["Tally: 👍 0 · 👎 1", "You took back your vote on: Hello, Bob!"]
    assert [m[2].get("feedback") for m in t.nodes("message")] == [None, "Dislike", None, None]
    t.send("Cy")  # votes survive the next turn
    assert sidebar()[0] == "Tally: 👍 0 · 👎 1" and t.nodes("message")[1][2]["feedback"] == "Dislike"


# -- Blocks-style apps as plain scripts --------------------------------------------------------------------

BOT_REPLIES = ("How are you?", "Today is a great day", "I'm very hungry")


def test_blocks_streaming_shows_the_user_message_at_once_and_streams_the_reply() -> None:
    t = ChatTest.from_file(EXAMPLES / "blocks_streaming.py", config=FAST)
    assert t.nodes("chat")[0][2]["actions"]["clear"] is True
    random.seed(1)
    expected = random.choice(BOT_REPLIES)
    random.seed(1)
    t.send("Hello bot", wait=False)
    seen = streamed(t, 1, expected)
    assert t.messages[0] == {"role": "user", "content": "Hello bot"}
    assert len(seen) >= len(expected) // 2 and all(expected.startswith(s) for s in seen)
    t.send("again")
    assert contents(t)[2] == "again" and contents(t)[3] in BOT_REPLIES
    assert t.session.state["history"][:2] == [{"role": "user", "content": "Hello bot"},
                                              {"role": "assistant", "content": expected}]  # fmt: skip
    t.clear()
    assert t.messages == [] and t.session.state["history"] == []


def test_blocks_multimodal_shows_each_file_as_a_message_then_streams_a_reply() -> None:
    t = ChatTest.from_file(EXAMPLES / "blocks_multimodal.py", config=FAST)
    assert t.nodes("chat_input")[0][2]["multimodal"] and t.nodes("chat")[0][2]["feedback_on_user"]
    t.send("Look at these", files=[("cat.png", png(), "image/png"), ("notes.txt", b"purr", "text/plain")])
    assert [m["role"] for m in t.messages] == ["user", "user", "user", "assistant"]
    assert contents(t)[2:] == ["Look at these", "That's cool!"]
    assert "<strong>That's cool!</strong>" in t.texts()[-1]["html"]
    assert t.media(t.nodes("image")[0][2]["src"]) == png()
    download = t.nodes("file")[0][2]
    assert t.media(download["src"]) == b"purr" and download["name"].endswith("notes.txt")
    t.send("", files=[("beep.wav", b"RIFF0000WAVE", "audio/wav")])  # files only: no text message
    assert [m["role"] for m in t.messages[4:]] == ["user", "assistant"] and len(t.nodes("audio")) == 1
    t.send("just text")
    assert contents(t)[-2:] == ["just text", "That's cool!"]
    t.feedback(0, "Like").feedback(3, "Dislike")
    assert t.session.state["votes"] == [(0, "user", "Like"), (3, "assistant", "Dislike")]
    assert t.errors == []


# -- a real LLM client over HTTP ---------------------------------------------------------------------------


class FakeOpenAI(http.server.ThreadingHTTPServer):
    """An OpenAI-compatible /v1/chat/completions that streams a fixed answer; it pauses after the second
    chunk until ``resume`` is set, so a test can look at the half-streamed reply."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.requests: list[dict[str, Any]] = []
        self.resume = threading.Event()
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class FakeHandler(http.server.BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers.get("Authorization")
        self.server.requests.append({"path": self.path, "auth": auth, "body": body})
        if self.server.status != 200:
            self.send_response(self.server.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "Incorrect API key provided"}}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.event(": keep-alive\n\n")
        self.chunk({"role": "assistant"})
        self.chunk({"content": "Hello"})
        self.chunk({"content": " from"})
        self.server.resume.wait(10)
        # one event whose data spans two lines
        self.event('data: {"choices": [{"index": 0,\ndata: "delta": {"content": " the fake"}}]}\n\n')
        self.chunk({"content": " server."})
        self.event('data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
        self.event("data: [DONE]\n\n")

    def chunk(self, delta: dict[str, Any]) -> None:
        self.event(f"data: {json.dumps({'choices': [{'index': 0, 'delta': delta}]})}\n\n")

    def event(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_MODEL", "fake-model")
    yield server
    server.resume.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_llm_client_without_a_base_url_explains_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    t = ChatTest.from_file(EXAMPLES / "llm_client.py")
    assert [m["role"] for m in t.messages] == ["assistant"] and t.errors == []
    explanation = t.rendered[0]["content"]
    assert explanation.startswith("No model server is configured.")
    assert all(name in explanation for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"))
    t.send("hello")
    assert contents(t) == [explanation, "hello", explanation] and t.errors == []


def test_llm_client_streams_from_an_openai_compatible_server(fake_openai: FakeOpenAI) -> None:
    t = ChatTest.from_file(EXAMPLES / "llm_client.py", config=FAST)
    assert t.messages == [] and "fake-model" in html_text(t.nodes("chat")[0][2]["description"])
    t.set("System prompt", "Answer briefly.")
    t.send("Hi there", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"] == "Hello from")
    assert t.run_state == "running"  # the server is holding the rest back: this is a live stream
    fake_openai.resume.set()
    t.wait()
    assert contents(t) == ["Hi there", "Hello from the fake server."] and t.errors == []
    request = fake_openai.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "fake-model" and request["body"]["stream"] is True
    assert request["body"]["temperature"] == 0.7
    assert request["body"]["messages"] == [{"role": "system", "content": "Answer briefly."},
                                           {"role": "user", "content": "Hi there"}]  # fmt: skip
    t.send("And again?")
    assert fake_openai.requests[1]["body"]["messages"][1:] == [
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello from the fake server."},
        {"role": "user", "content": "And again?"},
    ]
    assert contents(t)[-1] == "Hello from the fake server."


def test_llm_client_stop_keeps_the_partial_answer(fake_openai: FakeOpenAI) -> None:
    t = ChatTest.from_file(EXAMPLES / "llm_client.py", config=FAST)
    t.send("Tell me a story", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"] == "Hello from")
    t.stop().wait()  # while the server is still holding the rest back
    assert t.run_state == "stopped" and contents(t) == ["Tell me a story", "Hello from"]
    kept = t.restart().messages
    assert kept == [
        {"role": "user", "content": "Tell me a story"},
        {"role": "assistant", "content": "Hello from"},
    ]
    assert t.nodes("message")[-1][2]["status"] == "stopped"


def test_llm_client_shows_a_refused_request_and_keeps_it_out_of_the_history(fake_openai: FakeOpenAI) -> None:
    fake_openai.status = 401
    t = ChatTest.from_file(EXAMPLES / "llm_client.py")
    t.send("Hi")
    assert contents(t)[-1].startswith("⚠️ Request failed: the server answered HTTP 401")
    assert "Incorrect API key provided" in contents(t)[-1] and t.errors == []
    fake_openai.status = 200
    t.send("Hello?", wait=False)
    t.wait_for(lambda t: len(fake_openai.requests) == 2)
    fake_openai.resume.set()
    t.wait()
    assert fake_openai.requests[1]["body"]["messages"][1:] == [{"role": "user", "content": "Hello?"}]
