"""Where a run is in one container, and the runs of children it can take whole: the children a sequence
(a chat history) declared one per item last run, taken again as far as this run's sequence starts the same
way, by comparing references rather than declaring each (``Reconciler.reuse_prefix``)."""

from __future__ import annotations

import contextlib
import operator
from bisect import bisect_right
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from itertools import accumulate, chain, compress, count, repeat
from typing import Any, TypeAlias

from reactchat.tree import Key, Node, Tree

__all__ = ["Cursor", "Note", "Snap", "Taken", "flattened", "recheck"]

Snap: TypeAlias = "Callable[[Any], Any] | None"
"""Copies an item the app may change in place, for the next run to compare its items with."""

Flat: TypeAlias = "tuple[tuple[Any, ...], tuple[Any, ...], tuple[int, ...]]"

Flats: TypeAlias = "tuple[Flat, ...]"

BLOCK = 256
"""Items per block of a note's flattened items (``Flats``): a turn adds to the last block, where a copy of the
whole, at 10,000 messages, took 0.4 ms (a reference to every key and value in it taken and given back)."""

Taken: TypeAlias = "tuple[int, tuple[Any, ...], int, Flats, list[Node]]"
"""A prefix taken by identity (``Note.same``), to check once its run's frame went (``recheck``): its
container's id, the items, how many of them it took, those as noted (flattened) and their nodes."""

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


def _heads(flats: Flats, n: int) -> Flats:
    """The blocks of the first ``n`` items of ``flats``."""
    out = []
    for flat in flats:
        if n <= 0:
            break
        out.append(flat if len(flat[2]) <= n else _head(flat, n))
        n -= len(flat[2])
    return tuple(out)


def _extended(flats: Flats, items: tuple[Any, ...]) -> Flats | None:
    """``flats`` and ``items`` flattened after them (the last block filled first); None if one of ``items`` is
    not a dict of plain values."""
    out, start = list(flats), 0
    if out and len(out[-1][2]) < BLOCK:
        start, last = BLOCK - len(out[-1][2]), out.pop()
        more = flattened(items[:start])
        if more is None or not _plain(more):
            return None
        out.append((last[0] + more[0], last[1] + more[1], last[2] + more[2]))
    for i in range(start, len(items), BLOCK):
        more = flattened(items[i : i + BLOCK])
        if more is None or not _plain(more):
            return None
        out.append(more)
    return tuple(out)


def _plain(flat: Flat) -> bool:
    return all(issubclass(t, _PLAIN) for t in set(map(type, flat[1])))


def _alike(now: Flat, was: Flat) -> int:
    """How many of the items flattened in ``now`` are as those ``was`` starts with."""
    names, values, lens = was
    m = len(now[2])
    if now[2] == lens[:m] and now[0] == names[: len(now[0])] and now[1] == values[: len(now[1])]:
        return m
    k = _first_unequal(now[2], lens)  # the items before k have as many keys as noted: pairs line up
    pairs = sum(now[2][:k])
    differ = min(_first_unequal(now[0][:pairs], names), _first_unequal(now[1][:pairs], values))
    return bisect_right(tuple(accumulate(now[2][:k])), differ)  # the item that pair is in


def recheck(tree: Tree, taken: list[Taken]) -> bool:
    """Whether to rerun for an item of a prefix taken by identity that was changed in place since it was noted
    (the app's dict, changed where it is): its container's note then ends before it, for the next run to
    declare it again. Once: a script changing an item each run after showing it would run on and on."""
    changed = [_changed(tree, one) for one in taken]
    tree.rechecked = any(changed) and not tree.rechecked
    return tree.rechecked


def _changed(tree: Tree, taken: Taken) -> bool:
    node_id, items, n, flats, nodes = taken
    k = 0
    for was in flats:  # a block at a time: what is made to compare stays in the CPU's cache
        now = flattened(items[k : k + len(was[2])])
        alike = _alike(now, was) if now is not None else 0
        k += alike
        if alike < len(was[2]):
            break
    if k == n:
        return False
    note = tree.prefixes.get(node_id)
    if note is not None and k and note.nodes[:k] == nodes[:k]:  # (the note this run made from the one taken)
        tree.prefixes[node_id] = note.head(k, None if note.flat is None else _heads(note.flat, k))
    else:
        tree.prefixes.pop(node_id, None)
    return True


class Note:
    """The children of a container from where a sequence started, declared one per item of it (a chat
    history): what the next run may take as they are, as far as its sequence starts with equal items.

    Items that are dicts of plain values (str, numbers, None) are kept flat (``flattened``, in blocks: their
    keys and values, 40 B per 2-key message) rather than copied (a dict is 184 B), and compared so at C
    speed: a dict the app changed in place differs from what was noted, as a copy would. That compare reads
    every dict (0.6 ms for 1,000 on a cold cache, 5 ms for 10,000): a run takes them by identity first, and
    ``recheck`` compares them once the run's frame went, off the answer's path. Other items are kept as they
    are (``snap`` None: the app never changes them) or as ``snap`` copied them."""

    __slots__ = ("extra", "flat", "items", "keys", "nodes", "top")

    def __init__(
        self, nodes: list[Node], items: tuple[Any, ...], flat: Flats | None, extra: Any,
        keys: Any, top: int,
    ) -> None:  # fmt: skip
        self.nodes = nodes
        self.items = items  # the items as given when ``flat`` holds them as they were
        self.flat = flat
        self.extra = extra  # what else they were declared from (the rendering options)
        self.keys = keys  # their keys: a set of names, or (kind, first number) when numbered
        self.top = top  # their highest id: a node changed since drops the note (Reconciler._touched)

    def same(self, items: tuple[Any, ...]) -> tuple[int, Flats | None]:
        """How many of ``items`` (no more than this note's) are as noted, and (noted flat) those flattened."""
        m = len(items)
        n = m if items == self.items[:m] else _first_unequal(items, self.items)
        if self.flat is None:
            return n, None
        return n, _heads(self.flat, n)  # by identity (or equal to the object noted): see recheck

    def head(self, n: int, flat: Flats | None) -> Note:
        """This note's first ``n`` nodes (``flat``: their items flattened)."""
        nodes = self.nodes[:n]
        keys = self.keys if type(self.keys) is tuple else set(map(_KEY, nodes))
        return Note(nodes, self.items[:n], flat, self.extra, keys, max(map(_ID, nodes)))


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
        self.took: tuple[int, Note, Flats | None] | None = None
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

    def take_prefix(
        self, tree: Tree, items: tuple[Any, ...], extra: Any, unchecked: list[Taken] | None = None
    ) -> tuple[int, int]:
        """How many of the next children count as declared again, as they are, and where they start: those
        ``note_prefix`` noted for as many items as start ``items`` equal, with an equal ``extra``, if none was
        changed since (``Reconciler`` drops the note then). References compared per item, at C speed; dicts
        kept flat are taken by identity, and added to ``unchecked`` for ``recheck`` after the run."""
        self.sequence = True
        i, note = self.n, tree.prefixes.get(self.node.id)
        if note is None or note.extra != extra:
            return 0, i
        n, flat = note.same(items[: len(note.nodes)])
        if not n or _moved(self.node.children[i : i + n], note.nodes, n):
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
        if flat is not None and unchecked is not None:
            unchecked.append((self.node.id, items, n, flat, note.nodes))
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
                del nodes[len(nodes) - 1 - operator.indexOf(reversed(nodes), passed)]
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
        tree.prefixes[self.node.id] = Note(nodes, kept, flat, extra, keys, top)


def _moved(kids: Sequence[Node], nodes: list[Node], n: int) -> bool:
    """Whether ``kids`` (the children where a prefix starts) are not the first ``n`` of ``nodes``: compared
    as lists, without a copy of either (each copy takes a reference to every node: at 10,000 messages, a
    read of 10,000 objects the cache no longer holds)."""
    return (kids if type(kids) is list else list(kids)) != (nodes if n == len(nodes) else nodes[:n])


def _kept(
    note: Note | None, flat: Flats | None, items: tuple[Any, ...], done: int, snap: Snap
) -> tuple[tuple[Any, ...], Flats | None]:
    """What a note keeps of ``items``, of which the first ``done`` were taken by ``note`` (``flat``: those
    flattened): the items (``snap`` None), or them and their flattened copy, or copies."""
    if snap is None:
        return items, None
    if note is None or flat is not None:
        more = _extended(flat or (), items[done:])
        if more is not None:
            return items, more
    # A flat note's items are the app's own, not copies: those are made now.
    head = note.items if note is not None and note.flat is None else tuple(map(snap, items[:done]))
    return head + tuple(map(snap, items[done:])), None
