from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest
from reactchat.trigger import RERUN, ChatEvent, Prompt, Trigger

RECORD = """
    import reactchat as rc
    from reactchat import context
    rc.session_state.setdefault("triggers", []).append(context.current_run().trigger)
    rc.text_input("Name", "x")
    rc.button("Go")
    rc.chat_input()
"""


@pytest.mark.parametrize(
    "value",
    [
        ChatEvent("feedback", 1, "Like", "assistant", "hi", True, 7),
        Prompt("hi", ("/tmp/a.png",), 3),
        Trigger("submit", 3, "hi", prompt=Prompt("hi")),
    ],
)
def test_triggers_and_what_they_carry_are_frozen(value: object) -> None:
    field = dataclasses.fields(value)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, "changed")


def test_rerun_is_a_trigger_with_nothing_to_answer() -> None:
    assert RERUN == Trigger("rerun")
    assert (RERUN.target, RERUN.value, RERUN.prompt, RERUN.chat, RERUN.prefill, RERUN.mark) == (None,) * 6
    assert RERUN.callback is None


def test_a_chat_event_defaults_to_a_chat_wide_event() -> None:
    event = ChatEvent("clear")
    assert (event.index, event.value, event.role, event.text, event.liked, event.target) == (None,) * 6
    assert ChatEvent("clear") == event and hash(ChatEvent("clear")) == hash(event)


def test_runs_no_client_event_started_share_the_rerun_trigger(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(RECORD))  # the first run
    t.session.request_rerun()  # a code change or rc.rerun()
    t.wait()
    t.set("Name", "y")  # a widget change is state, not an event
    assert [trigger is RERUN for trigger in t.session.state["triggers"]] == [True, True, True]


def test_a_client_event_gets_a_trigger_of_its_own(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(RECORD))
    t.send("hello")
    t.click("Go")
    submit, click = t.session.state["triggers"][1:]
    input_id = t.nodes("chat_input")[0][0]
    assert submit == Trigger("submit", input_id, "hello", prompt=Prompt("hello", (), input_id))
    assert click.action == "click" and click.prompt is None and click.chat is None
    assert click.target == next(n for n in t.nodes("widget") if n[2]["type"] == "button")[0]
