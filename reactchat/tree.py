"""The element tree a session's browser holds: nodes with stable ids, found by id or by key among siblings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from reactchat.ops import WireNode

Render: TypeAlias = "Callable[[Any], dict[str, Any]]"
"""Makes a node's props from its ``source`` (a markdown node's render)."""

Key: TypeAlias = "str | tuple[str, int]"
"""A node's key among its siblings: the user's ``key=`` string, or ``(kind, n)`` for the n-th unkeyed one."""

FEW = 8
"""Children a node finds by key with a scan; past that, through a dict of them."""

_NUMBERED: dict[tuple[str, int], tuple[str, int]] = {}
_SHARED_UP_TO = 4096


class Rendered(dict[str, Any]):
    """Props made from a node's ``source`` alone, by a pure render (a markdown node's HTML): once they have
    gone to the page, the tree holds the source only (``GIVEN_BACK``) and makes them again when it sends the
    whole tree. A long conversation's HTML is then held by the page, not once more per session."""

    __slots__ = ()


GIVEN_BACK: dict[str, Any] = {}
"""The props of a node that gave its ``Rendered`` props back (never changed: a change makes new props)."""


def numbered(kind: str, n: int) -> tuple[str, int]:
    """The key ``(kind, n)``, one object for all sessions' nodes (up to a bound): a long history holds one
    per message, and a tuple of its own for each is memory held per session for no difference."""
    key = (kind, n)
    return _NUMBERED.setdefault(key, key) if n < _SHARED_UP_TO else key


class Node:
    """One element: ``id`` is stable for as long as its key path is; ``props`` are plain msgpack values."""

    __slots__ = ("children", "id", "key", "keyed", "kind", "memo", "parent", "props", "source")

    def __init__(self, node_id: int, kind: str, key: Key, props: dict[str, Any]) -> None:
        self.id = node_id
        self.kind = kind
        self.key = key
        self.props = props
        # A leaf shares one empty tuple, and a first child comes as a tuple of one (a list, with room to grow,
        # is memory per message for nothing): the reconciler makes a list when they change (``own_children``).
        self.children: Sequence[Node] = ()
        # Children by key, made once they are many (a message holds one or two: a scan of them is cheaper
        # than a dict per message, kept for as long as the session shows it).
        self.keyed: dict[Key, Node] | None = None
        self.parent: Node | None = None
        # What the props were rendered from (markdown text), so an unchanged source skips rendering.
        self.source: Any = None
        # What the node and its children were declared from (see Reconciler.reuse), dropped when its props
        # change: an equal declaration of an untouched node costs a comparison.
        self.memo: Any = None

    def own_children(self) -> list[Node]:
        """``children`` as a list to change in place (made from the tuple a leaf or a first child has)."""
        children = self.children
        if type(children) is not list:
            children = self.children = list(children)
        return children

    def child(self, key: Key, start: int = 0) -> Node | None:
        """The child with ``key``, if any, among those from ``start`` on (a caller that passes it knows the
        ones before)."""
        keyed = self.keyed
        if keyed is None:
            children = self.children
            if len(children) - start <= FEW:  # (a message added at the end of a long chat: no index of all)
                return next(
                    (children[j] for j in range(start, len(children)) if children[j].key == key), None
                )
            keyed = self.keyed = {c.key: c for c in children}
        return keyed.get(key)

    def adopted(self, child: Node) -> None:
        """``child`` is one of the children now (``children`` already holds it)."""
        child.parent = self
        if self.keyed is not None:
            self.keyed[child.key] = child

    def disowned(self, child: Node) -> None:
        """``child`` is no longer one of the children (``children`` may still hold it, for now)."""
        if self.keyed is not None:
            self.keyed.pop(child.key, None)

    def to_wire(self, rerender: Render | None = None, give_back: bool = False) -> WireNode:
        """The node and its subtree as the page gets them; ``rerender`` makes given-back props again, and
        ``give_back`` has every ``Rendered`` props in it given back (they go to the page now)."""
        # The props as they are, not a copy: they are replaced, never changed in place (and a batch that folds
        # later ops into this payload copies them first). A copy per node of a long transcript's first frame
        # was most of the garbage it left in the allocator's pools.
        props = self.props
        if props is GIVEN_BACK and self.source is not None:
            if rerender is None:
                raise RuntimeError(f"node {self.id} gave its props back and nothing can make them again")
            props = rerender(self.source)
        elif give_back and type(props) is Rendered:
            self.props = GIVEN_BACK
        children = self.children
        return [
            self.id,
            self.kind,
            props,
            [c.to_wire(rerender, give_back) for c in children] if children else [],
        ]

    def key_path(self) -> tuple[Key, ...]:
        path: list[Key] = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            path.append(node.key)
            node = node.parent
        return tuple(reversed(path))

    def __repr__(self) -> str:
        return f"Node({self.id}, {self.kind!r}, key={self.key!r}, props={self.props!r})"


class Tree:
    """The root node plus an id index; ``rerender`` makes a given-back node's props again from its source
    (without one, no node gives its props back)."""

    def __init__(self, rerender: Render | None = None) -> None:
        self.root = Node(0, "root", "root", {})
        self.nodes: dict[int, Node] = {0: self.root}
        self._next_id = 1
        self.memo_extra: Any = None  # what every node's memo was declared with (Reconciler.remember)
        # Makes a given-back node's props again from its source; None: no props are given back.
        self.rerender = rerender
        # The last value Reconciler.intern was given, and the object it stands for (equal, from a run before).
        self.interned: tuple[Any, Any] = (None, None)
        # Per container id: a run of its children declared one per item, the items, what else they were
        # declared from, their keys (names, or (kind, first number)) and highest id (remember_prefix).
        self.prefixes: dict[int, tuple[tuple[Node, ...], tuple[Any, ...], Any, Any, int]] = {}

    def new_node(self, kind: str, key: Key, props: dict[str, Any]) -> Node:
        node = Node(self._next_id, kind, key, props)
        self._next_id += 1
        self.nodes[node.id] = node
        return node

    def forget(self, node: Node) -> None:
        """Drop ``node`` and its subtree from the id index."""
        self.nodes.pop(node.id, None)
        for child in node.children:
            self.forget(child)

    @property
    def gives_back(self) -> bool:
        """Whether its nodes give ``Rendered`` props back once sent: only if it can make them again."""
        return self.rerender is not None

    def to_wire(self, rerender: Render | None = None, *, give_back: bool = False) -> WireNode:
        """The whole tree as the page gets it (``Node.to_wire``), the given-back props made again by
        ``rerender`` or else ``self.rerender``; with ``give_back``, as ``wire`` sends it."""
        if give_back:
            return self.wire(self.root, rerender)
        return self.root.to_wire(rerender or self.rerender)

    def wire(self, node: Node, rerender: Render | None = None) -> WireNode:
        """``node`` and its subtree for an op or a frame that carries them to the page now: their
        ``Rendered`` props are given back if the tree ``gives_back``, given-back ones made again."""
        return node.to_wire(rerender or self.rerender, self.gives_back)

    def held(self, node: Node) -> dict[str, Any]:
        """``node``'s props, made again if it gave them back."""
        if node.props is GIVEN_BACK and node.source is not None and self.rerender is not None:
            return self.rerender(node.source)
        return node.props

    def find(self, kind: str) -> list[Node]:
        """All nodes of ``kind`` in document order."""
        found: list[Node] = []

        def walk(node: Node) -> None:
            if node.kind == kind:
                found.append(node)
            for child in node.children:
                walk(child)

        walk(self.root)
        return found
