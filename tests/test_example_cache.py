from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from reactchat.chatbot import ChatFunction
from reactchat.example_cache import ExampleCache
from reactchat.testing import ChatTest


def contents(t: ChatTest) -> list[Any]:
    return [m["content"] for m in t.messages]


def test_a_cached_example_answers_without_calling_the_function() -> None:
    calls: list[str] = []

    def bot(message: str, history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        calls.append(message)
        for i in range(1, 4):
            yield f"{message}: step {i}"

    t = ChatTest.from_function(bot, examples=["Hello", "Bye"], cache_examples=True, cache_mode="lazy")
    t.click_example(0)
    assert contents(t) == ["Hello", "Hello: step 3"]
    assert calls == ["Hello"]
    t.clear().click_example(0)  # replayed: the same answer, streamed, without a call
    assert contents(t) == ["Hello", "Hello: step 3"]
    assert calls == ["Hello"]
    t.send("more")  # a message after it is not an example's: the function answers
    assert calls == ["Hello", "more"]
    again = ChatTest.from_file(t.script.path, names=t.script.names)  # another tab of the same version
    again.click_example(0)
    assert contents(again) == ["Hello", "Hello: step 3"] and calls == ["Hello", "more"]
    saved = os.path.join(os.path.dirname(t.script.path), ".reactchat", "app.examples.json")
    assert json.load(open(saved))["entries"]  # kept next to the script for the next start


def test_a_code_change_empties_the_cache() -> None:
    calls: list[str] = []

    def bot(message: str, history: list[dict[str, Any]]) -> str:
        calls.append(message)
        return message.upper()

    t = ChatTest.from_function(bot, examples=["hi"], cache_examples=True)
    t.click_example(0).clear().click_example(0)
    assert calls == ["hi"]
    t.edit_script(open(t.script.path).read() + "# changed\n")
    t.clear().click_example(0)
    assert calls == ["hi", "hi"] and contents(t) == ["hi", "HI"]


def test_reactchat_run_fills_the_cache_eagerly_and_says_so() -> None:
    calls: list[str] = []

    def bot(message: str, history: list[dict[str, Any]], tone: str) -> str:
        calls.append(message)
        return f"{message} ({tone})"

    import reactchat as rc

    t = ChatTest.from_function(bot, examples=["a", ["b", "loud"]], cache_examples=True,
                               additional_inputs=[lambda: rc.text_input("Tone", "calm")])  # fmt: skip
    cache = t.script.registry.get(ExampleCache)
    interface = t.script.registry.get(ChatFunction)
    assert cache is not None and interface is not None
    said: list[str] = []
    assert cache.fill(lambda m, h, v: interface.call(m, h, v), said.append) == 2
    assert said == ["caching example 1/2: 'a'", "caching example 2/2: 'b'"]
    assert calls == ["a", "b"]
    t.click_example(1)
    assert contents(t) == ["b", "b (loud)"] and calls == ["a", "b"]
    assert cache.fill(lambda m, h, v: interface.call(m, h, v), said.append) == 0  # once only


def test_a_plain_script_s_example_is_streamed_once_then_replayed(write_app: Callable[[str], str]) -> None:
    app = write_app("""
        import reactchat as rc
        calls = rc.session_state.setdefault("calls", [])
        rc.chat(examples=["Tell me a story"], cache_examples=True)

        def model(prompt):
            calls.append(prompt)
            for word in f"Once upon a time, {prompt}.".split(" "):
                yield word + " "

        if prompt := rc.chat_input():
            rc.message("user", prompt)
            with rc.message("assistant"):
                rc.write_stream(model(prompt))
    """)
    first = ChatTest.from_file(app, stored=False)
    first.click_example(0)
    assert first.session.state["calls"] == ["Tell me a story"]
    again = ChatTest.from_file(app, stored=False)  # another tab: the recording answers
    again.click_example(0)
    assert again.session.state.get("calls") == []
    assert (
        again.rendered[-1]["content"] == first.rendered[-1]["content"] == "Once upon a time, Tell me a story."
    )
    again.send("Tell me a story")  # typed, not an example's click: the model answers
    assert again.session.state["calls"] == ["Tell me a story"]
