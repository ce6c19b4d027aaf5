from __future__ import annotations

import pathlib
import re
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactchat import stream
from reactchat.markdown import cached_props, forget, markdown_options, markdown_props
from reactchat.ops import APP, MOV, RUN, TXT
from reactchat.reconcile import Reconciler
from reactchat.stream import Writer, open_html
from reactchat.testing import ChatTest
from reactchat.tree import Tree
from tests.test_reference_examples import is_html_append

STREAM_APP = """
    import time
    import reactchat as rc
    rc.session_state.setdefault("history", [])
    for m in rc.session_state.history:
        rc.message(m)
    if prompt := rc.chat_input():
        rc.message("user", prompt)
        with rc.message("assistant"):
            reply = rc.write_stream(SOURCE)
        rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
        rc.session_state.reply = reply
"""


def app(write_app: Callable[[str], str], source: str, prelude: str = "") -> ChatTest:
    return ChatTest.from_file(write_app(prelude + STREAM_APP.replace("SOURCE", source)))


def test_streams_a_generator_and_returns_the_text(write_app: Callable[[str], str]) -> None:
    t = app(write_app, "(w + ' ' for w in ['a', '**b**', 'c'])")
    t.send("go")
    assert t.session.state["reply"] == "a **b** c "
    assert t.messages[-1] == {"role": "assistant", "content": "a **b** c "}  # as streamed
    assert t.rendered[-1] == {"role": "assistant", "content": "a b c"}  # as shown


def test_streamed_node_equals_a_declared_one_so_the_next_turn_resends_nothing(
    write_app: Callable[[str], str],
) -> None:
    t = app(write_app, "iter(['# Head\\n\\n', 'para *one*\\n\\n', '- x\\n- y\\n'])")
    t.send("go")
    assert t.texts()[-1] == markdown_props("# Head\n\npara *one*\n\n- x\n- y\n")
    before = len(t.ops)
    t.session.request_rerun()
    t.wait()
    # Only the chat input moves below the history; no content is sent again.
    assert [op[0] for op in t.ops[before:] if op[0] != RUN] == [MOV]


def test_openai_style_chunks_stream(write_app: Callable[[str], str]) -> None:
    prelude = """
    from types import SimpleNamespace as NS
    def chunks():
        yield {"choices": [{"delta": {"role": "assistant"}}]}
        yield {"choices": [{"delta": {"content": "Hel"}}]}
        yield NS(choices=[NS(delta=NS(content="lo"))])
        yield NS(choices=[])
    """
    t = app(write_app, "chunks()", prelude)
    t.send("go")
    assert t.session.state["reply"] == "Hello"


def test_async_generators_stream_in_sync_and_async_scripts(write_app: Callable[[str], str]) -> None:
    prelude = """
    import asyncio
    async def agen():
        for w in ["x", "y", "z"]:
            await asyncio.sleep(0.001)
            yield w
    """
    t = app(write_app, "agen()", prelude)
    t.send("go")
    assert t.session.state["reply"] == "xyz"

    t2 = ChatTest.from_file(
        write_app(
            prelude
            + """
    import reactchat as rc
    await asyncio.sleep(0)
    with rc.message("assistant"):
        rc.session_state.reply = await rc.write_stream(agen())
        rc.session_state.reply2 = await rc.write_stream(iter(["sync", " in async"]))
    """,
            "async_app.py",
        )
    )
    assert t2.session.state["reply"] == "xyz"
    assert t2.session.state["reply2"] == "sync in async"


def test_a_chunk_of_the_wrong_type_is_an_error_keeping_the_partial_text(
    write_app: Callable[[str], str],
) -> None:
    t = app(write_app, "iter(['fine ', 42])")
    t.send("go")
    assert t.errors[0]["type"] == "TypeError" and "int" in t.errors[0]["message"]
    assert t.messages[-1] == {"role": "assistant", "content": "fine "}


def test_generator_errors_show_the_user_frames(write_app: Callable[[str], str]) -> None:
    prelude = """
    def broken():
        yield "partial "
        raise RuntimeError("model went away")
    """
    path = write_app(prelude + STREAM_APP.replace("SOURCE", "broken()"))
    t = ChatTest.from_file(path)
    t.send("go")
    error = t.errors[0]
    assert error["message"] == "model went away"
    assert all("reactchat" not in f["file"].split("/")[-2] for f in error["frames"])
    assert any(f["file"] == path and f["name"] == "broken" for f in error["frames"])
    assert t.messages[-1]["content"] == "partial "


def test_stop_keeps_the_partial_answer_and_closes_the_generator(
    write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    marker = tmp_path / "closed"
    prelude = f"""
    import threading
    release = threading.Event()
    def slow():
        try:
            yield "first "
            yield "second "
            release.wait(30)
            yield "never"
        finally:
            open({str(marker)!r}, "w").close()
    """
    t = app(write_app, "slow()", prelude)
    t.send("go", wait=False)
    t.wait_for(lambda t: "second" in (t.messages[-1]["content"] if len(t.messages) == 2 else ""))
    t.stop()
    t.wait()
    assert t.run_state == "stopped"
    assert t.session.state["reply"] == "first second "
    assert t.messages[-1] == {"role": "assistant", "content": "first second "}
    # The script went on after write_stream returned: the partial answer is in the history.
    assert t.session.state["history"][-1]["content"] == "first second "


def test_a_generator_is_closed_when_it_yields_after_stop(
    write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    marker = tmp_path / "closed"
    prelude = f"""
    import time
    def slow():
        try:
            while True:
                time.sleep(0.01)
                yield "."
        finally:
            open({str(marker)!r}, "w").close()
    """
    t = app(write_app, "slow()", prelude)
    t.send("go", wait=False)
    t.wait_for(lambda t: len(t.messages) == 2 and "..." in t.messages[-1]["content"])
    t.stop().wait()
    t.wait_for(lambda t: marker.exists())


def test_events_during_a_stream_are_queued_in_order_and_none_is_lost(write_app: Callable[[str], str]) -> None:
    prelude = """
    import time
    def slow(text):
        for ch in text:
            time.sleep(0.002)
            yield ch
    """
    t = ChatTest.from_file(write_app(prelude + STREAM_APP.replace("SOURCE", "slow('reply to ' + prompt)")))
    for word in ["one", "two", "three"]:
        t.send(word, wait=False)
    t.wait()
    assert [m["content"] for m in t.messages] == [
        "one", "reply to one", "two", "reply to two", "three", "reply to three",
    ]  # fmt: skip


def test_write_stream_rejects_a_plain_string(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.write_stream('oops')\n"))
    assert "iterable of text chunks" in t.errors[0]["message"]


def test_reactchat_calls_inside_the_stream_source_raise(write_app: Callable[[str], str]) -> None:
    prelude = """
    import reactchat as rc
    def sneaky():
        rc.markdown("inside")
        yield "x"
    """
    t = app(write_app, "sneaky()", prelude)
    t.send("go")
    assert "inside the iterable given to write_stream" in t.errors[0]["message"]


def test_finished_blocks_are_sent_once_while_streaming(write_app: Callable[[str], str]) -> None:
    prelude = """
    import time
    def words():
        for i in range(60):
            time.sleep(0.002)
            yield f"word{i} " + ("\\n\\n" if i % 10 == 9 else "")
    """
    from reactchat.config import Config

    path = write_app(prelude + STREAM_APP.replace("SOURCE", "words()"))
    t = ChatTest.from_file(path, config=Config(frame_interval=0.001))
    t.send("go", wait=False)
    t.wait_for(lambda t: t.run_state == "done" and len(t.messages) == 2)
    final = t.texts()[-1]
    assert final == markdown_props(t.session.state["reply"])
    assert len(final["cuts"]) == 6
    appended = [op[2] if op[0] == TXT else op[3] for op in t.ops if is_html_append(op)]
    sent = sum(len(a) for a in appended)
    frames = len(appended)
    assert frames >= 10  # it really streamed
    assert sent < 1.5 * len(final["html"])  # each finished paragraph went out once, plus tail churn


def test_redeclaring_history_renders_nothing_even_with_a_cold_cache() -> None:
    t = ChatTest.from_file("examples/echo.py")
    for i in range(5):
        t.send(f"**message** {i}")
    forget()
    t.send("one more")
    assert all(cached_props(f"**message** {i}") is None for i in range(5))  # none was rendered again
    assert cached_props("one more") is not None


def test_open_html_drops_only_trailing_closing_tags() -> None:
    from reactchat.stream import open_html

    assert open_html("<p>a <em>b</em> c</p>\n") == "<p>a <em>b</em> c"
    assert open_html('<pre class="highlight"><code>x\n</code></pre>\n') == '<pre class="highlight"><code>x'
    assert open_html("<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n") == "<ul>\n<li>a</li>\n<li>b"
    assert open_html("<p>a &lt;/p&gt;</p>") == "<p>a &lt;/p&gt;"


# The pattern open_html used to apply: the reference for what it removes.
CLOSING_TAGS = re.compile(r"(?:\s*</[a-zA-Z][a-zA-Z0-9]*>)+\s*$")
HTML_PIECES = ["</p>", "</code>", "</pre>", "</A1>", "</1a>", "</", "<//a>", "</a", "a>", "<p>", "<", "/", ">",
               "x", " ", "\n", "\t", "\u00a0", "\u2028", "\x1c"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=10))
def test_open_html_removes_what_the_closing_tags_pattern_matched(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert open_html(html) == CLOSING_TAGS.sub("", html)


def test_open_html_is_linear_in_runs_of_spaces() -> None:
    # Searched forwards, the pattern re-scanned a run of spaces from each of its positions: 40,000 spaces in
    # a streamed paragraph cost 13.8 s of CPU while holding the GIL.
    html = "<p>x" + " " * 40_000 + "y</p>\n"
    start = time.thread_time()
    for _ in range(10):
        assert open_html(html) == html[: -len("</p>\n")]
        assert open_html(html[:-6] + " " * 40_000) == html[:-6] + " " * 40_000
    cpu = time.thread_time() - start
    assert cpu < 1.0, f"trimming 40,000 spaces 20 times took {cpu:.2f} s of CPU"


def test_a_stopped_answer_renders_its_open_markdown_closed(write_app: Callable[[str], str]) -> None:
    prelude = """
    import threading
    release = threading.Event()
    def slow():
        yield "Here is **the important "
        release.wait(30)
        yield "part**"
    """
    t = app(write_app, "slow()", prelude)
    t.send("go", wait=False)
    t.wait_for(lambda t: "important" in (t.messages[-1]["content"] if len(t.messages) == 2 else ""))
    t.stop().wait()
    assert t.session.state["reply"] == "Here is **the important**"  # returned (and so stored) closed
    assert t.texts()[-1] == markdown_props("Here is **the important**")
    assert "<strong>the important</strong>" in t.texts()[-1]["html"]


class _Clock:
    """A stand-in for ``time`` in reactchat.stream: the test moves it."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def _writer(monkeypatch: pytest.MonkeyPatch, interval: float) -> tuple[Writer, _Clock, list[list[object]]]:
    clock = _Clock()
    monkeypatch.setattr(stream, "time", clock)
    sent: list[list[object]] = []
    rec = Reconciler(Tree(), sent.append, threading.Lock())
    rec.begin()
    node = rec.emit("markdown", {"html": "", "cuts": []})
    return Writer(rec, node, markdown_options(), interval), clock, sent


def _renders(writer: Writer, clock: _Clock, sent: list[list[object]], gap: float, tokens: int) -> int:
    """Feed ``tokens`` words ``gap`` seconds apart, flushing when due as feed.py does; count the renders."""
    before = len(sent)
    for i in range(tokens):
        due = writer.due_in()
        if due is not None and due <= gap:
            clock.now += due
            writer.flush()
            clock.now += gap - due
        else:
            clock.now += gap
        writer.feed(f" w{i}")
    return sum(1 for op in sent[before:] if op[0] == APP and op[2] == "html")


def test_a_slow_stream_renders_a_few_tokens_a_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    writer, clock, sent = _writer(monkeypatch, 0.025)
    renders = _renders(writer, clock, sent, 0.020, 100)  # 50 tokens/s
    assert writer.interval == pytest.approx(stream.TOKENS_PER_FRAME * 0.020)
    assert 100 / stream.TOKENS_PER_FRAME - 2 <= renders <= 100 / stream.TOKENS_PER_FRAME + 2
    writer.flush()
    assert writer.node.props["html"] == open_html(markdown_props(writer.text)["html"])  # nothing lost


def test_a_fast_stream_keeps_the_frame_interval_and_a_very_slow_one_shows_every_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer, clock, sent = _writer(monkeypatch, 0.025)
    _renders(writer, clock, sent, 0.001, 200)
    assert writer.interval == 0.025
    writer.flush()
    assert _renders(writer, clock, sent, 0.5, 10) == 10  # 2 tokens/s: each shows as it comes
    assert writer.interval == stream.MAX_INTERVAL
