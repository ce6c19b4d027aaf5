from __future__ import annotations

import pathlib
from collections.abc import Callable

from reactchat.runner import Script
from reactchat.testing import ChatTest


def test_load_compiles_and_reports_change(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")
    script = Script(str(path))
    assert script.load() and script.code is not None and script.overlay is None
    assert not script.load()
    path.write_text("x = 2\n")
    assert script.load()


def test_a_syntax_error_keeps_the_previous_code(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")
    script = Script(str(path))
    script.load()
    code = script.code
    path.write_text("x = (\n")
    assert script.load()
    assert script.code is code
    assert script.overlay is not None and script.overlay["file"] == str(path) and script.overlay["line"] == 1


def test_top_level_await_compiles(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "app.py"
    path.write_text("import asyncio\nawait asyncio.sleep(0)\n")
    script = Script(str(path))
    script.load()
    assert script.overlay is None


def test_nul_bytes_are_an_overlay_not_a_crash(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(b"x = 1\x00\n")
    script = Script(str(path))
    script.load()
    assert script.overlay is not None


def test_top_level_await_works(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import asyncio
        import reactchat as rc
        await asyncio.sleep(0)
        rc.message("assistant", "awaited")
    """)
    )
    assert t.messages == [{"role": "assistant", "content": "awaited"}]
