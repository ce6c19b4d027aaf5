"""Where a run is in one container, and the runs of children it can take whole: the children a sequence
(a chat history) declared one per item last run, taken again when this run's sequence starts the same way,
by comparing references rather than declaring each (``Reconciler.reuse_prefix``)."""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from itertools import repeat
from typing import Any, TypeAlias

from reactchat.tree import Key, Node, Tree

__all__ = ["Cursor", "Snap"]

Snap: TypeAlias = "Callable[[Any, Node], Any] | None"
"""Copies an item the app may change in place (given the node declared for it: a copy it kept may do), for
the next run to compare its items with."""

_KEY, _ID = operator.attrgetter("key"), operator.attrgetter("id")


class Cursor:
    """Where the run is in one container: ``node.children[:n]`` are this run's children, in order, except
    for ``skipped`` ones (left over from the last run, passed over to reach a match further on)."""

    __slots__ = ("counts", "n", "node", "sites", "skipped", "taken", "took")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.n = 0
        # Made on first use: most containers (a message's body) hold one child and never need them.
        self.counts: dict[str, int] | None = None  # how many unkeyed children of each kind so far
        self.sites: dict[str, str] | None = None  # key -> where it was given (emit names a duplicate by it)
        self.skipped: set[int] | None = None
        self.taken: AbstractSet[Key] = frozenset()  # the keys of a prefix taken whole (take_prefix)
        self.took: tuple[int, Any] | None = None  # where it started, and the note it was taken by

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
        ``note_prefix`` noted for a start of ``items`` and an equal ``extra``, if none was changed since
        (``Reconciler`` drops the note then). A comparison of references per item; no Python per item."""
        i, kept = self.n, tree.prefixes.get(self.node.id)
        span = tuple(self.node.children[i : i + len(kept[0])]) if kept else ()
        if kept is None or kept[2] != extra or items[: len(kept[1])] != kept[1] or span != kept[0]:
            return 0, i
        keys = kept[3]
        if type(keys) is tuple:  # unkeyed: numbered by kind, from where its counter stands
            counts = self.counts = self.counts if self.counts is not None else {}
            if counts.get(keys[0], 0) != keys[1]:
                return 0, i
            counts[keys[0]] = keys[1] + len(kept[0])
        elif self.taken or (self.sites and not keys.isdisjoint(self.sites)):
            return 0, i  # a second prefix here, or a key given twice (emit names it)
        else:
            self.taken = keys
        self.n, self.took = i + len(kept[0]), (i, kept)
        return len(kept[0]), i

    def note_prefix(
        self, tree: Tree, start: int, items: tuple[Any, ...], extra: Any, snap: Snap = None
    ) -> None:
        """The children from ``start`` to the cursor were declared one per item of ``items``, from
        ``extra``; ``snap`` copies an item the app may change in place (the next run compares with it)."""
        nodes = list(self.node.children[start : self.n])
        for passed in filter(None, map(tree.nodes.get, self.skipped or ())):
            # Passed over to reach a match (moved behind these later, or pruned): after a prefix taken whole,
            # so looked for from the end (a scan from the start of a long history is most of a turn's work).
            with contextlib.suppress(ValueError):
                del nodes[len(nodes) - 1 - nodes[::-1].index(passed)]
        kept = tree.prefixes.get(self.node.id)  # these nodes' keys are known (a key never changes)
        took = self.took  # taken whole this run by that note: these are its nodes (take_prefix checked)
        taken = kept is not None and took is not None and took[1] is kept and took[0] == start
        kept = kept if kept and (taken or tuple(nodes[: len(kept[0])]) == kept[0]) else None
        keys, top, done = (kept[3], kept[4], kept[1]) if kept is not None else (None, 0, ())
        tail = nodes[len(done) :]
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
            if new != [(kind, first + len(done) + j) for j in range(len(new))]:
                return
            keys = (kind, first)
        else:
            return  # some named, some numbered
        items = done + tuple(map(snap, items[len(done) :], tail)) if snap else items
        top = max(top, *map(_ID, tail)) if tail else top
        tree.prefixes[self.node.id] = (tuple(nodes), items, extra, keys, top)
