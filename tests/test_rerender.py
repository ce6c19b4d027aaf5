from __future__ import annotations

import secrets
import threading

from reactchat.markdown import forget, markdown_props, markdown_source_props
from reactchat.ops import SNAP
from reactchat.outbox import Outbox
from reactchat.protocol import decode_frame
from reactchat.reconcile import Reconciler
from reactchat.rerender import send_whole
from reactchat.testing import ChatTest
from reactchat.tree import GIVEN_BACK, Tree, Unrendered

TEXTS = 300  # enough renders that making them again takes far longer than asking for a frame


def shown(texts: list[str]) -> tuple[Tree, Outbox, threading.Event]:
    """A tree showing ``texts`` whose page has them (its frame was taken): their renders given back."""
    lock, woken = threading.Lock(), threading.Event()
    box = Outbox(lock, 1 << 24, lambda urgent: woken.set())
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, box.push, lock, box.carries)
    rec.begin()
    for text in texts:
        rec.emit("markdown", None, source=text, render=markdown_source_props)
    rec.finish(prune=True)
    assert box.take_frame() is not None
    assert all(n.props is GIVEN_BACK for n in tree.root.children)
    return tree, box, woken


def snapshot_html(frame: bytes) -> list[str]:
    (op,) = decode_frame(frame)[2]
    assert op[0] == SNAP
    return [child[2]["html"] for child in op[1][3]]


def test_the_whole_tree_waits_for_renders_the_cache_no_longer_holds_made_on_another_thread() -> None:
    texts = [f"**{secrets.token_hex(8)}** {i}\n\n- item" for i in range(TEXTS)]
    tree, box, woken = shown(texts)
    forget()  # the process's cache no longer holds them (other sessions' renders took their place)
    with box.lock:
        send_whole(tree, box)
    assert box.take_frame() is None  # nothing goes before the tree: the page could apply none of it
    while (frame := box.take_frame()) is None:
        assert woken.wait(30)  # the sender is woken once the renders are made
        woken.clear()
    assert snapshot_html(frame) == [markdown_props(t)["html"] for t in texts]
    assert all(n.props is GIVEN_BACK for n in tree.root.children)


def test_renders_the_cache_holds_go_at_once() -> None:
    texts = [f"*{secrets.token_hex(8)}*" for _ in range(3)]
    tree, box, _ = shown(texts)
    with box.lock:
        send_whole(tree, box)
    frame = box.take_frame()
    assert frame is not None and snapshot_html(frame) == [markdown_props(t)["html"] for t in texts]


APP = """
import reactchat as rc
for i in range(40):
    rc.message("user" if i % 2 == 0 else "assistant", f"message **{i}** of KEY\\n\\n- a list")
"""


def test_a_reloaded_tab_shows_what_it_showed_though_its_session_holds_no_html() -> None:
    t = ChatTest.from_source(APP.replace("KEY", secrets.token_hex(8)))
    before = t.tree
    messages = t.session.tree.find("message")  # each holding its text, its render given back
    assert len(messages) == 40 and all(type(m.props) is Unrendered and not m.children for m in messages)
    forget()
    t.reset()  # the page reloads and resumes its session: it gets the whole tree
    t.session.snapshot()
    t.wait_for(lambda t: len(t.messages) == 40)
    assert t.tree == before


STREAM = """
import reactchat as rc
if prompt := rc.chat_input():
    rc.message("user", prompt)
    with rc.message("assistant"):
        rc.write_stream(iter(["Here ", "is **KEY**", "\\n\\n```python\\nprint(1)\\n```\\n\\nand [a link][r].\\n\\n[r]: https://x.org"]))
"""


def test_a_streamed_answer_gives_its_render_back_once_it_ends_and_shows_the_same_after_a_reload() -> None:
    t = ChatTest.from_source(STREAM.replace("KEY", secrets.token_hex(8)))
    t.send("hi")
    before = t.tree
    user, answer = t.session.tree.find("message")  # (the answer streamed into its markdown node)
    assert type(user.props) is Unrendered and [n.props is GIVEN_BACK for n in answer.children] == [True]
    forget()
    t.reset()
    t.session.snapshot()
    t.wait_for(lambda t: len(t.messages) == 2)
    assert t.tree == before
