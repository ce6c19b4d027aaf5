"""A container's cursor: the run of children a sequence declared, taken whole again (see also
tests/test_reconcile.py, which drives it through the Reconciler)."""

from __future__ import annotations

from itertools import chain
from typing import Any

from reactchat.cursor import BLOCK, Cursor, Snap, Taken, flattened, recheck
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
    assert Cursor(tree.root).take_prefix(tree, ("x", "b"), "extra") == (0, 0)
    assert Cursor(tree.root).take_prefix(tree, ("a", "b"), "other") == (0, 0)
    taken = Cursor(tree.root)
    taken.take_prefix(tree, ("a", "b"), "extra")
    assert taken.n == 2 and taken.taken == {"a", "b"}


def _noted(tree: Tree, items: tuple[Any, ...], snap: Snap = dict) -> None:
    cursor = Cursor(tree.root)
    cursor.n = len(items)
    cursor.note_prefix(tree, 0, items, None, snap)


def test_items_are_compared_with_the_copies_snap_made() -> None:
    tree = Tree()
    _declared(tree, ["a"])
    item = {"content": ["a list", "the app may change"]}
    _noted(tree, (item,), lambda item: {**item, "content": list(item["content"])})
    assert tree.prefixes[0].items == ({"content": ["a list", "the app may change"]},)  # a copy
    item["content"].append("changed in place")
    assert Cursor(tree.root).take_prefix(tree, (item,), None) == (0, 0)


def test_dicts_of_plain_values_are_kept_flat_and_a_change_in_place_is_seen_where_it_is() -> None:
    tree = Tree()
    _declared(tree, ["a", "b", "c"])
    items = (
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    )
    _noted(tree, items)
    assert tree.prefixes[0].items is items and tree.prefixes[0].flat == (flattened(items),)
    assert _taken(tree, items) == (3, False)
    items[1]["content"] = "changed in place"
    assert _taken(tree, items) == (3, True)  # taken by identity, then found changed
    assert len(tree.prefixes[0].nodes) == 1  # the note ends before the changed one: the next run declares it
    assert _taken(tree, items) == (1, False)


def _taken(tree: Tree, items: tuple[Any, ...]) -> tuple[int, bool]:
    """How many items a run takes (by identity), and whether the check after the run finds one changed."""
    unchecked: list[Taken] = []
    n, _ = Cursor(tree.root).take_prefix(tree, items, None, unchecked)
    tree.rechecked = False  # (each call here stands for a run an event triggered)
    return n, recheck(tree, unchecked)


def test_a_long_history_is_kept_in_blocks_a_turn_fills_and_a_change_is_found_in_its_block() -> None:
    tree = Tree()
    keys = [f"m{i}" for i in range(BLOCK * 2 + 44)]
    _declared(tree, keys)
    items = tuple({"role": "user", "content": key} for key in keys)
    _noted(tree, items[:-2])  # the last turn's, then this one's two more
    cursor = Cursor(tree.root)
    assert cursor.take_prefix(tree, items, None) == (len(items) - 2, 0)
    cursor.n = len(items)
    cursor.note_prefix(tree, 0, items, None, dict)
    blocks = tree.prefixes[0].flat
    assert blocks is not None and [len(b[2]) for b in blocks] == [BLOCK, BLOCK, 44]
    assert tuple(tuple(chain.from_iterable(b[i] for b in blocks)) for i in range(3)) == flattened(items)
    items[BLOCK + 7]["content"] = "changed in place"
    assert _taken(tree, items) == (len(items), True)
    assert [len(b[2]) for b in tree.prefixes[0].flat or ()] == [BLOCK, 7]  # the note ends before it


def test_a_key_added_renamed_or_moved_to_the_next_item_is_a_change() -> None:
    for change in ("add", "rename", "move"):
        tree = Tree()
        _declared(tree, ["a", "b"])
        items = ({"role": "user", "content": "a", "id": 1}, {"role": "assistant", "content": "b"})
        _noted(tree, items)
        first, second = items
        if change == "add":
            second["feedback"] = "like"
        elif change == "rename":
            second["text"] = second.pop("content")
        else:  # the same keys and values one after another, split at another place
            second.update(id=first.pop("id")) or second.update(
                role=second.pop("role"), content=second.pop("content")
            )
        assert _taken(tree, items) == (2, True), change
        assert 0 not in tree.prefixes or len(tree.prefixes[0].nodes) < 2, change


def test_items_that_are_not_dicts_of_plain_values_are_copied() -> None:
    tree = Tree()
    _declared(tree, ["a"])
    _noted(tree, ({"role": "user", "content": "a", "metadata": {"title": "a dict the app may change"}},))
    assert tree.prefixes[0].flat is None and tree.prefixes[0].items is not None
