from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reactchat.config import Config
from reactchat.testing import ChatTest

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
    assert t.messages[1]["content"].endswith("w29")  # the answer was not cut
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
