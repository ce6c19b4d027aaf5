from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactchat.errors import DuplicateKeyError
from reactchat.markdown import markdown_props, markdown_source_props
from reactchat.ops import DEL, INS, MOV, REP, SET, Batch, Op, apply, empty_root
from reactchat.reconcile import Reconciler
from reactchat.testing import ChatTest
from reactchat.tree import GIVEN_BACK, Atop, Node, Tree, Unrendered

Decl = tuple[str, str | None, dict[str, Any], list[Any]]  # kind, key, props, children


def declare(rec: Reconciler, decls: list[Decl]) -> None:
    for kind, key, props, children in decls:
        node = rec.emit(kind, dict(props), key)
        if children:
            rec.enter(node)
            declare(rec, children)
            rec.exit()


def run(tree: Tree, decls: list[Decl]) -> list[Op]:
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    declare(rec, decls)
    rec.finish(prune=True)
    return ops


def shape(node: list[Any]) -> list[Any]:
    return [node[1], node[2], [shape(c) for c in node[3]]]


def decl_shape(decls: list[Decl]) -> list[Any]:
    return [[kind, props, decl_shape(children)] for kind, _, props, children in decls]


def declarations(depth: int = 0) -> st.SearchStrategy[list[Decl]]:
    leaf = st.tuples(
        st.sampled_from(["message", "markdown"]),
        st.sampled_from([None, None, "a", "b", "c"]),
        st.fixed_dictionaries({"v": st.integers(0, 2)}),
        st.just([]) if depth >= 1 else st.deferred(lambda: declarations(depth + 1)),
    )

    def unique_keys(decls: list[Decl]) -> bool:
        keys = [d[1] for d in decls if d[1] is not None]
        return len(keys) == len(set(keys))

    return st.lists(leaf, max_size=5).filter(unique_keys)


@settings(max_examples=300, deadline=None)
@given(declarations(), declarations())
def test_ops_turn_the_old_tree_into_the_new_one(old: list[Decl], new: list[Decl]) -> None:
    tree = Tree()
    run(tree, old)
    before = tree.to_wire()
    ops = run(tree, new)
    after = apply(before, ops)
    assert after == tree.to_wire()
    assert [shape(c) for c in after[3]] == decl_shape(new)
    # and the same through the coalescing batch, as the outbox sends it
    batch = Batch()
    for op in ops:
        batch.push(op)
    assert apply(before, batch.take()) == after


def history(n: int) -> list[Decl]:
    return [
        ("message", None, {"role": "user"}, [("markdown", None, {"blocks": [f"<p>{i}</p>"]}, [])])
        for i in range(n)
    ]


def test_redeclaring_an_unchanged_tree_sends_nothing() -> None:
    tree = Tree()
    run(tree, history(50))
    assert run(tree, history(50)) == []


def test_appending_a_message_sends_one_insert() -> None:
    tree = Tree()
    run(tree, history(50))
    batch = Batch()
    for op in run(tree, history(51)):
        batch.push(op)
    assert [op[0] for op in batch.take()] == [INS]  # the child insert folds into its parent's


def test_a_conditional_element_does_not_shift_the_identity_of_others() -> None:
    tree = Tree()
    run(tree, [("spinner", None, {}, []), *history(3)])
    ids = [n.id for n in tree.root.children if n.kind == "message"]
    ops = run(tree, history(3))
    assert [n.id for n in tree.root.children] == ids
    assert [op[0] for op in ops] == [DEL]


def test_props_change_is_a_set_of_only_the_changed_props() -> None:
    tree = Tree()
    run(tree, [("title", None, {"text": "a", "size": 1}, [])])
    assert run(tree, [("title", None, {"text": "b", "size": 1}, [])]) == [[SET, 1, {"text": "b"}]]
    assert run(tree, [("title", None, {"text": "b"}, [])]) == [[SET, 1, {"size": None}]]


def test_keyed_nodes_move_instead_of_being_recreated() -> None:
    tree = Tree()
    run(tree, [("m", "a", {}, []), ("m", "b", {}, [])])
    ids = {n.key: n.id for n in tree.root.children}
    ops = run(tree, [("m", "b", {}, []), ("m", "a", {}, [])])
    assert [op[0] for op in ops] == [MOV]
    assert {n.key: n.id for n in tree.root.children} == ids


def test_a_kind_change_replaces_the_node() -> None:
    tree = Tree()
    run(tree, [("m", "x", {}, [])])
    ops = run(tree, [("markdown", "x", {}, [])])
    assert [op[0] for op in ops] == [REP]


def test_duplicate_key_names_both_call_sites() -> None:
    tree = Tree()
    rec = Reconciler(tree, lambda op: None, threading.Lock())
    rec.begin()
    rec.emit("message", {}, "same")
    with pytest.raises(
        DuplicateKeyError,
        match=r"duplicate key 'same': used at .*test_reconcile.py:\d+ and again at .*test_reconcile.py:\d+",
    ):
        rec.emit("message", {}, "same")


def test_finish_without_prune_keeps_what_was_not_redeclared() -> None:
    tree = Tree()
    run(tree, history(3))
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    declare(rec, history(1))
    rec.finish(prune=False)
    assert ops == [] and len(tree.root.children) == 3


def test_append_splices_by_characters_and_reports_utf16_cut() -> None:
    tree = Tree()
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    node = rec.emit("markdown", {"tail": "ab😀c"})
    rec.append(node, "tail", "Z", keep=2)
    assert node.props["tail"] == "abZ"
    assert ops[-1] == [4, node.id, "tail", "Z", 3]  # 😀 is two UTF-16 units
    assert apply(empty_root(), ops)[3][0][2]["tail"] == "abZ"


def test_duplicate_keys_are_an_error_naming_both_lines(write_app: Callable[[str], str]) -> None:
    path = write_app("""
        import reactchat as rc
        rc.message("user", "a", key="k")
        rc.message("user", "b", key="k")
    """)
    t = ChatTest.from_file(path)
    assert t.errors[0]["type"] == "DuplicateKeyError"
    assert f"{path}:3" in t.errors[0]["message"] and f"{path}:4" in t.errors[0]["message"]


def test_unchanged_history_costs_no_bytes_on_the_next_turn(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file("examples/echo.py")
    for i in range(20):
        t.send(f"message {i}")
    before = t.bytes_sent
    t.send("short")
    small = t.bytes_sent - before
    assert small < 400
    assert t.tree == t.session.tree.to_wire()


def test_reuse_keeps_an_untouched_node_declared_from_an_equal_memo() -> None:
    tree = Tree()
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())

    def declare_all(memos: list[str], keys: list[str | None]) -> list[bool]:
        reused = []
        rec.begin()
        for memo, key in zip(memos, keys, strict=True):
            node = rec.reuse("message", key, memo)
            reused.append(node is not None)
            if node is None:
                node = rec.emit("message", {"m": memo}, key)
                rec.enter(node)
                rec.emit("markdown", {"text": memo})
                rec.exit()
                rec.remember(node, memo)
        rec.finish(prune=True)
        return reused

    assert declare_all(["a", "b"], [None, "k"]) == [False, False]
    ops.clear()
    assert declare_all(["a", "b"], [None, "k"]) == [True, True] and ops == []
    assert len(tree.root.children) == 2 and all(len(c.children) == 1 for c in tree.root.children)
    assert declare_all(["a", "B"], [None, "k"]) == [True, False]  # a changed memo declares it again
    assert [op[0] for op in ops] == [SET, SET]
    rec.set(tree.root.children[0], {"feedback": "Like"})  # changed since: not reused
    assert declare_all(["a", "B"], [None, "k"]) == [False, True]
    assert declare_all(["B"], ["other"]) == [False]  # another key is another node
    with pytest.raises(DuplicateKeyError, match="used at an earlier call and again at"):
        rec.begin()
        assert rec.reuse("message", "other", "B") is not None
        rec.emit("message", {}, "other")


def test_a_memo_counts_only_with_the_extra_it_was_made_with_and_a_new_extra_forgets_the_others() -> None:
    tree = Tree()
    rec = Reconciler(tree, [].append, threading.Lock())

    def declare_all(memos: list[str], extra: object) -> list[bool]:
        reused = []
        rec.begin()
        for memo in memos:
            node = rec.reuse("message", None, memo, extra)
            reused.append(node is not None)
            if node is None:
                rec.remember(rec.emit("message", {"m": memo}), memo, extra)
        rec.finish(prune=True)
        return reused

    options, other = ("options",), ("other options",)
    assert declare_all(["a", "b"], options) == [False, False]
    assert declare_all(["a", "b"], options) == [True, True]
    assert declare_all(["a"], other) == [False]  # "a" is remembered with the new extra; "b" is pruned
    assert declare_all(["a", "b"], options) == [False, False]  # made with `other` since: declared again
    rec.begin()
    rec.remember(tree.root.children[0], "a", other)  # another extra forgets every memo made with the last
    assert tree.root.children[1].memo is None and tree.root.children[0].memo == "a"


def test_nodes_declared_with_equal_props_in_a_run_share_them_and_a_change_to_one_is_its_own() -> None:
    tree = Tree()
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    defaults = {"created_at": 1.5, "feedback": None}
    first, second, third = (
        rec.emit("message", {"role": r}, defaults=defaults) for r in ("user", "user", "bot")
    )
    with_list = [rec.emit("message", {"role": "user", "options": [1]}, defaults=defaults) for _ in range(2)]
    rec.finish(prune=True)
    assert first.props is second.props and first.props == {"created_at": 1.5, "role": "user"}
    assert third.props == {"created_at": 1.5, "role": "bot"} and third.props is not first.props
    assert with_list[0].props == with_list[1].props and with_list[0].props is not with_list[1].props
    rec.set(second, {"feedback": "like"})
    assert first.props == {"created_at": 1.5, "role": "user"}
    assert second.props == {"created_at": 1.5, "role": "user", "feedback": "like"}
    assert apply(None, ops) == tree.to_wire()


def test_a_first_child_is_held_in_a_tuple_of_one_and_a_change_makes_a_list() -> None:
    tree = Tree()
    first = [("message", None, {"role": "user"}, [("markdown", None, {"html": "a"}, [])])]
    ops = run(tree, first)
    message = tree.root.children[0]
    assert type(message.children) is tuple and len(message.children) == 1
    assert type(message.children[0].children) is tuple and not message.children[0].children
    second = [
        ("message", None, {"role": "user"}, [("markdown", None, {"html": "a"}, []), ("image", None, {}, [])])
    ]
    ops += run(tree, second)
    assert type(message.children) is list and [c.kind for c in message.children] == ["markdown", "image"]
    ops += run(tree, first)
    assert [c.kind for c in message.children] == ["markdown"]
    assert apply(None, ops) == tree.to_wire()


def test_drop_leftovers_deletes_last_runs_chat_below_the_cursor_at_once() -> None:
    tree = Tree()
    msg: Decl = (
        "message",
        None,
        {"v": 1},
        [("markdown", None, {"v": 1}, []), ("markdown", None, {"v": 2}, [])],
    )
    run(tree, [("message", None, {"v": 0}, []), msg, ("thought", None, {}, []), ("chat_input", None, {}, [])])
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    rec.emit("message", {"v": 0})
    node = rec.emit("message", {"v": 1})
    rec.enter(node)
    rec.emit("markdown", {"v": 1})
    rec.drop_leftovers(frozenset({"message", "thought"}))
    # In the message everything after the cursor goes; at the top only chat: the chat input stays.
    assert [c.kind for c in tree.root.children] == ["message", "message", "chat_input"]
    assert [c.props for c in node.children] == [{"v": 1}]
    assert [op[0] for op in ops] == [DEL, DEL]
    rec.exit()
    rec.emit("chat_input", {})
    rec.finish(prune=True)
    assert [c.kind for c in tree.root.children] == ["message", "message", "chat_input"]


def _shown(rec: Reconciler, items: tuple[str, ...], extra: Any = "r") -> int:
    """Declare a message per item the way conv.show does: what the last run declared is taken as it is."""
    reused, start = rec.reuse_prefix(items, extra)
    for item in items[reused:]:
        node = rec.emit("message", {"text": item}, f"m:{item}")
        rec.remember(node, item)
    rec.remember_prefix(start, items, extra)
    return reused


def _turn(
    tree: Tree, items: tuple[str, ...], extra: Any = "r", after: str | None = "input"
) -> tuple[int, list[Op]]:
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.begin()
    reused = _shown(rec, items, extra)
    if after is not None:
        rec.emit("chat_input", {}, None)
    rec.finish(prune=True)
    return reused, ops


def test_an_unchanged_prefix_is_taken_whole_and_only_what_is_new_is_declared() -> None:
    tree = Tree()
    assert _turn(tree, ("a", "b"))[0] == 0
    reused, ops = _turn(tree, ("a", "b", "c", "d"))
    assert reused == 2 and [op[0] for op in ops] == [INS, INS]
    assert _turn(tree, ("a", "b", "c", "d", "e"))[0] == 4
    assert [n.props["text"] for n in tree.root.children if n.kind == "message"] == ["a", "b", "c", "d", "e"]


def test_a_prefix_is_taken_as_far_as_it_is_unchanged_and_not_when_what_it_was_declared_from_changed() -> None:
    tree = Tree()
    _turn(tree, ("a", "b", "c"))
    reused, ops = _turn(tree, ("a", "x", "c"))  # an item in it changed: taken up to it
    assert reused == 1 and [n.props["text"] for n in tree.root.children if n.kind == "message"] == [
        "a",
        "x",
        "c",
    ]
    assert _turn(tree, ("a", "x", "c"))[0] == 3  # noted again, whole
    _turn(tree, ("a", "b", "c"))
    assert _turn(tree, ("a", "b", "c"), extra="other rendering")[0] == 0
    _turn(tree, ("a", "b", "c"))
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    rec.set(tree.root.children[1], {"feedback": "Like"})  # touched since: declared again, one by one
    assert _turn(tree, ("a", "b", "c"))[0] == 0
    _turn(tree, ("a", "b", "c"))
    assert _turn(tree, ("a", "b"))[0] == 2  # shorter: as far as it goes
    assert [n.props["text"] for n in tree.root.children if n.kind == "message"] == ["a", "b"]


def test_a_prefix_taken_whole_still_names_a_duplicate_key_declared_after_it() -> None:
    tree = Tree()
    _turn(tree, ("a", "b"))
    rec = Reconciler(tree, [].append, threading.Lock())
    rec.begin()
    assert _shown(rec, ("a", "b")) == 2
    with pytest.raises(DuplicateKeyError):
        rec.emit("message", {"text": "again"}, "m:a")


def test_an_unkeyed_prefix_is_taken_whole_and_numbers_what_follows_as_before() -> None:
    def turn(tree: Tree, items: tuple[str, ...], extra_after: int) -> tuple[int, list[Op]]:
        ops: list[Op] = []
        rec = Reconciler(tree, ops.append, threading.Lock())
        rec.begin()
        reused, start = rec.reuse_prefix(items, "r")
        for item in items[reused:]:
            rec.remember(rec.emit("message", {"text": item}), item)
        rec.remember_prefix(start, items, "r")
        for n in range(extra_after):  # unkeyed messages after it: numbered on from the prefix
            rec.emit("message", {"text": f"new {n}"})
        rec.finish(prune=True)
        return reused, ops

    tree = Tree()
    assert turn(tree, ("a", "b"), 2)[0] == 0
    reused, ops = turn(tree, ("a", "b", "new 0", "new 1"), 2)
    # The two shown after the prefix last run are re-declared in it as they were; two more follow.
    assert reused == 2 and [op[0] for op in ops] == [INS, INS]
    assert [n.key for n in tree.root.children] == [("message", i) for i in range(6)]
    assert turn(tree, ("a", "b", "new 0", "new 1"), 2)[0] == 4


def _markdown(rec: Reconciler, text: str) -> Node:
    return _said(rec, text, None, kind="markdown")


def test_a_render_goes_with_its_insert_and_the_node_keeps_its_source_only() -> None:
    ops: list[Op] = []
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, ops.append, threading.Lock())
    node = _markdown(rec, "one\n\ntwo")
    assert ops == [[INS, 0, None, [node.id, "markdown", markdown_props("one\n\ntwo"), []]]]
    assert node.props is GIVEN_BACK and node.source == "one\n\ntwo"
    ops.clear()
    assert _markdown(rec, "one\n\ntwo") is node and ops == []  # the same source: nothing to send
    _markdown(rec, "one")  # the page is told what changed from what it has: the cuts go
    assert ops == [[SET, node.id, {"html": markdown_props("one")["html"], "cuts": None}]]
    assert node.props is GIVEN_BACK and tree.held(node) == markdown_props("one")
    ops.clear()
    rec.append(node, "html", "<p>more</p>")  # (a stream into it) starts from what it shows
    assert node.props == {"html": markdown_props("one")["html"] + "<p>more</p>"}


def test_a_render_waiting_for_the_whole_tree_is_kept_until_that_goes() -> None:
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, lambda op: None, threading.Lock(), lambda: False)  # (Outbox.send_tree pending)
    node = _markdown(rec, "*hi*")
    assert node.props == markdown_props("*hi*")
    wire = tree.to_wire(give_back=True)
    assert wire[3][0][2] == markdown_props("*hi*") and node.props is GIVEN_BACK


def test_a_tree_without_rerender_keeps_every_render() -> None:
    ops: list[Op] = []
    rec = Reconciler(Tree(), ops.append, threading.Lock())
    node = _markdown(rec, "*hi*")
    assert node.props == markdown_props("*hi*") and ops[0][3][2] == node.props


def test_props_declared_over_a_given_back_render_change_what_the_page_has() -> None:
    ops: list[Op] = []
    rec = Reconciler(Tree(markdown_source_props), ops.append, threading.Lock())
    node = _markdown(rec, "one\n\ntwo")  # given back: its html and cuts are the page's
    ops.clear()
    rec.begin()
    assert rec.emit("markdown", {"html": ""}) is node  # (a stream starts in its place)
    rec.finish(prune=True)
    assert ops == [[SET, node.id, {"html": "", "cuts": None}]] and node.props == {"html": ""}


def test_messages_added_after_a_long_history_need_no_index_of_it() -> None:
    t = ChatTest.from_source(
        "import reactchat as rc\n"
        "rc.session_state.setdefault('n', 200)\n"
        "for i in range(rc.session_state.n):\n"
        "    rc.message('user', f'm{i}')\n"
        "if rc.chat_input():\n"
        "    rc.session_state.n += 2\n"
        "    rc.message('user', 'new')\n"
    )
    t.send("x")
    assert len(t.messages) == 201 and t.session.tree.root.keyed is None
    t.send("y")  # the history grew by two: both found, or added, near the end
    assert [m["content"] for m in t.messages[-3:]] == ["m200", "m201", "new"]
    assert t.session.tree.root.keyed is None


def test_a_child_passed_over_is_found_before_the_cursor() -> None:
    tree = Tree()
    run(tree, [("a", "a", {}, []), ("b", "b", {}, []), ("c", "c", {}, [])])
    ops = run(tree, [("c", "c", {}, []), ("a", "a", {}, []), ("b", "b", {}, [])])
    assert [n.key for n in tree.root.children] == ["c", "a", "b"]
    assert [op[0] for op in ops] == [MOV, MOV] and tree.root.keyed is None


def _said(
    rec: Reconciler, text: str, props: dict[str, Any] | None, defaults: dict[str, Any] | None = None,
    kind: str = "message",
) -> Node:  # fmt: skip
    """One run declaring one node of ``kind`` that shows ``text`` (a message holding it, or a markdown node)."""
    rec.begin()
    node = rec.emit(kind, props, source=text, render=markdown_source_props, defaults=defaults)
    rec.finish(prune=True)
    return node


def test_a_message_holding_its_text_is_one_node_its_render_atop_its_own_props() -> None:
    ops: list[Op] = []
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, ops.append, threading.Lock())
    node = _said(rec, "*hi*", {"role": "user"})
    assert ops == [[INS, 0, None, [node.id, "message", {"role": "user", **markdown_props("*hi*")}, []]]]
    assert type(node.props) is Unrendered and node.props == {"role": "user"} and node.children == ()
    ops.clear()
    assert _said(rec, "*hi*", {"role": "user"}) is node and ops == []
    _said(rec, "*hi*", {"role": "user", "feedback": "like"})  # its own props change: the render stays given
    assert ops == [[SET, node.id, {"feedback": "like"}]] and type(node.props) is Unrendered
    ops.clear()
    _said(rec, "one\n\ntwo", {"role": "user", "feedback": "like"})
    assert ops == [[SET, node.id, {k: markdown_props("one\n\ntwo")[k] for k in ("html", "cuts")}]]
    assert node.props == {"role": "user", "feedback": "like"} and node.source == "one\n\ntwo"
    assert tree.held(node) == {"role": "user", "feedback": "like", **markdown_props("one\n\ntwo")}


def test_a_new_text_in_a_message_s_place_keeps_none_of_the_defaults_of_the_last() -> None:
    tree = Tree(markdown_source_props)
    ops: list[Op] = []
    rec = Reconciler(tree, ops.append, threading.Lock())
    node = _said(rec, "answer", {"role": "assistant"}, {"feedback": None, "created_at": 1.0})
    rec.set(node, {"feedback": "like"})  # (the user liked it)
    ops.clear()
    _said(rec, "answer", {"role": "assistant"}, {"feedback": None, "created_at": 2.0})  # the same: kept
    assert ops == [] and node.props == {"role": "assistant", "created_at": 1.0, "feedback": "like"}
    _said(rec, "another answer", {"role": "assistant"}, {"feedback": None, "created_at": 3.0})  # a retry
    assert ops[0] == [SET, node.id, {"created_at": 3.0, "feedback": None,
                                     "html": markdown_props("another answer")["html"]}]  # fmt: skip


def test_a_message_s_text_made_into_parts_and_back_changes_the_one_node() -> None:
    ops: list[Op] = []
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, ops.append, threading.Lock())
    node = _said(rec, "text", {"role": "user"})
    rec.begin()
    assert rec.emit("message", {"role": "user"}) is node  # its content is parts now
    rec.enter(node)
    rec.emit("markdown", None, source="part", render=markdown_source_props)
    rec.finish(prune=True)
    assert ops[1] == [SET, node.id, {"html": None}] and node.props == {"role": "user"}
    assert _said(rec, "text", {"role": "user"}) is node and node.props == {"role": "user"}  # (holding parts:
    assert node.children == []  # message() declares its text as one of them; here none is, and they go)
    _said(rec, "text", {"role": "user"})  # and back: its text atop its props
    assert apply(None, ops) == tree.to_wire() == [0, "root", {}, [[node.id, "message", {"role": "user",
                                                                  **markdown_props("text")}, []]]]  # fmt: skip


def test_a_message_s_render_waiting_for_the_whole_tree_is_kept_atop_its_shared_own_props() -> None:
    tree = Tree(markdown_source_props)
    rec = Reconciler(tree, lambda op: None, threading.Lock(), lambda: False)  # (Outbox.send_tree pending)
    rec.begin()
    first = rec.emit("message", {"role": "user"}, source="**a**", render=markdown_source_props)
    other = rec.emit("message", {"role": "user"}, source="b", render=markdown_source_props)
    rec.finish(prune=True)
    assert first.props == {"role": "user", **markdown_props("**a**")} and type(first.props) is Atop
    assert tree.to_wire(give_back=True)[3][0][2] == {"role": "user", **markdown_props("**a**")}
    assert type(first.props) is Unrendered and first.props is other.props == {"role": "user"}  # one object
