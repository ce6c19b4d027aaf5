"""Where a run is in one container, and the runs of children it can take whole: the children a sequence
(a chat history) declared one per item last run, taken again as far as this run's sequence starts the same
way, by comparing references rather than declaring each (``Reconciler.reuse_prefix``)."""

from __future__ import annotations

import contextlib
import operator
from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from itertools import accumulate, chain, compress, count, repeat
from typing import Any, TypeAlias

from reactchat.tree import Key, Node, Tree

__all__ = ["Cursor", "Note", "Snap", "flattened"]

Snap: TypeAlias = "Callable[[Any], Any] | None"
"""Copies an item the app may change in place, for the next run to compare its items with."""

Flat: TypeAlias = "tuple[tuple[Any, ...], tuple[Any, ...], tuple[int, ...]]"

_KEY, _ID = operator.attrgetter("key"), operator.attrgetter("id")
_PLAIN = (str, int, float, type(None))  # values an item cannot change in place (a str subclass: its text)


def flattened(items: tuple[Any, ...]) -> Flat | None:
    """``items``, dicts, as three tuples: their keys, their values, and how many of each every one has (at
    C speed, no Python per item); None if one is not a dict."""
    try:
        values = tuple(chain.from_iterable(map(dict.values, items)))
    except TypeError:
        return None
    return tuple(chain.from_iterable(items)), values, tuple(map(len, items))


def _first_unequal(a: tuple[Any, ...], b: tuple[Any, ...]) -> int:
    """Where ``a`` and ``b`` first differ (the shorter one's length if one starts the other)."""
    return next(compress(count(), map(operator.ne, a, b)), min(len(a), len(b)))


def _head(flat: Flat, n: int) -> Flat:
    names, values, lens = flat
    pairs = sum(lens[:n])
    return names[:pairs], values[:pairs], lens[:n]


class Note:
    """The children of a container from where a sequence started, declared one per item of it (a chat
    history): what the next run may take as they are, as far as its sequence starts with equal items.

    Items that are dicts of plain values (str, numbers, None) are kept flat (``flattened``: their keys and
    values, 40 B per 2-key message) rather than copied (a dict is 184 B), and compared so at C speed: a dict
    the app changed in place differs from what was noted, as a copy would. Other items are kept as they are
    (``snap`` None: the app never changes them) or as ``snap`` copied them."""

    __slots__ = ("extra", "flat", "items", "keys", "nodes", "top")

    def __init__(
        self, nodes: tuple[Node, ...], items: tuple[Any, ...] | None, flat: Flat | None, extra: Any,
        keys: Any, top: int,
    ) -> None:  # fmt: skip
        self.nodes = nodes
        self.items = items  # None when ``flat`` holds them
        self.flat = flat
        self.extra = extra  # what else they were declared from (the rendering options)
        self.keys = keys  # their keys: a set of names, or (kind, first number) when numbered
        self.top = top  # their highest id: a node changed since drops the note (Reconciler._touched)

    def same(self, items: tuple[Any, ...]) -> tuple[int, Flat | None]:
        """How many of ``items`` (no more than this note's) are as noted, and (noted flat) those flattened."""
        m = len(items)
        if self.flat is None:
            assert self.items is not None
            return (m if items == self.items[:m] else _first_unequal(items, self.items)), None
        now = flattened(items)
        if now is None:
            return 0, None
        names, values, lens = self.flat
        if now[2] == lens[:m] and now[0] == names[: len(now[0])] and now[1] == values[: len(now[1])]:
            return m, now
        k = _first_unequal(now[2], lens)  # the items before k have as many keys as noted: pairs line up
        pairs = sum(now[2][:k])
        differ = min(_first_unequal(now[0][:pairs], names), _first_unequal(now[1][:pairs], values))
        n = bisect_right(tuple(accumulate(now[2][:k])), differ)  # the item that pair is in
        return n, _head(now, n)

    def head(self, n: int, flat: Flat | None) -> Note:
        """This note's first ``n`` nodes (``flat``: their items flattened)."""
        nodes = self.nodes[:n]
        keys = self.keys if type(self.keys) is tuple else set(map(_KEY, nodes))
        items = None if self.items is None else self.items[:n]
        return Note(nodes, items, flat, self.extra, keys, max(map(_ID, nodes)))


class Cursor:
    """Where the run is in one container: ``node.children[:n]`` are this run's children, in order, except
    for ``skipped`` ones (left over from the last run, passed over to reach a match further on)."""

    __slots__ = ("counts", "n", "node", "sequence", "sites", "skipped", "taken", "took")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.n = 0
        # Made on first use: most containers (a message's body) hold one child and never need them.
        self.counts: dict[str, int] | None = None  # how many unkeyed children of each kind so far
        self.sites: dict[str, str] | None = None  # key -> where it was given (emit names a duplicate by it)
        self.skipped: set[int] | None = None
        self.taken: AbstractSet[Key] = frozenset()  # the keys of a prefix taken whole (take_prefix)
        # Where a prefix taken started, the note it was taken by, and its items flattened (noted flat).
        self.took: tuple[int, Note, Flat | None] | None = None
        self.sequence = False  # between take_prefix and note_prefix: its items' nodes need no memo each

    def take_one(self, kind: str, key: str | None, memo: Any) -> Node | None:
        """The next child, counted as declared again, if it was declared from a ``memo`` equal to this one
        (``Reconciler.reuse``); None otherwise."""
        children = self.node.children
        i = self.n
        if i >= len(children):
            return None
        node = children[i]
        kept = node.memo  # (dropped when its props change: Reconciler._touched)
        if kept is None or node.kind != kind or kept != memo:
            return None
        if key is None:
            counts = self.counts
            if counts is None:
                counts = self.counts = {}
            n = counts.get(kind, 0)
            if node.key != (kind, n):
                return None
            counts[kind] = n + 1
        else:
            sites = self.sites
            if sites is None:
                sites = self.sites = {}
            if node.key != key or key in sites or key in self.taken:
                return None  # emit names the duplicate
            sites[key] = ""  # where is only looked up for an error: not worth a stack walk per message
        self.n = i + 1
        return node

    def take_prefix(self, tree: Tree, items: tuple[Any, ...], extra: Any) -> tuple[int, int]:
        """How many of the next children count as declared again, as they are, and where they start: those
        ``note_prefix`` noted for as many items as start ``items`` equal, with an equal ``extra``, if none was
        changed since (``Reconciler`` drops the note then). References compared per item, at C speed."""
        self.sequence = True
        i, note = self.n, tree.prefixes.get(self.node.id)
        if note is None or note.extra != extra:
            return 0, i
        n, flat = note.same(items[: len(note.nodes)])
        if not n or tuple(self.node.children[i : i + n]) != note.nodes[:n]:
            return 0, i
        if n < len(note.nodes):  # taken up to the first item changed since: the note is of those now
            note = tree.prefixes[self.node.id] = note.head(n, flat)
        keys = note.keys
        if type(keys) is tuple:  # unkeyed: numbered by kind, from where its counter stands
            counts = self.counts = self.counts if self.counts is not None else {}
            if counts.get(keys[0], 0) != keys[1]:
                return 0, i
            counts[keys[0]] = keys[1] + n
        elif self.taken or (self.sites and not keys.isdisjoint(self.sites)):
            return 0, i  # a second prefix here, or a key given twice (emit names it)
        else:
            self.taken = keys
        self.n, self.took = i + n, (i, note, flat)
        return n, i

    def note_prefix(
        self, tree: Tree, start: int, items: tuple[Any, ...], extra: Any, snap: Snap = None
    ) -> None:
        """The children from ``start`` to the cursor were declared one per item of ``items``, from
        ``extra``; ``snap`` copies an item the app may change in place (unless it is a dict of plain values,
        kept flat: ``Note``)."""
        self.sequence = False
        nodes = list(self.node.children[start : self.n])
        for passed in filter(None, map(tree.nodes.get, self.skipped or ())):
            # Passed over to reach a match (moved behind these later, or pruned): after a prefix taken whole,
            # so looked for from the end (a scan from the start of a long history is most of a turn's work).
            with contextlib.suppress(ValueError):
                del nodes[len(nodes) - 1 - nodes[::-1].index(passed)]
        note, took = tree.prefixes.get(self.node.id), self.took
        if note is None or took is None or took[1] is not note or took[0] != start:
            note = None  # none taken this run (or changed since): noted anew
        done = len(note.nodes) if note is not None else 0
        keys, top = (note.keys, note.top) if note is not None else (None, 0)
        tail = nodes[done:]
        new = list(map(_KEY, tail))
        if not nodes or len(nodes) != len(items):
            return
        if type(keys) is not tuple and all(map(isinstance, new, repeat(str))):
            # All given: taken by name. The last note's set grows in place (a key never changes, and the note
            # is replaced by this one): a copy of every key of a long history per turn is most of its cost.
            keys = set() if keys is None else keys
            keys.update(new)
        elif keys is None or type(keys) is tuple:  # unkeyed: numbered by kind, one after another
            kind, first = keys or (new[0] if type(new[0]) is tuple else ("", 0))
            if new != [(kind, first + done + j) for j in range(len(new))]:
                return
            keys = (kind, first)
        else:
            return  # some named, some numbered
        top = max(top, *map(_ID, tail)) if tail else top
        flat = took[2] if took is not None and note is not None else None
        kept, flat = _kept(note, flat, items, done, snap)
        tree.prefixes[self.node.id] = Note(tuple(nodes), kept, flat, extra, keys, top)


def _kept(
    note: Note | None, flat: Flat | None, items: tuple[Any, ...], done: int, snap: Snap
) -> tuple[tuple[Any, ...] | None, Flat | None]:
    """What a note keeps of ``items``, of which the first ``done`` were taken by ``note`` (``flat``: those
    flattened): the items (``snap`` None), or flattened, or copies."""
    if snap is None:
        return items, None
    if note is None or flat is not None:
        more = flattened(items[done:])
        if more is not None and all(issubclass(t, _PLAIN) for t in set(map(type, more[1]))):
            return None, more if flat is None else (flat[0] + more[0], flat[1] + more[1], flat[2] + more[2])
    head = note.items if note is not None and note.items is not None else tuple(map(snap, items[:done]))
    return head + tuple(map(snap, items[done:])), None
