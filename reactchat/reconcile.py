"""Keyed reconciliation, done incrementally while the script runs.

The script emits nodes in document order. Each open container keeps a cursor: the first ``n`` children of
its node are the ones emitted in this run, in order; the rest are left over from the previous run. Emitting
a node either matches the child under the cursor (free when nothing changed), moves a matching child up
(MOV), replaces one of another kind (REP) or inserts a new one (INS). Closing a container deletes its
leftovers (DEL). So ops stream out as the script runs, and an unchanged history costs no ops at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from reactchat.cursor import Cursor, Snap, Taken, recheck
from reactchat.errors import DuplicateKeyError, user_call_site
from reactchat.interrupts import RunAbandoned
from reactchat.ops import APP, DEL, INS, MOV, REP, SET, Op, utf16_len
from reactchat.tree import (
    GIVEN_BACK,
    Key,
    Node,
    Rendered,
    Tree,
    Unrendered,
    numbered,
    own_props,
    props_diff,
    shows_render,
    with_render,
)

SHARED = 64  # distinct props dicts a run shares between the nodes it declares (Reconciler._shared)


class Reconciler:
    """Applies a run's emitted nodes to ``tree`` and sends the resulting ops to ``sink``. Every tree mutation
    and its op happen under ``lock``: another thread can snapshot the tree consistently with the ops sent.
    ``carry`` says whether the sink keeps inserted nodes now (not while the whole tree goes next:
    ``Outbox.send_tree``); when it does not, their wire copies are not made. ``hold`` is told when a run
    starts (True) and ends declaring a sequence, one child per item (a history: ``Outbox.hold_tree``)."""

    def __init__(self, tree: Tree, sink: Callable[[Op], None], lock: threading.Lock,
                 carry: Callable[[], bool] = lambda: True,
                 hold: Callable[[bool], None] = lambda held: None) -> None:  # fmt: skip
        self.tree = tree
        self._sink = sink
        self._carry = carry
        self._hold = hold  # told when a sequence's declaring starts and ends (Outbox.hold_tree)
        self._lock = lock
        self._stack: list[Cursor] = [Cursor(tree.root)]
        self._unentered: dict[int, Node] = {}  # declared this run, holding children, not entered (yet)
        self._cursors: dict[int, Cursor] = {}  # a container entered again continues where it left off
        self._deferred: dict[int, Cursor] = {}  # exited without pruning: pruned when the run finishes
        self.revoked = False
        self.changed = 0  # the id of the node the latest insert, replace or set was about
        self._props: dict[tuple[type, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}  # see _shared
        self.unchecked: list[Taken] = []  # prefixes taken by identity (Cursor.take_prefix): see check_taken

    def __enter__(self) -> None:
        """``with self:`` holds the lock for one mutation, refusing writes from a run that was abandoned (not
        a generator's context manager: a first run over a long conversation makes two per message)."""
        self._lock.acquire()
        if self.revoked:
            self._lock.release()
            raise RunAbandoned()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def begin(self) -> None:
        root = Cursor(self.tree.root)
        self._stack = [root]
        self._unentered, self._cursors, self._deferred = {}, {0: root}, {}

    @property
    def container(self) -> Node:
        return self._stack[-1].node

    def emit(
        self,
        kind: str,
        props: dict[str, Any] | None,
        key: str | None = None,
        *,
        source: Any = None,
        render: Callable[[Any], dict[str, Any]] | None = None,
        defaults: dict[str, Any] | None = None,
    ) -> Node:
        """Declare the next child of the current container; returns the live node.

        With ``source`` and ``render`` instead of ``props``, the props are ``render(source)``, computed only
        when the node is new or its source changed: re-declaring an unchanged message renders nothing.
        ``defaults`` are props that keep their current value when the new props leave them out (a message's
        ``created_at``), unless its source changed; a None default only keeps, never adds. With ``props``
        as well as ``source``, the render is shown atop them (a message holding its text), unless the node
        holds children: then the source is not used, and the caller declares the text as a child.
        """
        cursor = self._stack[-1]
        parent = cursor.node
        k: Key
        if key is None:
            counts = cursor.counts
            if counts is None:
                counts = cursor.counts = {}
            n = counts.get(kind, 0)
            counts[kind] = n + 1
            k = numbered(kind, n)
        else:
            sites = cursor.sites
            if sites is None:
                sites = cursor.sites = {}
            if key in sites or key in cursor.taken:
                first, again = sites.get(key) or "an earlier call", user_call_site()
                raise DuplicateKeyError(f"duplicate key {key!r}: used at {first} and again at {again}")
            # Where, for that message: not worth a stack walk per item of a sequence (a history's messages).
            sites[key] = "" if cursor.sequence else user_call_site()
            k = key
        i = cursor.n
        children = parent.children
        node = children[i] if i < len(children) and children[i].key == k else None
        if node is not None:
            cursor.n = i + 1
        else:
            node = parent.child(k, i) if children else None  # (a first child: nothing to look for)
            if node is None and cursor.skipped:  # passed over: before the cursor
                node = next((n for n in map(self.tree.nodes.get, cursor.skipped) if n and n.key == k), None)
            if node is None:
                cursor.n = i + 1
                if defaults:
                    props = self._shared(
                        {**{n: v for n, v in defaults.items() if v is not None}, **(props or {})}
                    )
                return self._insert(parent, i, self._new(kind, k, props, source, render))
            skipped = cursor.skipped
            if skipped and node.id in skipped:  # passed over earlier: bring it after the last declared one
                skipped.discard(node.id)
                self._move(parent, node, i - 1)
            else:  # further on: pass over what lies between; it is re-declared later or pruned
                j = children.index(node, i)
                if skipped is None:
                    skipped = cursor.skipped = set()
                skipped.update(c.id for c in children[i:j])
                cursor.n = j + 1
        if node.kind != kind:
            if defaults:
                props = self._shared(
                    {**{n: v for n, v in defaults.items() if v is not None}, **(props or {})}
                )
            return self._replace(parent, i, node, self._new(kind, k, props, source, render))
        # A node holding children (a message streamed into) shows no render atop its props: the caller
        # declares its text as one of them (turned into one node, it would be sent again whole).
        shown_by = render if source is not None and (props is None or not node.children) else None
        if defaults and props is not None:
            kept = shown_by is None or node.source == source  # (a new text in its place: a new answer)
            for name, value in defaults.items():
                if name not in props:
                    if kept and name in node.props:
                        props[name] = node.props[name]
                    elif value is not None:
                        props[name] = value
        if shown_by is not None:
            if node.source != source or not shows_render(node.props):  # (else the page has its render)
                self.show(node, shown_by(source), source, props)
            elif props is not None and (own := own_props(node.props)) != props:  # (a message's role...)
                self.set(node, props_diff(own, props))
        else:
            assert props is not None
            held = self.tree.held(node)
            if held != props:
                self.set(node, props_diff(held, props))
        if node.children:
            self._unentered[node.id] = node
        return node

    def reuse(self, kind: str, key: str | None, memo: Any, extra: Any = None) -> Node | None:
        """The next child of the current container, left as it is, when it was declared last run from a
        ``memo`` equal to this one and the same ``extra`` (see ``remember``) and nothing changed its props
        since: it and all it holds count as declared again. None otherwise: declare it with ``emit``."""
        if extra is not self.tree.memo_extra:
            return None
        return self._stack[-1].take_one(kind, key, memo)

    def reuse_prefix(self, items: tuple[Any, ...], extra: Any) -> tuple[int, int]:
        """How many of the current container's next children count as declared again, and from where: see
        ``Cursor.take_prefix``."""
        self._hold(True)
        return self._stack[-1].take_prefix(self.tree, items, extra, self.unchecked)

    def check_taken(self, after: Callable[[], object]) -> bool:
        """After ``after()`` (the wait for the frame to go, off the answer's path): ``cursor.recheck``."""
        after()
        with self:
            return recheck(self.tree, self.unchecked)

    def remember_prefix(self, start: int, items: tuple[Any, ...], extra: Any, snap: Snap = None) -> None:
        """The current container's children from ``start`` were declared per item: ``Cursor.note_prefix``."""
        self._stack[-1].note_prefix(self.tree, start, items, extra, snap)
        self._hold(False)

    def in_sequence(self) -> bool:
        """Whether the current container's children are being declared one per item of a sequence (between
        ``reuse_prefix`` and ``remember_prefix``): its note compares the items, so they need no memo each."""
        return self._stack[-1].sequence

    def _touched(self, node: Node) -> None:
        """Its props changed: its memo no longer holds, and a prefix that may hold it is declared anew."""
        note = self.tree.prefixes.get(node.parent.id) if node.parent is not None else None
        if note is not None and node.id <= note.top:
            del self.tree.prefixes[node.parent.id]  # type: ignore[union-attr]
        node.memo = None

    def _shared(self, props: dict[str, Any]) -> dict[str, Any]:
        """An equal props dict made earlier this run, or ``props``: the messages of a history declared in one
        run have a few distinct props between them (role, the run's ``created_at``), and a copy for each node
        is memory per message for no difference. Sharing is safe: props are replaced, never changed in place
        (``set``, ``append``). Up to ``SHARED`` distinct ones (stored messages differ by their id)."""
        known = self._props
        if len(known) >= SHARED:  # (stored messages: each its own; not worth hashing the rest)
            return props
        try:
            return known.setdefault((type(props), tuple(props.items())), props)
        except TypeError:  # a list or dict among the values (options): not hashable, not shared
            return props

    def remember(self, node: Node, memo: Any, extra: Any = None) -> None:
        """``node`` and its children are what ``memo`` declares with ``extra`` (what a run declares them all
        with: its rendering options, interned); an equal one next run may ``reuse`` them, if nothing changed
        their props meanwhile. The tree keeps one ``extra`` for all memos, not one per node: a new one (rare:
        the app changed its options) forgets the memos made with the one before."""
        tree = self.tree
        if extra is not tree.memo_extra:
            for other in tree.nodes.values():
                other.memo = None
            tree.memo_extra = extra
        node.memo = memo

    def enter(self, node: Node) -> None:
        self._unentered.pop(node.id, None)
        cursor = self._cursors.get(node.id)
        if cursor is None:
            cursor = self._cursors[node.id] = Cursor(node)
        self._stack.append(cursor)

    def exit(self, prune: bool = True) -> None:
        """Leave the current container; ``prune`` deletes what it held last run and not this run, now
        (otherwise when the run finishes, if it finishes normally)."""
        cursor = self._stack.pop()
        if prune:
            self._deferred.pop(cursor.node.id, None)
            self._prune(cursor)
        else:
            self._deferred[cursor.node.id] = cursor

    def finish(self, prune: bool) -> None:
        """Close every open container; ``prune`` deletes what this run did not re-declare."""
        while len(self._stack) > 1:
            self.exit(prune)
        if prune:
            self._prune(self._stack[0])
            for cursor in self._deferred.values():
                if cursor.node.id in self.tree.nodes:
                    self._prune(cursor)
            for node in self._unentered.values():
                if node.id in self.tree.nodes:
                    self._prune(Cursor(node))
        self._unentered, self._cursors, self._deferred = {}, {self.tree.root.id: self._stack[0]}, {}

    def drop_leftovers(self, kinds: frozenset[str]) -> None:
        """Delete now what the open containers held last run after this run's cursor: all in a container of
        one of ``kinds``, only those kinds elsewhere (a new answer starts here; last run's below is stale).
        A leftover declared again later in this run is inserted again: call it where nothing else is."""
        for cursor in self._stack:
            whole = cursor.node.kind in kinds
            stale = [c for c in cursor.node.children[cursor.n :] if whole or c.kind in kinds]
            if stale:
                with self:
                    self._delete(cursor.node, stale)

    def retract(self, node: Node) -> None:
        """Take back ``node``, declared earlier in this run, as if it had not been declared."""
        parent = node.parent
        cursor = self._cursors.get(parent.id) if parent is not None else None
        if parent is None or cursor is None or node.id not in self.tree.nodes:
            return
        with self:
            if parent.own_children().index(node) < cursor.n:
                cursor.n -= 1
            self._delete(parent, [node])

    def set(self, node: Node, patch: dict[str, Any]) -> None:
        with self:
            node.props = self.tree.patched(node, patch)
            self._touched(node)
            self.changed = node.id
            self._sink([SET, node.id, patch])

    def append(self, node: Node, prop: str, value: str | list[Any], keep: int | None = None) -> None:
        """Append to a string or list prop; for a string, first truncate it to ``keep`` characters."""
        with self:
            held = self.tree.held(node)
            current = held.get(prop)
            cut = 0
            if isinstance(value, list):
                new: Any = [*(current or []), *value]
            else:
                text = current or ""
                if keep is not None and keep < len(text):
                    cut = utf16_len(text[keep:])
                    text = text[:keep]
                new = text + value
            node.props = {**held, prop: new}
            self._touched(node)
            self._sink([APP, node.id, prop, value, cut])

    def show(self, node: Node, props: dict[str, Any], source: Any, own: dict[str, Any] | None = None) -> None:
        """``node`` shows ``props``, made from ``source`` alone (its render), atop ``own`` props (a message's;
        by default those it has): the page gets what changed. A ``Rendered`` render is given back at once if
        the page has it (``Node.to_wire``), else when the whole tree goes."""
        mine = self._unrendered(own_props(node.props) if own is None else own)
        held, new = self.tree.held(node), with_render(mine, props)
        if held != new:
            self.set(node, props_diff(held, new))
        with self:
            node.source = source
            given = type(props) is Rendered and self.tree.gives_back and self._carry()
            node.props = mine if given else new

    def _unrendered(self, own: dict[str, Any]) -> Unrendered:
        """``own`` as the props of a node holding no render (one object for equal ones this run)."""
        if type(own) is Unrendered:
            return own
        return self._shared(Unrendered(own)) if own else GIVEN_BACK  # type: ignore[return-value]

    def _new(
        self,
        kind: str,
        key: Key,
        props: dict[str, Any] | None,
        source: Any,
        render: Callable[[Any], dict[str, Any]] | None,
    ) -> Node:
        if render is not None and source is not None:
            props = with_render(self._unrendered(props or {}), render(source))  # (a message's: atop its own)
        assert props is not None, "emit needs props, or a source and a render function"
        node = self.tree.new_node(kind, key, props)
        node.source = source
        return node

    def _insert(self, parent: Node, i: int, node: Node) -> Node:
        with self:
            if not parent.children:  # a first child (a message's text): a tuple of one, no list yet
                after, parent.children = None, (node,)
            else:
                children = parent.own_children()
                after = children[i - 1].id if i else None
                children.insert(i, node)
            parent.adopted(node)
            self.changed = node.id
            if self._carry():
                self._sink([INS, parent.id, after, self.tree.wire(node)])
        return node

    def _replace(self, parent: Node, i: int, old: Node, new: Node) -> Node:
        with self:
            children = parent.own_children()
            children[children.index(old)] = new
            parent.adopted(new)
            self.tree.forget(old)
            self.changed = new.id
            if self._carry():
                self._sink([REP, old.id, self.tree.wire(new)])
        return new

    def _move(self, parent: Node, node: Node, i: int) -> None:
        with self:
            children = parent.own_children()
            children.remove(node)
            children.insert(i, node)
            self._sink([MOV, node.id, parent.id, children[i - 1].id if i else None])

    def _prune(self, cursor: Cursor) -> None:
        skipped = cursor.skipped or set()
        if len(cursor.node.children) <= cursor.n and not skipped:
            return
        children = cursor.node.children
        with self:
            self._delete(cursor.node, [c for c in children if c.id in skipped] + list(children[cursor.n :]))
            cursor.n, cursor.skipped = len(cursor.node.children), None

    def _delete(self, parent: Node, stale: list[Node]) -> None:
        """Delete ``stale``, children of ``parent`` (the lock held)."""
        for node in stale:
            parent.disowned(node)
            self.tree.forget(node)
            self._sink([DEL, node.id])
        gone = {node.id for node in stale}
        children = parent.own_children()
        children[:] = [c for c in children if c.id not in gone]
