"""The element tree a session's browser holds: nodes with stable ids, found by id or by key among siblings."""

from __future__ import annotations

from typing import Any, TypeAlias

from reactchat.ops import WireNode

Key: TypeAlias = "str | tuple[str, int]"
"""A node's key among its siblings: the user's ``key=`` string, or ``(kind, n)`` for the n-th unkeyed one."""


class Node:
    """One element: ``id`` is stable for as long as its key path is; ``props`` are plain msgpack values."""

    __slots__ = ("children", "id", "key", "keyed", "kind", "memo", "parent", "props", "source")

    def __init__(self, node_id: int, kind: str, key: Key, props: dict[str, Any]) -> None:
        self.id = node_id
        self.kind = kind
        self.key = key
        self.props = props
        self.children: list[Node] = []
        self.keyed: dict[Key, Node] = {}
        self.parent: Node | None = None
        # What the props were rendered from (markdown text), so an unchanged source skips rendering.
        self.source: Any = None
        # What the node and its children were declared from, with the props it gave them (see
        # Reconciler.reuse): an equal declaration of an untouched node costs a comparison.
        self.memo: tuple[dict[str, Any], Any] | None = None

    def to_wire(self) -> WireNode:
        # props are copied because a pending batch folds later ops into this payload in place.
        return [self.id, self.kind, dict(self.props), [c.to_wire() for c in self.children]]

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
    """The root node plus an id index."""

    def __init__(self) -> None:
        self.root = Node(0, "root", "root", {})
        self.nodes: dict[int, Node] = {0: self.root}
        self._next_id = 1
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

    def to_wire(self) -> WireNode:
        return self.root.to_wire()

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
