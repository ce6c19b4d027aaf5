from __future__ import annotations

import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.config import Config
from reactchat.ops import INS, SNAP
from reactchat.testing import ChatTest, html_text

GATED = textwrap.dedent("""
    import reactchat as rc
    def reply():
        yield "started "
        gate.wait(10)
        yield "finished"
    if rc.chat_input():
        with rc.message("assistant"):
            rc.write_stream(reply())
""")


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Hello <strong>you</strong></p>\n", "Hello you"),
        ("<p>a &lt;b&gt; &amp; &quot;c&quot;</p>", 'a <b> & "c"'),
        ("  plain  ", "plain"),
        ("<ul>\n<li>one</li>\n</ul>", "one"),
    ],
)
def test_html_text_is_the_visible_text(fragment: str, text: str) -> None:
    assert html_text(fragment) == text


def test_from_function_runs_a_chat_interface_with_its_options() -> None:
    def shout(message: str, history: list[dict[str, Any]]) -> str:
        return message.upper()

    t = ChatTest.from_function(shout, title="Shouter", config=Config(frame_interval=0.001))
    assert t.title == "Shouter" and t.session.config.frame_interval == 0.001
    t.send("hi").send("there")  # driving calls chain
    assert t.messages == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "HI"},
        {"role": "user", "content": "there"},
        {"role": "assistant", "content": "THERE"},
    ]


def test_wait_raises_timeout_error_while_the_app_runs_and_then_succeeds() -> None:
    gate = threading.Event()
    t = ChatTest.from_source(GATED, names={"gate": gate})
    try:
        t.send("go", wait=False)
        with pytest.raises(TimeoutError, match=r"still running after 0\.2 s"):
            t.wait(timeout=0.2)
        t.wait_for(
            lambda t: t.run_state == "running" and "started" in "".join(m["content"] for m in t.messages)
        )
    finally:
        gate.set()
    t.wait()
    assert t.run_state == "done" and t.messages[0]["content"] == "started finished"


def test_wait_for_raises_timeout_error_naming_the_messages() -> None:
    gate = threading.Event()
    t = ChatTest.from_source(GATED, names={"gate": gate}, timeout=0.3)
    try:
        t.send("go", wait=False)
        with pytest.raises(TimeoutError, match=r"still false after 0\.3 s; messages: .*started"):
            t.wait_for(lambda t: "finished" in "".join(m["content"] for m in t.messages))
    finally:
        gate.set()
    t.wait()


def test_a_script_that_never_finishes_its_first_run_times_out(write_app: Callable[[str], str]) -> None:
    gate = threading.Event()
    try:
        with pytest.raises(TimeoutError):
            ChatTest.from_file(write_app("gate.wait(10)\n"), names={"gate": gate}, timeout=0.2)
    finally:
        gate.set()


def test_the_client_tree_is_built_from_the_frames_alone() -> None:
    t = ChatTest.from_file("examples/echo.py")
    t.send("one")
    assert t.tree == t.session.tree.to_wire() and t.bytes_sent == sum(len(f) for f in t.frames) > 0
    before = len(t.frames)
    assert t.flush() == [] and len(t.frames) == before  # nothing pending once idle


@pytest.mark.parametrize(
    ("source", "action", "error"),
    [
        ("import reactchat as rc\nrc.markdown('x')\n", lambda t: t.send("hi"), "declares no rc.chat_input"),
        ("import reactchat as rc\nrc.chat_input()\n", lambda t: t.click_option(0), "no message has options"),
        (
            "import reactchat as rc\nrc.chat_input()\n",
            lambda t: t.feedback(0, "Like"),
            "there is no message 0",
        ),
        ("import reactchat as rc\nrc.chat_input()\n", lambda t: t.clear(), r"no rc\.chat\(\.\.\.\)"),
        ("import reactchat as rc\nrc.chat_input()\n", lambda t: t.set("Name", "x"), "no widget .*'Name'"),
        ("import reactchat as rc\nrc.chat_input()\n", lambda t: t.upload("a.txt", b"x"), "takes no files"),
        (
            "import reactchat as rc\nrc.chat_input()\n",
            lambda t: t.media("/nope"),
            "serves no media at '/nope'",
        ),
    ],
)
def test_what_the_app_lacks_is_a_lookup_error(
    source: str, action: Callable[[ChatTest], object], error: str
) -> None:
    t = ChatTest.from_source(source)
    with pytest.raises(LookupError, match=error):
        action(t)


def test_upload_refuses_what_the_input_would(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.got = rc.chat_input(multimodal=True, file_types=[".txt"], max_file_size=4)
    """)
    )
    with pytest.raises(ValueError, match=r"'a\.png' is not an accepted file type"):
        t.upload("a.png", b"x", "image/png")
    with pytest.raises(ValueError, match=r"'big\.txt' is 5 bytes; the limit is 4 bytes"):
        t.upload("big.txt", b"12345", "text/plain")
    t.send("see", files=[("ok.txt", b"1234", "text/plain")])
    (path,) = t.session.state["got"]["files"]
    assert t.session.state["got"]["text"] == "see" and open(path, "rb").read() == b"1234"


def test_edit_script_shows_the_overlay_and_reruns_once_fixed(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.title('one')\n"))
    t.edit_script("import reactchat as rc\nrc.title('two'\n")
    assert t.overlay is not None and t.overlay["line"] >= 2 and t.title == "one"
    t.edit_script("import reactchat as rc\nrc.title('three')\n")
    assert t.overlay is None and t.title == "three"


def test_a_new_tab_gets_its_tree_as_one_snapshot_as_a_browser_does() -> None:
    t = ChatTest.from_source(
        "import reactchat as rc\nfor i in range(30):\n    rc.message('user', f'message {i}')\n"
    )
    assert len(t.messages) == 30
    codes = [op[0] for op in t.ops]
    assert codes.count(SNAP) == 1 and INS not in codes  # one SNAP, not an insert per node
