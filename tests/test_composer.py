from __future__ import annotations

from collections.abc import Callable

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
