"""Renders kept with a stored conversation: their keys, reading them back in one read instead of rendering,
writing what was rendered anew after a run, and a store that fails costing only a render."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from reactchat import renders
from reactchat.markdown import DEFAULT, forget, markdown_options, markdown_props
from reactchat.ops import INS, RUN, SET
from reactchat.renders import BATCH, TAIL, Renders, plain_props, render_key, written
from reactchat.store import Store
from reactchat.testing import ChatTest
from reactchat.tree import Node, Tree
from tests.conftest import ROOT
from tests.test_store import APP, raw_execute

SCRIPT = """
    import reactchat as rc
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        with conv.reply():
            rc.write_stream(iter(["You **said**: ", prompt]))
"""


def test_a_render_is_keyed_by_its_text_options_and_renderer() -> None:
    key = render_key("**hi**", DEFAULT)
    assert len(key) == 32 and int(key, 16) >= 0
    assert render_key("**hi**", markdown_options()) == key  # equal options, the same key
    assert render_key("**hi** ", DEFAULT) != key
    assert render_key("**hi**", markdown_options(line_breaks=True)) != key
    assert render_key("**hi**", markdown_options(allow_tags=frozenset({"kbd"}))) != key
    assert render_key("\ud800", DEFAULT) != render_key("\ud801", DEFAULT)  # lone surrogates hash too


def test_kept_renders_are_read_in_one_read_and_served_instead_of_rendering(
    store: Store, store_url: str
) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    texts = ["one *x*", "two *x*", "three *x*"]
    forget()  # what this process rendered before is served from memory and not kept again
    first = Renders(store, owner, c.id)
    rendered = [first.props((t, DEFAULT)) for t in texts]
    assert rendered == [markdown_props(t) for t in texts]
    assert first.flush() is None  # fewer than BATCH: they wait for more
    future = first.flush(everything=True)
    assert future is not None
    future.result(10)
    assert first.flush(everything=True) is None  # nothing new since
    kept = store.renders(owner, c.id)
    assert {k: json.loads(v) for k, v in kept.items()} == {
        render_key(t, DEFAULT): p for t, p in zip(texts, rendered, strict=True)
    }

    forget()  # a new process: nothing in memory
    fake = {"html": "<p>from the store</p>"}
    store.keep_renders(owner, c.id, {render_key(t, DEFAULT): json.dumps(fake) for t in texts})
    again = Renders(store, owner, c.id)
    assert again.props((texts[0], DEFAULT)) == fake  # read back, not rendered
    raw_execute(store_url, "DELETE FROM renders")  # the first miss read them all: the rest needs no read
    assert [again.props((t, DEFAULT)) for t in texts[1:]] == [fake, fake]
    assert again.props(("four", DEFAULT)) == markdown_props("four")  # not kept: rendered


def test_a_new_conversation_reads_nothing_and_a_failing_store_costs_only_a_render(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    forget()
    new = Renders(store, owner, c.id, new=True)
    store.keep_renders(owner, c.id, {render_key("a", DEFAULT): json.dumps({"html": "stale"})})
    assert new.props(("a", DEFAULT)) == markdown_props("a")  # a new conversation has nothing to read
    forget()
    store.close()
    broken = Renders(store, owner, c.id)
    assert broken.props(("b *c*", DEFAULT)) == markdown_props("b *c*")
    future = broken.flush(everything=True)
    assert future is not None
    future.result(10)  # the failed write is only logged


def test_a_kept_render_that_is_not_json_costs_a_render_not_the_run(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    store.keep_renders(owner, c.id, {render_key("a", DEFAULT): json.dumps({"html": "kept"}),
                                     render_key("b", DEFAULT): '{"html": "cut sho'})  # fmt: skip
    forget()
    renders = Renders(store, owner, c.id)
    assert renders.props(("a", DEFAULT)) == markdown_props("a")  # rendered: the batch could not be read
    assert renders.props(("b", DEFAULT)) == markdown_props("b")


def test_a_session_writes_its_new_renders_a_batch_at_a_time(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    forget()
    renders = Renders(store, owner, c.id, new=True)
    for i in range(BATCH - 1):
        renders.props((f"text {i}", DEFAULT))
    assert renders.flush() is None
    renders.props(("one more", DEFAULT))
    future = renders.flush()
    assert future is not None
    future.result(10)
    assert len(store.renders(owner, c.id)) == BATCH


def test_the_writer_thread_ends_when_everything_is_written() -> None:
    written(10)
    deadline = time.monotonic() + 10
    while any(t.name == "reactchat-renders" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name == "reactchat-renders" for t in threading.enumerate())


def test_a_tab_opening_a_stored_conversation_shows_its_kept_renders(
    store: Store, write_app: Callable[[str], str]
) -> None:
    app = write_app(SCRIPT)
    forget()
    t = ChatTest.from_file(app, store=store, owner="ann")
    t.send("first").send("second")
    conversation, owner = t.conversation, t.owner
    assert conversation is not None
    written(10)
    assert store.renders(owner, conversation) == {}  # four renders: they wait for more
    t.conversations_do("new")  # leaving the conversation writes them
    written(10)
    t.close()
    kept = store.renders(owner, conversation)
    assert render_key("You **said**: first", DEFAULT) in kept  # a streamed reply is kept as it finished
    assert render_key("second", DEFAULT) in kept

    forget()  # a restart: a new tab reads the renders instead of rendering
    fake = json.dumps({"html": "<p>kept</p>"})
    store.keep_renders(owner, conversation, {render_key("first", DEFAULT): fake})
    again = ChatTest.from_file(app, store=store, owner="ann", conversation=conversation)
    htmls = [p["html"] for p in again.texts()]
    assert htmls[0] == "<p>kept</p>" and htmls[1] == markdown_props("You **said**: first")["html"]
    again.close()


def _stored(store: Store, owner_name: str, count: int) -> tuple[str, list[str]]:
    owner = store.user(owner_name)
    c = store.create(owner, APP)
    texts = [f"message **{i}** of {count}\n\nits second paragraph" for i in range(count)]
    for i, text in enumerate(texts):
        store.add(owner, c.id, role="user" if i % 2 == 0 else "assistant", content=text)
    return c.id, texts


def test_older_texts_show_plain_first_and_are_rendered_after_the_run_newest_first(
    store: Store, write_app: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(renders, "DEFER_AFTER", -1.0)  # every older text waits, however cheap
    conversation, texts = _stored(store, "ann", TAIL + 12)
    forget()  # never rendered in this process, nothing kept in the store
    t = ChatTest.from_file(write_app(SCRIPT), store=store, owner="ann")
    pushed: list[Any] = []  # the ops as the session hands them to its outbox, before a frame folds them
    outbox = t.session.outbox
    push, push_now = outbox.push, outbox.push_now
    outbox.push = lambda op: (pushed.append(copy.deepcopy(op)), push(op))[1]  # type: ignore[method-assign]
    outbox.push_now = lambda op: (pushed.append(copy.deepcopy(op)), push_now(op))[1]  # type: ignore[method-assign]
    try:
        t.conversations_do("open", conversation)
        assert [p["html"] for p in t.texts()] == [markdown_props(x)["html"] for x in texts]
        first: dict[int, str] = {}  # node id -> the HTML it showed first
        patched: list[int] = []  # op positions of the renders sent later
        for i, op in enumerate(pushed):
            if op[0] == INS:
                for node in _walk(op[3]):
                    if "html" in node[2]:  # (a message holding its text, or a markdown node)
                        first.setdefault(node[0], node[2]["html"])
            elif op[0] == SET and "html" in op[2]:
                patched.append(i)
        shown_first = [first[k] for k in sorted(first)]
        older = texts[:-TAIL]
        expected = [plain_props(x)["html"] for x in older] + [
            markdown_props(x)["html"] for x in texts[-TAIL:]
        ]
        assert shown_first == expected  # the last TAIL rendered from the start, the older ones plain
        done = next(i for i, op in enumerate(pushed) if op[0] == RUN and op[1] == "done")
        assert len(patched) == len(older) and min(patched) > done  # the run showed the page, then renders
        newest_first = [pushed[i][2]["html"] for i in patched]
        assert newest_first == [markdown_props(x)["html"] for x in reversed(older)]
        written(10)
        assert store.renders(store.user("ann"), conversation) != {}  # renders made later are kept too
    finally:
        t.close()


def _walk(node: list[Any]) -> list[list[Any]]:
    return [node, *(n for child in node[3] for n in _walk(child))]


def test_catch_up_gives_way_to_work_and_goes_on_later(store: Store) -> None:
    owner = store.user("u")
    c = store.create(owner, APP)
    forget()
    path: list[Any] = [SimpleNamespace(content=f"old *{i}*") for i in range(5)] + [
        SimpleNamespace(content=f"new *{i}*") for i in range(TAIL)
    ]
    kept = Renders(store, owner, c.id, path=lambda: path)
    tree = Tree()
    renders.DEFER_AFTER, saved = -1.0, renders.DEFER_AFTER
    try:
        for m in path:
            node = tree.new_node("markdown", ("markdown", 0), kept.props(source := (m.content, DEFAULT)))
            node.source = source
            tree.root.own_children().append(node)
    finally:
        renders.DEFER_AFTER = saved
    assert kept.behind
    assert [n.props == plain_props(m.content) for n, m in zip(tree.root.children, path, strict=True)] == [
        True
    ] * 5 + [False] * TAIL
    patched: list[str] = []

    def patch(node: Node, props: dict[str, Any], source: Any) -> None:
        node.props, node.source = props, source
        patched.append(node.props["html"])

    waits: list[float] = []

    def busy(wait: float, came: Callable[[], bool]) -> bool:
        waits.append(wait)
        return came()

    kept.catch_up(tree, patch, lambda wait: busy(wait, lambda: wait > 0))  # an event, during the wait
    assert patched == [] and waits == [renders.CATCH_UP_AFTER]  # the page builds what the run showed
    kept.catch_up(tree, patch, lambda wait: busy(wait, lambda: len(patched) >= 2))  # after two
    assert kept.behind and patched == [markdown_props(f"old *{i}*")["html"] for i in (4, 3)]
    assert waits[1] == renders.CATCH_UP_AFTER and set(waits[2:]) == {0.0}
    tree.root.children.pop(0)  # a rerun dropped one of those left
    tree.forget(tree.nodes[1])
    kept.catch_up(tree, patch, lambda wait: busy(wait, lambda: False))
    assert renders.CATCH_UP_AFTER not in waits[5:]  # begun: no more waiting
    assert not kept.behind
    assert patched[2:] == [markdown_props(f"old *{i}*")["html"] for i in (2, 1)]
    assert [n.props for n in tree.root.children[:4]] == [markdown_props(f"old *{i}*") for i in range(1, 5)]


def test_warm_up_reads_the_versions_render_keys_are_salted_with() -> None:
    # In a fresh interpreter: the first render key reads three packages' metadata, which warm_up does first.
    # The keys first, the render's imports once the server is quiet (the first open needs the keys alone).
    check = (
        "import sys\n"
        "from reactchat import renders\n"
        "assert 'importlib.metadata' not in sys.modules and 'markdown_it' not in sys.modules\n"
        "def quiet():\n"
        "    assert 'importlib.metadata' in sys.modules and 'markdown_it' not in sys.modules\n"
        "renders.warm_up(quiet)\n"
        "assert 'markdown_it' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=ROOT)
