from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.actions import interpret
from reactchat.config import Config
from reactchat.protocol import Event
from reactchat.testing import ChatTest
from reactchat.trigger import ChatEvent, Prompt, Trigger
from reactchat.uploads import Upload

APP = """
    import reactchat as rc
    rc.chat(feedback=True, retry=True, undo=True, editable="user", clear=True, watermark="via reactchat",
            examples=["Hello there", {"text": "Tell me a joke", "display_text": "A joke"}],
            on_feedback=lambda ev: rc.session_state.setdefault("log", []).append(("cb", ev.kind, ev.liked)))
    rc.session_state.setdefault("history", [])
    rc.session_state.setdefault("events", [])
    history = rc.session_state.history
    if (ev := rc.chat_event()) is not None:
        rc.session_state.events.append(ev)
        if ev.kind == "clear":
            history.clear()
        elif ev.kind == "undo":
            del history[ev.index - (ev.role == "assistant"):]
        elif ev.kind == "retry":
            history[ev.index] = {"role": "assistant", "content": "retried: " + history[ev.index - 1]["content"]}
        elif ev.kind == "edit":
            del history[ev.index:]
            history += [{"role": "user", "content": ev.text}, {"role": "assistant", "content": "re: " + ev.text}]
        elif ev.kind == "option":
            history += [{"role": "user", "content": ev.value}, {"role": "assistant", "content": "chose " + ev.value}]
    for m in history:
        rc.message(m)
    if prompt := rc.chat_input("Say"):
        history += [{"role": "user", "content": prompt},
                    {"role": "assistant", "content": "echo: " + prompt, "options": ["yes", {"value": "no", "label": "No!"}]}]
        rc.message(history[-2])
        rc.message(history[-1])
"""


def texts(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.messages]


def test_options_render_and_a_click_is_an_event(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(APP))
    t.send("hi")
    assert t.nodes("message")[1][2]["options"] == [{"value": "yes"}, {"value": "no", "label": "No!"}]
    t.click_option(1)
    ev = t.session.state["events"][-1]
    assert (ev.kind, ev.index, ev.value, ev.role) == ("option", 1, "no", "assistant")
    assert texts(t)[-2:] == ["no", "chose no"]


def test_examples_submit_as_if_typed(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(APP))
    chat = t.nodes("chat")[0][2]
    assert chat["examples"] == [{"text": "Hello there"}, {"text": "Tell me a joke", "display_text": "A joke"}]
    t.click_example(1)
    assert texts(t) == ["Tell me a joke", "echo: Tell me a joke"]
    assert t.session.state["events"][-1].kind == "example"


def test_feedback_is_kept_on_the_message_and_reaches_callback_and_script(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(write_app(APP))
    t.send("hi")
    t.feedback(1, "Like")
    assert t.nodes("message")[1][2]["feedback"] == "Like"
    ev = t.session.state["events"][-1]
    assert (ev.kind, ev.index, ev.liked, ev.text) == ("feedback", 1, True, "echo: hi")
    assert t.session.state["log"] == [("cb", "feedback", True)]  # the callback ran before the script
    t.send("more")
    assert t.nodes("message")[1][2]["feedback"] == "Like"  # kept across reruns
    t.feedback(1, "Dislike")
    t.feedback(3, None)
    assert t.nodes("message")[1][2]["feedback"] == "Dislike" and "feedback" not in t.nodes("message")[3][2]
    assert [e.liked for e in t.session.state["events"] if e.kind == "feedback"] == [True, False, None]


def test_retry_undo_edit_clear(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(APP))
    t.send("one")
    t.send("two")
    t.retry(3)
    assert texts(t) == ["one", "echo: one", "two", "retried: two"]
    t.undo(3)
    assert texts(t) == ["one", "echo: one"]
    assert t.nodes("chat_input")[0][2]["value"] == "two"  # the undone text goes back in the input
    seq = t.nodes("chat_input")[0][2]["value_seq"]
    t.edit(0, "uno")
    assert texts(t) == ["uno", "re: uno"]
    ev = t.session.state["events"][-1]
    assert (ev.kind, ev.index, ev.text, ev.role) == ("edit", 0, "uno", "user")
    t.undo()
    assert t.nodes("chat_input")[0][2]["value_seq"] == seq + 1  # the same text again still re-fills
    t.clear()
    assert texts(t) == []


def test_copy_reaches_the_script_with_the_source_text(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(APP))
    t.send("**bold** words")
    t.copy(0)
    ev = t.session.state["events"][-1]
    assert (ev.kind, ev.index, ev.text) == ("copy", 0, "**bold** words")


def test_actions_watermark_and_feedback_options_are_declared(write_app: Callable[[str], str]) -> None:
    chat = ChatTest.from_file(write_app(APP)).nodes("chat")[0][2]
    assert chat["actions"] == {
        "edit": "user",
        "retry": True,
        "undo": True,
        "clear": True,
        "copy": True,
        "copy_all": True,
        "fork": True,
    }
    assert chat["feedback_options"] == ["Like", "Dislike"] and chat["watermark"] == "via reactchat"


def test_a_click_during_a_stream_does_not_cut_it(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
            import time
            import reactchat as rc
            rc.chat(feedback=True)
            rc.session_state.setdefault("history", [{"role": "assistant", "content": "earlier answer"}])
            for m in rc.session_state.history:
                rc.message(m)
            def slow():
                for i in range(30):
                    time.sleep(0.01)
                    yield f"w{i} "
            if rc.chat_input():
                with rc.message("assistant"):
                    reply = rc.write_stream(slow())
                rc.session_state.history.append({"role": "assistant", "content": reply})
            rc.session_state.last = rc.chat_event()
        """),
        config=Config(frame_interval=0.001),
    )
    t.send("go", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and "w3" in t.messages[1]["content"])
    t.feedback(0, "Like", wait=False)  # a like click while the answer streams
    t.wait()
    assert t.messages[1]["content"].endswith("w29 ")  # the answer was not cut
    assert t.session.state["last"].kind == "feedback"  # and the click got its own run afterwards
    assert t.nodes("message")[0][2]["feedback"] == "Like"


def test_undoing_the_same_text_twice_refills_the_input_both_times(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(APP))
    t.send("hey")
    t.undo()
    first = t.nodes("chat_input")[0][2]
    t.send("hey")
    t.undo()
    second = t.nodes("chat_input")[0][2]
    assert first["value"] == second["value"] == "hey"
    assert second["value_seq"] == first["value_seq"] + 1  # the browser re-applies it


def test_an_example_with_files_submits_them_as_if_attached(
    write_app: Callable[[str], str], tmp_path: Any
) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text("quarterly numbers")
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.chat(examples=[{{"text": "Summarise this", "files": [{str(doc)!r}], "icon": "📄"}}])
        if msg := rc.chat_input(multimodal=True):
            rc.session_state.got = msg
    """)
    )
    shown = t.nodes("chat")[0][2]["examples"][0]
    assert shown["files"] == [{"name": "report.txt"}] and shown["icon"] == {"emoji": "📄"}
    t.click_example(0)
    assert t.session.state["got"] == {"text": "Summarise this", "files": [str(doc)]}


# -- interpret: what a client event means, decided once before the run ------------------------------------

INTERPRET_APP = """
    import reactchat as rc
    def on_feedback(event):
        pass
    rc.chat(feedback=["Like", "Dislike", "Spam"], examples=[{{"text": "Read this", "files": [{doc!r}]}}],
            on_feedback=on_feedback)
    for role, text in [("user", "first **question**"), ("assistant", "answer one"),
                       ("user", "second"), ("assistant", "answer two")]:
        rc.message(role, text)
    rc.chat_input(multimodal=True, file_types=["image"])
"""


@pytest.fixture
def chat_app(write_app: Callable[[str], str], tmp_path: pathlib.Path) -> ChatTest:
    doc = tmp_path / "doc.txt"
    doc.write_text("the document")
    return ChatTest.from_file(write_app(INTERPRET_APP.format(doc=str(doc))))


def meaning(t: ChatTest, node_id: int, action: str, value: Any) -> Trigger:
    """The trigger the session would make of this event, from its tree as the last run left it."""
    session = t.session
    return interpret(Event(1, node_id, action, value), session.tree, session.interactions, session.uploads)


def message_id(t: ChatTest, i: int) -> int:
    return int(t.nodes("message")[i][0])


def test_a_submitted_text_is_the_prompt_of_its_input(chat_app: ChatTest) -> None:
    input_id = chat_app.nodes("chat_input")[0][0]
    assert meaning(chat_app, input_id, "submit", "hi") == Trigger(
        "submit", input_id, "hi", prompt=Prompt("hi", (), input_id)
    )


def test_a_submit_keeps_only_the_uploads_its_input_accepts(chat_app: ChatTest) -> None:
    t = chat_app
    input_id = t.nodes("chat_input")[0][0]
    image = t.upload("pic.png", b"\x89PNG\r\n\x1a\n", "image/png")
    text_id, text_path = t.session.uploads.new_path("notes.txt")  # sent past the browser's own check
    t.session.uploads.add(Upload(text_id, "notes.txt", "text/plain", 1, text_path))
    value = {"text": "look", "files": [image, text_id, "no-such-upload", 7]}
    prompt = meaning(t, input_id, "submit", value).prompt
    assert prompt == Prompt("look", (t.session.uploads.get(image).path,), input_id)  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [5, None, {"text": 5}, ["look"]])
def test_a_submit_of_the_wrong_shape_prompts_nothing(chat_app: ChatTest, value: Any) -> None:
    trigger = meaning(chat_app, chat_app.nodes("chat_input")[0][0], "submit", value)
    assert trigger.action == "submit" and trigger.prompt is None and trigger.value == value


def test_an_example_is_a_prompt_with_its_files(chat_app: ChatTest, tmp_path: pathlib.Path) -> None:
    chat_id = chat_app.nodes("chat")[0][0]
    trigger = meaning(chat_app, chat_id, "example", 0)
    assert trigger.prompt == Prompt("Read this", (str(tmp_path / "doc.txt"),))
    assert trigger.chat == ChatEvent("example", value=0, target=chat_id)
    for bad in (1, -1, True, "0", None):
        assert meaning(chat_app, chat_id, "example", bad).prompt is None


def test_undo_prefills_the_last_user_text_at_or_before_its_target(chat_app: ChatTest) -> None:
    t = chat_app
    assert meaning(t, message_id(t, 3), "undo", None).prefill == "second"
    assert meaning(t, message_id(t, 2), "undo", None).prefill == "second"
    assert meaning(t, message_id(t, 1), "undo", None).prefill == "first **question**"  # the source text
    assert meaning(t, t.nodes("chat")[0][0], "undo", None).prefill == "second"  # chat-wide: the last one


def test_feedback_marks_its_message_and_says_whether_it_liked(chat_app: ChatTest) -> None:
    t = chat_app
    target = message_id(t, 1)
    like = meaning(t, target, "feedback", "Like")
    assert like.mark == {"feedback": "Like"} and like.chat is not None and like.chat.liked is True
    assert (like.chat.index, like.chat.role, like.chat.text) == (1, "assistant", "answer one")
    assert like.callback is t.session.interactions.callbacks["feedback"]
    for value, liked in (("Dislike", False), ("Spam", None), (None, None)):
        trigger = meaning(t, target, "feedback", value)
        assert trigger.mark == {"feedback": value} and trigger.chat is not None
        assert trigger.chat.liked is liked
    chat_wide = meaning(t, t.nodes("chat")[0][0], "feedback", "Like")  # not on a message: nothing to mark
    assert chat_wide.mark is None and chat_wide.chat is not None and chat_wide.chat.liked is None


def test_an_edit_carries_the_new_text(chat_app: ChatTest) -> None:
    t = chat_app
    edit = meaning(t, message_id(t, 2), "edit", "second, reworded")
    assert edit.chat == ChatEvent(
        "edit", 2, "second, reworded", "user", "second, reworded", None, message_id(t, 2)
    )
    assert edit.prompt is None and edit.prefill is None and edit.mark is None
    not_text = meaning(t, message_id(t, 2), "edit", 42)
    assert not_text.chat is not None and not_text.chat.text is None


def test_an_unknown_action_is_passed_on_as_sent(chat_app: ChatTest) -> None:
    t = chat_app
    assert meaning(t, message_id(t, 0), "zap", {"x": 1}) == Trigger("zap", message_id(t, 0), {"x": 1})


@pytest.mark.parametrize("action", ["feedback", "edit", "retry", "copy", "option"])
def test_a_stale_target_is_a_chat_event_about_no_message(chat_app: ChatTest, action: str) -> None:
    trigger = meaning(chat_app, 9999, action, "Like")
    assert trigger.chat == ChatEvent(action, value="Like", target=9999)
    assert trigger.mark is None and trigger.prompt is None


def test_a_click_on_a_message_gone_since_reaches_the_script_without_an_index(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.chat(feedback=True)
        rc.session_state.setdefault("shown", ["one", "two"])
        rc.session_state.last = rc.chat_event()
        if rc.chat_input():
            rc.session_state.shown = ["two"]
        for text in rc.session_state.shown:
            rc.message("assistant", text, key=text)
    """)
    )
    gone = message_id(t, 0)
    t.send("drop the first")
    assert t.messages == [{"role": "assistant", "content": "two"}]
    t.session.submit(Event(100, gone, "feedback", "Like"))  # sent before the browser heard of the change
    t.wait()
    assert t.run_state == "done" and t.errors == []
    assert t.session.state["last"] == ChatEvent("feedback", value="Like", target=gone)
    assert "feedback" not in t.nodes("message")[0][2]  # no other message took the mark
