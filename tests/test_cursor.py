"""A container's cursor: the run of children a sequence declared, taken whole again (see also
tests/test_reconcile.py, which drives it through the Reconciler)."""

from __future__ import annotations

from reactchat.cursor import Cursor
from reactchat.tree import Tree


def _declared(tree: Tree, keys: list[str]) -> None:
    for key in keys:
        node = tree.new_node("message", key, {"text": key})
        node.memo = key
        tree.root.own_children().append(node)
        tree.root.adopted(node)


def test_a_noted_prefix_is_taken_for_a_sequence_that_starts_with_it_and_not_for_another() -> None:
    tree = Tree()
    _declared(tree, ["a", "b"])
    first = Cursor(tree.root)
    first.n = 2
    first.note_prefix(tree, 0, ("a", "b"), "extra", None)
    assert Cursor(tree.root).take_prefix(tree, ("a", "b", "c"), "extra") == (2, 0)
    assert Cursor(tree.root).take_prefix(tree, ("a", "x"), "extra") == (0, 0)
    assert Cursor(tree.root).take_prefix(tree, ("a", "b"), "other") == (0, 0)
    taken = Cursor(tree.root)
    taken.take_prefix(tree, ("a", "b"), "extra")
    assert taken.n == 2 and taken.taken == {"a", "b"}


def test_items_are_compared_with_the_copies_snap_made() -> None:
    tree = Tree()
    _declared(tree, ["a"])
    item = {"content": "hi"}
    cursor = Cursor(tree.root)
    cursor.n = 1
    cursor.note_prefix(tree, 0, (item,), None, lambda item, node: dict(item))
    item["content"] = "changed in place"
    assert Cursor(tree.root).take_prefix(tree, (item,), None) == (0, 0)
