from __future__ import annotations

from collections.abc import Callable

import pytest

from reactchat.elements import as_message
from reactchat.errors import error_props, overlay_props
from reactchat.testing import ChatTest


def make_a_bad_message() -> None:
    as_message({"role": "robot"})  # raises inside reactchat


def test_error_props_keep_the_users_frames_and_hide_reactchats() -> None:
    with pytest.raises(ValueError) as info:
        make_a_bad_message()
    props = error_props(info.value)
    assert props["type"] == "ValueError" and "'robot'" in props["message"]
    assert [f["name"] for f in props["frames"]] == ["test_error_props_keep_the_users_frames_and_hide_reactchats", "make_a_bad_message"]  # fmt: skip
    assert all(f["file"] == __file__ for f in props["frames"])
    assert props["frames"][1]["code"] == 'as_message({"role": "robot"})  # raises inside reactchat'
    assert props["frames"][1]["line"] == make_a_bad_message.__code__.co_firstlineno + 1


def test_an_exception_never_raised_has_no_frames() -> None:
    assert error_props(KeyError("k")) == {"type": "KeyError", "message": "'k'", "frames": []}


def test_a_script_error_element_points_at_the_users_lines(write_app: Callable[[str], str]) -> None:
    path = write_app("""
        import reactchat as rc
        def answer(text):
            return rc.message("robot", text)
        answer("hi")
    """)
    t = ChatTest.from_file(path)
    (error,) = t.errors
    assert error["type"] == "ValueError"
    assert [(f["file"], f["line"], f["name"], f["code"]) for f in error["frames"]] == [
        (path, 5, "<module>", 'answer("hi")'),
        (path, 4, "answer", 'return rc.message("robot", text)'),
    ]


def test_overlay_props_point_at_the_file_and_line() -> None:
    with pytest.raises(SyntaxError) as info:
        compile("x = 1\ny = (\n", "/app/bot.py", "exec")
    props = overlay_props(info.value, "/ignored.py")
    assert props["file"] == "/app/bot.py" and props["line"] == 2
    assert props["message"].startswith("SyntaxError: ") and props["text"] == "y = ("


def test_overlay_props_fall_back_to_the_scripts_path() -> None:
    props = overlay_props(SyntaxError("invalid syntax"), "/app/bot.py")
    assert props == {"message": "SyntaxError: invalid syntax", "file": "/app/bot.py", "line": 0, "text": ""}


def test_an_indentation_error_names_its_kind() -> None:
    with pytest.raises(IndentationError) as info:
        compile("if x:\npass\n", "/app/bot.py", "exec")
    assert overlay_props(info.value, "/app/bot.py")["message"].startswith("IndentationError: ")


def test_a_user_file_whose_path_starts_like_the_package_keeps_its_frames() -> None:
    import os

    import reactchat

    path = os.path.dirname(reactchat.__file__) + "_bot.py"  # e.g. <site-packages>/reactchat_bot.py
    code = compile("def boom():\n    raise ValueError('x')\nboom()\n", path, "exec")
    try:
        exec(code, {})
    except ValueError as exc:
        frames = error_props(exc)["frames"]
    assert [f["file"] for f in frames if f["file"] == path] == [path, path]  # <module> and boom()
