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


RENDER_KEYS = frozenset({"html", "cuts"})
"""The props a render makes (``markdown.block_props``); a node's own props (a message's role) have others."""


class Rendered(dict[str, Any]):
    """Props made from a node's ``source`` alone, by a pure render (a markdown node's HTML): once they have
    gone to the page, the tree holds the source only (``GIVEN_BACK``) and makes them again when it sends the
    whole tree. A long conversation's HTML is then held by the page, not once more per session."""

    __slots__ = ()


class Atop(Rendered):
    """A render shown atop props of the node's own (``under``: a message holding its text); given back, the
    node holds ``under`` alone."""

    __slots__ = ("under",)

    def __init__(self, under: Unrendered, render: dict[str, Any]) -> None:
        super().__init__(under, **render)
        self.under = under


class Unrendered(dict[str, Any]):
    """A node's own props, shown with the render of its ``source`` added, which the tree makes when it needs
    it and does not keep (it gave it back once the page had it)."""

    __slots__ = ()


GIVEN_BACK = Unrendered()
"""The props of a markdown node holding no render (never changed: a change makes new props)."""


def own_props(props: dict[str, Any]) -> dict[str, Any]:
    """The props of a node's own among ``props`` (what its render did not make)."""
    if type(props) is Unrendered:
        return props
    if type(props) is Atop:
        return props.under
    return {name: value for name, value in props.items() if name not in RENDER_KEYS}


def shows_render(props: dict[str, Any]) -> bool:
    """Whether a node with ``props`` shows the render of its source (held, or given back): a markdown node,
    or a message holding its text."""
    return type(props) is Unrendered or "html" in props


def with_render(own: Unrendered, render: dict[str, Any]) -> dict[str, Any]:
    """``render`` shown atop ``own`` (an ``Unrendered``, or empty): given back once sent if a ``Rendered``."""
    if not own:
        return render
    return Atop(own, render) if type(render) is Rendered else {**own, **render}


def numbered(kind: str, n: int) -> tuple[str, int]:
    """The key ``(kind, n)``, one object for all sessions' nodes (up to a bound): a long history holds one
    per message, and a tuple of its own for each is memory held per session for no difference."""
    key = (kind, n)
    return _NUMBERED.setdefault(key, key) if n < _SHARED_UP_TO else key


def props_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The patch (a SET op's: None deletes) that makes ``old`` props ``new``."""
    patch = {name: value for name, value in new.items() if old.get(name) != value}
    patch.update((name, None) for name in old if name not in new)
    return patch


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
        if type(props) is Unrendered and self.source is not None:
            if rerender is None:
                raise RuntimeError(f"node {self.id} holds no render and nothing can make it")
            props = with_render(props, rerender(self.source))
        elif give_back and isinstance(props, Rendered):
            self.props = props.under if type(props) is Atop else GIVEN_BACK
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
        # Per container id: a run of its children declared one per item of a sequence (a cursor.Note).
        self.prefixes: dict[int, Any] = {}
        # The last check of prefixes taken by identity found one changed in place (Reconciler.check_taken).
        self.rechecked = False

    def intern(self, value: Any) -> Any:
        """``value``, or an equal object an earlier run passed here: a memo holding it then compares by
        identity, not field by field, on every node a run reuses. One slot: meant for one value a run passes
        again and again (its rendering options)."""
        seen, kept = self.interned  # (on the tree: a reconciler lasts one run)
        if seen is not value:
            kept = kept if kept is value or kept == value else value
            self.interned = (value, kept)
        return kept

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
        """``node``'s props, its render made again if it holds none."""
        props = node.props
        if type(props) is Unrendered and node.source is not None and self.rerender is not None:
            return with_render(props, self.rerender(node.source))
        return props

    def patched(self, node: Node, patch: dict[str, Any]) -> dict[str, Any]:
        """``node``'s props with ``patch`` (a SET op's: None deletes) applied; still holding no render if it
        holds none and the patch changes only props of its own."""
        held = node.props
        own = type(held) is Unrendered and held and RENDER_KEYS.isdisjoint(patch)
        props: dict[str, Any] = Unrendered(held) if own else dict(self.held(node))
        for name, value in patch.items():
            if value is None:
                props.pop(name, None)
            else:
                props[name] = value
        return props

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
