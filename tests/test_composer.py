from __future__ import annotations

from collections.abc import Callable

from reactchat.ops import NOTE
from reactchat.testing import ChatTest


def test_chat_input_returns_the_text_only_on_the_run_it_triggered(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.setdefault("seen", [])
        rc.session_state.seen.append(rc.chat_input("Ask"))
    """)
    )
    t.send("one")
    t.session.request_rerun()
    t.wait()
    assert t.session.state["seen"] == [None, "one", None]
    assert t.nodes("chat_input")[0][2] == {"placeholder": "Ask"}


def test_max_chars_reaches_the_input_and_the_server_refuses_a_longer_message(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.setdefault("seen", [])
        if (text := rc.chat_input("Ask", max_chars=5)) is not None:
            rc.session_state.seen.append(text)
    """)
    )
    assert t.nodes("chat_input")[0][2]["max_chars"] == 5
    t.send("12345")
    t.send("123456")  # a client that does not stop at the limit
    assert t.session.state["seen"] == ["12345"]
    notes = [op[1] for op in t.ops if op[0] == NOTE]
    assert notes == ["The message was not sent: it has 6 characters; at most 5 fit."]
    assert t.nodes("chat_input")[0][2]["value"] == "123456"  # back in the input, to shorten


def test_max_chars_must_be_a_positive_int(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.chat_input(max_chars=0)\n"))
    assert "max_chars must be a positive int; got 0" in t.errors[0]["message"]
