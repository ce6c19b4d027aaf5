from __future__ import annotations

from collections.abc import Callable

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
        {"role": "assistant", "content": "hello"},
        {"role": "system", "content": "part one\n\npart two"},
    ]
    assert "<strong>hello</strong>" in t.nodes("markdown")[1][2]["html"]


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
