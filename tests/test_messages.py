from __future__ import annotations

import threading
from collections.abc import Callable

from reactchat.config import Config
from reactchat.ops import INS, RUN
from reactchat.testing import ChatTest


def test_message_accepts_role_and_content_or_a_dict(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message("user", "hi")
        rc.message({"role": "assistant", "content": "**hello**"})
        with rc.message("system"):
            rc.markdown("part one")
            rc.markdown("part two")
    """)
    )
    assert t.messages == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "**hello**"},
        {"role": "system", "content": "part one\n\npart two"},
    ]
    assert "<strong>hello</strong>" in t.texts()[1]["html"]


def test_bad_role_is_an_error_element_naming_the_value(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message("robot", "hi")
    """)
    )
    assert t.run_state == "error"
    assert t.errors[0]["type"] == "ValueError" and "'robot'" in t.errors[0]["message"]


def test_title_is_declared(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.title('My bot')\n"))
    assert t.title == "My bot"


def test_an_unchanged_history_costs_nothing_and_a_changed_one_shows(write_app: Callable[[str], str]) -> None:
    from reactchat.testing import ChatTest

    app = write_app("""
        import reactchat as rc
        rc.chat(line_breaks=rc.session_state.get("breaks", False))
        history = rc.session_state.setdefault("history", [
            {"role": "user", "content": "a\\nb"}, {"role": "assistant", "content": ["part", "*two*"]}])
        for msg in history:
            rc.message(msg)
    """)
    t = ChatTest.from_file(app)

    def rerun() -> None:
        t.session.request_rerun()
        t.wait()

    before = len(t.frames)
    rerun()
    shown = [{"role": "user", "content": "a\nb"}, {"role": "assistant", "content": "part\n\ntwo"}]
    assert t.errors == [] and t.rendered == shown and len(t.frames) == before + 1  # the run's end only
    assert "<br" not in t.texts()[0]["html"]
    t.session.state["breaks"] = True  # other rendering options: the same dicts render again
    rerun()
    assert "<br" in t.texts()[0]["html"]
    history = t.session.state["history"]
    history[0]["content"] = "edited in place"  # the same dict, changed
    history[1]["content"].append("three")  # the same list, changed
    rerun()
    assert [m["content"] for m in t.rendered] == ["edited in place", "part\n\ntwo\n\nthree"]


def test_a_plain_script_streaming_a_retried_answer_replaces_the_old_one(
    write_app: Callable[[str], str],
) -> None:
    gate = threading.Event()
    app = write_app("""
        import reactchat as rc

        rc.chat(retry=True, feedback=True)
        history = rc.session_state.setdefault("history", [])
        prompt = rc.chat_input()
        if (ev := rc.chat_event()) is not None and ev.kind == "retry":
            prompt = history[ev.index - 1]["content"]
            del history[ev.index - 1 :]
        if prompt:
            history.append({"role": "user", "content": prompt})
        for m in history:
            rc.message(m)
        if prompt:
            with rc.message("assistant"):
                with rc.thought("Thinking"):
                    if len(history) == 1 and rc.session_state.get("answered"):
                        gate.wait(5)
                answer = rc.write_stream(["**answer** ", "to ", prompt])
            rc.session_state.answered = True
            history.append({"role": "assistant", "content": answer})
    """)
    t = ChatTest.from_file(app, names={"gate": gate}, config=Config(frame_interval=0.001))
    t.send("hi").feedback(1, "Like")
    assert t.rendered[1]["content"] == "answer to hi"
    t.retry(wait=False)
    t.wait_for(lambda t: [x["status"] for x in t.thoughts] == ["pending"])
    assert t.messages == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]
    assert t.nodes("message")[1][2].get("feedback") is None  # the Like was for the old answer
    gate.set()
    t.wait()
    assert t.messages[1]["content"] == "**answer** to hi" and len(t.nodes("message")) == 2


def test_a_pending_thought_shown_again_unchanged_sends_nothing(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message({"role": "assistant", "content": "working", "metadata": {"title": "Tool", "status": "pending"}})
        rc.message("assistant", "an answer after it")
    """)
    )
    before = len(t.ops)
    t.session.request_rerun()
    t.wait()
    assert [op for op in t.ops[before:] if op[0] != RUN] == []
    assert t.messages == [{"role": "assistant", "content": "an answer after it"}]


HISTORY_APP = """
    import reactchat as rc
    if "history" not in rc.session_state:
        rc.session_state.history = [{"role": "user", "content": "hi"}, rc.ChatMessage("assistant", "hello")]
    if LOOP:
        for m in rc.session_state.history:
            rc.message(m)
    else:
        rc.history(rc.session_state.history)
    rc.message("assistant", "a note after the history")
    if prompt := rc.chat_input():
        rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": "ok"}]
        rc.rerun()
    if rc.button("Change the first in place"):
        rc.session_state.history[0]["content"] = "hi, edited"
        rc.rerun()
"""


def test_history_shows_what_a_loop_of_messages_shows_and_sees_changes_made_in_place(
    write_app: Callable[[str], str],
) -> None:
    seen = []
    for loop in (True, False):
        t = ChatTest.from_file(write_app(HISTORY_APP), names={"LOOP": loop})
        t.send("one").send("two").click("Change the first in place").send("three")
        seen.append([(m["role"], m["content"]) for m in t.messages])
        assert not t.errors
    assert seen[0] == seen[1]
    assert seen[1][0] == ("user", "hi, edited") and seen[1][-1] == ("assistant", "a note after the history")
    assert len(seen[1]) == 2 + 6 + 1


MUTATING = """
import reactchat as rc
rc.session_state.setdefault("history", [{"role": "user", "content": str(i)} for i in range(6)])
rc.session_state.setdefault("next", 5)
rc.history(rc.session_state.history)
if (i := rc.session_state.next) >= 0:  # after it was shown, each run an earlier one
    rc.session_state.history[i]["content"] += " changed"
    rc.session_state.next = i - 1
rc.session_state["runs"] = rc.session_state.get("runs", 0) + 1
"""


def test_a_message_changed_in_place_is_shown_by_one_rerun_not_a_chain_of_them() -> None:
    # A run takes the history by identity and checks it once its frame went: a change found there reruns the
    # script, once, to show it; what that rerun finds changed is left for the next run.
    t = ChatTest.from_source(MUTATING)
    assert t.session.state["runs"] == 1
    t.session.request_rerun()  # takes all six, the last changed since; changes the fifth
    t.wait()
    assert t.session.state["runs"] == 3 and not t.errors  # and one rerun, which shows both changed
    assert [m["content"] for m in t.messages][3:] == ["3", "4 changed", "5 changed"]
    t.session.request_rerun()  # shows the fourth changed, changes the third: found, one rerun shows it
    t.wait()
    assert t.session.state["runs"] == 5
    assert [m["content"] for m in t.messages][1:] == ["1", "2 changed", "3 changed", "4 changed", "5 changed"]


def test_history_declares_only_the_new_turn(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(HISTORY_APP), names={"LOOP": False}).send("one")
    before = len(t.ops)
    t.send("two")
    inserted = [op for op in t.ops[before:] if op[0] == INS]
    assert [op[3][1] for op in inserted] == ["message", "message"]  # the new question and answer only
    note = t.session.tree.prefixes[0]  # what the next run may take as it is: the six shown, copied
    assert len(note.nodes) == len(note.items) == 6 and note.items[0] == {"role": "user", "content": "hi"}
    assert note.flat is None  # (a ChatMessage among them: not kept flat)
    assert all(m.memo is None for m in note.nodes)  # and no second copy per message: the note compares


STREAMED = """
import reactchat as rc
rc.session_state.setdefault("history", [])
rc.history(rc.session_state.history)
if prompt := rc.chat_input():
    rc.message("user", prompt)
    with rc.message("assistant"):
        reply = rc.write_stream(iter(["a **long** ", f"answer to {prompt}"]))
    rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
"""


def test_a_message_holds_its_text_in_one_node_and_a_streamed_one_keeps_its_text_node() -> None:
    from reactchat.protocol import decode_frame

    t = ChatTest.from_source(STREAMED)
    t.send("hi")
    user, answer = t.session.tree.find("message")
    assert user.children == () and [c.kind for c in answer.children] == ["markdown"]
    turn = len(t.frames)
    t.send("again")  # the answer, declared from the history now, is not sent again
    assert "to hi" not in repr([decode_frame(f)[2] for f in t.frames[turn:]])
    assert t.messages[:2] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "a **long** answer to hi"},
    ]
    assert "<strong>long</strong> answer to again" in t.texts()[-1]["html"]
    note = t.session.tree.prefixes[0]  # dicts of strings: kept flat, compared at C speed, no copies
    assert note.items[0] is t.session.state["history"][0]  # the app's own (taken by identity, then rechecked)
    assert note.flat[0][1][:4] == ("user", "hi", "assistant", "a **long** answer to hi")
