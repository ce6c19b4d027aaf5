"""Every Python snippet in the README runs as written: apps are run headless and used, the test file is run
against the first app, and the client talks to a served app."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import pathlib
import re
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest
from tests.serving import Served

README = pathlib.Path(__file__).parent.parent / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def snippet(containing: str) -> str:
    found = [s for s in SNIPPETS if containing in s]
    assert len(found) == 1, f"{len(found)} README snippets contain {containing!r}"
    return found[0]


FRAGMENTS = re.findall(r"```python fragments\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_fragments_compile() -> None:
    # Lines taken out of whole apps (the model library's, each one in examples/ and tested there): they
    # must at least be Python, top-level await included.
    assert FRAGMENTS
    for fragment in FRAGMENTS:
        compile(fragment, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_every_snippet_is_covered_here() -> None:
    covered = ["# bot.py\nimport time", "rc.chat_interface(reply, title=", "additional_inputs=[", "Client(",
               "rc.thought(", "rc.chat_event()", "with rc.sidebar:", "from reactchat.testing import ChatTest",
               "rc.queue(", "rc.chat(theme=", "rc.require_user()"]  # fmt: skip
    assert sorted(SNIPPETS.index(snippet(c)) for c in covered) == list(range(len(SNIPPETS)))


@pytest.mark.parametrize(
    "containing",
    ["# bot.py\nimport time", "rc.chat_interface(reply, title=", "additional_inputs=[", "rc.queue("],
)
def test_the_apps_answer(containing: str) -> None:
    t = ChatTest.from_source(snippet(containing))
    t.send("hi")
    assert t.errors == [] and [m["role"] for m in t.messages] == ["user", "assistant"]
    assert "hi" in t.messages[1]["content"]


def test_the_sign_in_snippet_greets_a_signed_in_user_and_stops_an_anonymous_one() -> None:
    import textwrap

    import reactchat as rc

    source = textwrap.dedent(snippet("rc.require_user()")) + "rc.markdown('past the gate')\n"
    anonymous = ChatTest.from_source(source)
    assert "Sign in to use this." in anonymous.text and "past the gate" not in anonymous.text
    alice = ChatTest.from_source(source, user=rc.Identity("password:alice", "password", name="alice"))
    assert alice.title == "Hello, alice" and "past the gate" in alice.text


def test_the_thoughts_snippet_shows_its_thoughts() -> None:
    t = ChatTest.from_source(snippet("rc.thought("))
    assert t.errors == []
    assert [x["title"] for x in t.thoughts] == [
        "Searching the web",
        "Thinking",
        "Used the weather tool",
        "Raw result",
    ]
    assert "Tides: three results." in t.rendered[0]["content"]


def test_the_interactions_snippet_handles_each_event() -> None:
    t = ChatTest.from_source(snippet("rc.chat_event()"))
    t.send("hi")
    assert t.messages == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "You said: hi"}]
    t.retry()
    assert [m["content"] for m in t.messages] == ["hi", "You said: hi"] and t.errors == []
    t.edit(0, "bye")
    assert [m["content"] for m in t.messages] == ["bye", "You said: bye"]
    t.undo()
    assert t.messages == [] and t.nodes("chat_input")[0][2]["value"] == "bye"
    t.send("again").clear()
    assert t.messages == [] and t.errors == []


def test_the_sidebar_snippet_runs() -> None:
    t = ChatTest.from_source(snippet("with rc.sidebar:"))
    assert t.errors == [] and len(t.nodes("widget")) == 4
    t.click("Reset")
    assert t.errors == []


def test_the_test_file_passes_against_the_first_app(tmp_path: pathlib.Path) -> None:
    (tmp_path / "bot.py").write_text(snippet("# bot.py\nimport time"))
    namespace: dict[str, object] = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(snippet("from reactchat.testing import ChatTest"), "test_bot.py", "exec"), namespace)
        tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
        assert len(tests) == 3
        for test in tests:
            test()
    finally:
        os.chdir(cwd)


def test_the_client_snippet_talks_to_the_app(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(snippet("additional_inputs=[")))
    code = snippet("Client(").replace("http://127.0.0.1:8700", served.url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "client.py", "exec"), {})
    assert out.getvalue().startswith(
        "[You are helpful. at 0.2] Hello\n[You are helpful. at 0.7] Tell me a story"
    )


def test_the_theme_snippet_is_a_valid_theme() -> None:
    t = ChatTest.from_source("import reactchat as rc\n" + snippet("rc.chat(theme="))
    assert t.errors == [] and "#e11d48" in t.nodes("chat")[0][2]["theme"]["css"]
