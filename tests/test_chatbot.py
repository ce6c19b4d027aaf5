from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import reactchat as rc
from reactchat.config import Config
from reactchat.testing import ChatTest


def contents(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.messages]


def test_a_function_returning_text() -> None:
    seen: list[list[dict[str, Any]]] = []

    def echo(message: str, history: list[dict[str, Any]]) -> str:
        seen.append(history)
        history.append({"role": "user", "content": "corrupting my copy"})
        return f"You said: {message}"

    t = ChatTest.from_function(echo, title="Echo")
    t.send("one")
    t.send("two")
    assert contents(t) == ["one", "You said: one", "two", "You said: two"]
    assert seen[1][:2] == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "You said: one"},
    ]
    assert t.title == "Echo"


def test_generators_yield_the_whole_reply_so_far_and_stream() -> None:
    def slow_echo(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        for i in range(len(message)):
            time.sleep(0.005)
            yield "You typed: " + message[: i + 1]

    t = ChatTest.from_function(slow_echo, config=Config(frame_interval=0.001))
    t.send("streaming", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and t.messages[1]["content"].startswith("You typed: str"))
    t.wait()
    assert contents(t) == ["streaming", "You typed: streaming"]


def test_async_functions_and_non_prefix_yields() -> None:
    async def answer(message: str, history: list[dict[str, Any]]) -> str:
        await asyncio.sleep(0)
        return message.upper()

    def rewrite(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        yield "draft"
        yield "final answer"

    assert contents(ChatTest.from_function(answer).send("hi")) == ["hi", "HI"]
    assert contents(ChatTest.from_function(rewrite).send("hi")) == ["hi", "final answer"]


def test_retry_undo_edit_clear_options_feedback_are_built_in() -> None:
    calls = []

    def bot(message: str, history: list[dict[str, Any]]) -> Any:
        calls.append(message)
        if message == "colour?":
            return rc.ChatMessage(content="Pick one", options=[{"value": "red"}, {"value": "blue"}])
        return f"answer {len(calls)} to {message}"

    t = ChatTest.from_function(bot, feedback=True, editable=True)
    t.send("a")
    t.retry(1)
    assert contents(t) == ["a", "answer 2 to a"]
    t.edit(0, "b")
    assert contents(t) == ["b", "answer 3 to b"]
    t.send("colour?")
    t.click_option(1)
    assert contents(t)[-2:] == ["blue", "answer 5 to blue"]
    t.feedback(1, "Like")
    assert t.nodes("message")[1][2]["feedback"] == "Like"
    t.undo(5)
    assert contents(t) == ["b", "answer 3 to b", "colour?", "Pick one"]
    assert t.nodes("chat_input")[0][2]["value"] == "blue"
    t.clear()
    assert contents(t) == []


def test_examples_and_additional_inputs() -> None:
    def bot(message: str, history: list[dict[str, Any]], system: str, temperature: float) -> str:
        return f"[{system} @ {temperature}] {message}"

    t = ChatTest.from_function(
        bot,
        examples=["hello", "bye"],
        example_labels=["Say hello", "Say bye"],
        additional_inputs=[
            lambda: rc.text_area("System", "Be brief."),
            lambda: rc.slider("Temperature", 0.0, 1.0, 0.5),
        ],
    )
    assert [e["display_text"] for e in t.nodes("chat")[0][2]["examples"]] == ["Say hello", "Say bye"]
    t.click_example(1)
    assert contents(t) == ["bye", "[Be brief. @ 0.5] bye"]
    t.set("Temperature", 0.9)
    t.send("again")
    assert contents(t)[-1] == "[Be brief. @ 0.9] again"


def test_multimodal_files_are_messages_in_the_history() -> None:
    def count(message: dict[str, Any], history: list[dict[str, Any]]) -> str:
        files = len(message["files"]) + sum(isinstance(m["content"], dict) for m in history)
        return f"{files} file(s) so far"

    t = ChatTest.from_function(count, multimodal=True)
    t.send("one", files=[("a.txt", b"x", "text/plain")])
    t.send("two", files=[("b.txt", b"y", "text/plain"), ("c.txt", b"z", "text/plain")])
    assert contents(t)[-1] == "3 file(s) so far"


def test_stop_keeps_the_partial_reply_in_the_history() -> None:
    def forever(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        text = ""
        for i in range(1000):
            time.sleep(0.01)
            text += f"w{i} "
            yield text

    t = ChatTest.from_function(forever, config=Config(frame_interval=0.001))
    t.send("go", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and "w3" in t.messages[1]["content"])
    t.stop().wait()
    partial = t.messages[1]["content"]
    t.send("next", wait=False)
    t.wait_for(lambda t: len(t.messages) == 4)
    t.stop().wait()
    assert t.messages[1]["content"] == partial


def test_example_rows_set_the_additional_inputs() -> None:
    def bot(message: str, history: list[dict[str, Any]], system: str, tone: str) -> str:
        return f"[{system}/{tone}] {message}"

    t = ChatTest.from_function(
        bot,
        examples=[["Hi", "Be brief.", "fun"], "Plain"],
        additional_inputs=[
            lambda: rc.text_input("System", "default"),
            lambda: rc.selectbox("Tone", ["plain", "fun"]),
        ],
    )
    # A card shows the message only: the inputs' raw values are not text for the user to read.
    assert t.nodes("chat")[0][2]["examples"] == [{"text": "Hi"}, {"text": "Plain"}]
    t.click_example(0)
    assert contents(t)[-1] == "[Be brief./fun] Hi"
    assert {w[2]["label"]: w[2]["value"] for w in t.nodes("widget")} == {"System": "Be brief.", "Tone": 1}
    t.send("next")  # the row's values stay set
    assert contents(t)[-1] == "[Be brief./fun] next"


def test_async_generators_stream() -> None:
    async def count(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        for i in range(1, 4):
            await asyncio.sleep(0)
            yield f"{message} {i}"

    t = ChatTest.from_function(count)
    t.send("n")
    assert contents(t) == ["n", "n 3"]
    assert t.session.state["__reactchat_chat_interface__"]["history"][-1] == {
        "role": "assistant",
        "content": "n 3",
    }


def test_generators_may_yield_messages_each_replacing_the_reply_so_far() -> None:
    import threading

    step = threading.Event()

    def agent(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        thought = rc.ChatMessage(
            content="calling the tool", metadata={"title": "Weather tool", "status": "pending"}
        )
        yield [thought]
        step.wait(5)
        done = rc.ChatMessage(
            content="14 °C", metadata={"title": "Weather tool", "status": "done", "duration": 0.4}
        )
        yield [done, rc.ChatMessage(content="It is 14 °C.")]

    t = ChatTest.from_function(agent, config=Config(frame_interval=0.001))
    t.send("weather?", wait=False)
    t.wait_for(lambda t: [x.get("status") for x in t.thoughts] == ["pending"])
    step.set()
    t.wait()
    assert [(x["title"], x["status"]) for x in t.thoughts] == [("Weather tool", "done")]
    assert contents(t) == ["weather?", "It is 14 °C."]
    history = t.session.state["__reactchat_chat_interface__"]["history"]
    assert [m.get("metadata", {}).get("status") for m in history] == [None, "done", None]
    t.retry(1)  # positions still map to history entries across thoughts
    assert contents(t) == ["weather?", "It is 14 °C."] and len(t.thoughts) == 1


@pytest.mark.parametrize("stored", [True, False])
def test_retry_replaces_the_answer_from_the_first_moment(stored: bool) -> None:
    gate, calls = threading.Event(), []

    def agent(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        calls.append(message)
        yield [rc.ChatMessage(content="looking", metadata={"title": "Search", "status": "pending"})]
        if len(calls) > 1:
            gate.wait(5)
        done = rc.ChatMessage(content="found", metadata={"title": "Search", "status": "done"})
        yield [done, rc.ChatMessage(content=f"answer {len(calls)}")]

    t = ChatTest.from_function(agent, stored=stored, config=Config(frame_interval=0.001))
    t.send("hi")
    assert contents(t) == ["hi", "answer 1"]
    t.retry(wait=False)
    t.wait_for(lambda t: len(calls) == 2 and any(x["status"] == "pending" for x in t.thoughts))
    # Neither the old answer's text nor its done thought shows beside the new pending one.
    assert [x["status"] for x in t.thoughts] == ["pending"]
    assert contents(t) == ["hi"]
    gate.set()
    t.wait()
    assert contents(t) == ["hi", "answer 2"] and [x["status"] for x in t.thoughts] == ["done"]
    t.retry()  # the stored answer is known by its messages: a second retry answers again
    assert contents(t) == ["hi", "answer 3"]


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("streamed", [True, False])
def test_a_like_stays_with_its_answer_after_retry(stored: bool, streamed: bool) -> None:
    calls = []

    def bot(message: str, history: list[dict[str, Any]]) -> Any:
        calls.append(message)
        text = f"answer {len(calls)}"
        return (part for part in (text[:3], text)) if streamed else text

    t = ChatTest.from_function(bot, stored=stored, feedback=True)
    t.send("hi").feedback(1, "Like")
    assert t.nodes("message")[1][2].get("feedback") == "Like"
    t.retry()
    assert contents(t) == ["hi", "answer 2"]
    assert t.nodes("message")[1][2].get("feedback") is None


def test_a_function_that_returns_nothing_shows_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def forgetful(message: str, history: list[dict[str, Any]]) -> None:
        answer = f"You said: {message}"  # the forgotten return this test is about
        del answer

    with caplog.at_level(logging.WARNING, logger="reactchat"):
        t = ChatTest.from_function(forgetful).send("hi")
    assert [e["type"] for e in t.errors] == ["Warning"]
    assert "forgetful" in t.errors[0]["message"] and "return or yield" in t.errors[0]["message"]
    assert "forgetful" in caplog.text


def test_additional_inputs_may_be_values_of_widgets_declared_before() -> None:
    def bot(message: str, history: list[dict[str, Any]], system: str, temperature: float) -> str:
        return f"[{system} @ {temperature}] {message}"

    t = ChatTest.from_source(
        "import reactchat as rc\n"
        "with rc.sidebar:\n"
        "    system = rc.text_area('System', 'Be brief.')\n"
        "    temperature = rc.slider('Temperature', 0.0, 1.0, 0.5)\n"
        "rc.chat_interface(bot, additional_inputs=[system, temperature], examples=[['hot', 'Be hot.', 0.9]])\n",
        names={"bot": bot},
    )
    assert t.errors == []
    t.click_example(0)  # the example row's values reach the function and show in the widgets
    assert contents(t) == ["hot", "[Be hot. @ 0.9] hot"]
    assert [w[2]["value"] for w in t.nodes("widget")] == ["Be hot.", 0.9]
    t.set("Temperature", 0.2).send("again")
    assert contents(t)[-1] == "[Be hot. @ 0.2] again"


def test_feedback_options_is_feedback_under_gradio_s_name() -> None:
    t = ChatTest.from_function(lambda message, history: "ok", feedback_options=["Good", "Bad", "Off topic"])
    assert t.nodes("chat")[0][2]["feedback_options"] == ["Good", "Bad", "Off topic"]


def test_a_chat_function_can_return_or_yield_a_model_librarys_stream(write_app: Callable[[str], str]) -> None:
    from reactchat.replay import ReplayServer
    from tests.model_streams import CHAT

    with ReplayServer(CHAT) as server:
        source = f"""
        import openai
        import reactchat as rc
        client = openai.OpenAI(base_url={server.url!r}, api_key="none", max_retries=0)
        def create(message):
            return client.chat.completions.create(model="m", messages=[{{"role": "user", "content": message}}], stream=True, stream_options={{"include_usage": True}})
        def returned(message, history):
            return create(message)
        def yielded(message, history):
            yield from create(message)
        rc.chat_interface(returned if rc.session_state.setdefault("turn", 0) == 0 else yielded)
        """
        t = ChatTest.from_file(write_app(source))
        t.send("weather?")
        t.session.state["turn"] = 1
        t.send("again")
    assert t.errors == []
    assert [m["content"] for m in t.messages] == ["weather?", "Let me check.", "again", "Let me check."]
    assert [th["title"] for th in t.thoughts][1::2] == ["get_weather", "get_weather"]
    assert t.nodes("message")[-1][2]["usage"]["output_tokens"] == 17


@pytest.mark.parametrize("stored", [True, False])
def test_max_chars_reaches_the_chat_interface_s_input(stored: bool) -> None:
    t = ChatTest.from_function(lambda m, h: m, max_chars=8, stored=stored)
    assert t.nodes("chat_input")[0][2]["max_chars"] == 8
    t.send("far too long a message")
    assert t.messages == []  # refused, with a notice: the words go back into the input
    t.send("short")
    assert [m["content"] for m in t.messages] == ["short", "short"]
