"""Op codes, constructors, coalescing rules and a reference ``apply``.

Everything here is pure: no I/O, no threads. The wire form of a node is ``[id, kind, props, children]``
(see docs/protocol.md); ops are lists led by a small-int code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SNAP, RUN, INS, SET, APP, DEL, MOV, REP, ERR, HELLO, NOTE, EVACK, TXT = range(13)

Op = list[Any]
WireNode = list[Any]


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of APP's ``cut``."""
    return len(text.encode("utf-16-le")) // 2


def cut_utf16(text: str, cut: int) -> str:
    """Drop the last ``cut`` UTF-16 code units of ``text``."""
    if cut <= 0:
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    return units[: max(0, len(units) - 2 * cut)].decode("utf-16-le", "surrogatepass")


def append_value(current: Any, value: Any, cut: int) -> Any:
    """What APP does to one prop value; a missing prop counts as empty."""
    if isinstance(value, list):
        return [*(current or []), *value]
    return cut_utf16(current or "", cut) + value


def compact(ops: list[Op]) -> list[Op]:
    """``ops`` in their shortest wire form: an APP that only adds to a node's ``html`` goes as TXT.

    A slow stream sends one such op per frame, and it is most of the frame: TXT saves the prop name and the
    cut, six of its about fifteen bytes of overhead.
    """
    return [
        [TXT, op[1], op[3]] if op[0] == APP and op[2] == "html" and op[4] == 0 and type(op[3]) is str else op
        for op in ops
    ]


def apply_patch(props: dict[str, Any], patch: dict[str, Any]) -> None:
    for name, value in patch.items():
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value


def empty_root() -> WireNode:
    return [0, "root", {}, []]


def walk(root: WireNode) -> Iterator[WireNode]:
    """``root`` and every wire node below it, in document order (a parent before its children)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node[3]))  # without recursion, so a deep tree cannot hit the recursion limit


# -- reference apply ---------------------------------------------------------------------------------------


def copied(value: Any) -> Any:
    """A deep copy of a wire value (lists, dicts, tuples and scalars): ``copy.deepcopy`` without its memo,
    several times faster on a tree of thousands of nodes."""
    kind = type(value)
    if kind is list:
        return [copied(v) for v in value]
    if kind is dict:
        return {k: copied(v) for k, v in value.items()}
    if kind is tuple:
        return tuple(copied(v) for v in value)
    return value


def _owned(value: Any) -> Any:
    return value


def _insert_after(siblings: list[WireNode], after: int | None, node: WireNode) -> None:
    """Insert ``node`` after the sibling with id ``after`` (None: first; missing: last). Looked for from the
    end: a run declares in order, so most inserts append (a first run's into a long list, every one)."""
    at = 0
    if after is not None:
        at = next((i + 1 for i in range(len(siblings) - 1, -1, -1) if siblings[i][0] == after), len(siblings))
    siblings.insert(at, node)


class Replica:
    """A page's copy of the tree that ops are applied to in place (``apply`` for a frame's ops): what a
    client keeps, so that a frame costs what it changes, not the size of the tree. Ops are not changed by
    it (what they insert is copied), so they can be kept or applied again elsewhere; with ``owned``, what
    they insert becomes part of the tree as it is (ops decoded for it alone: no copy of every payload)."""

    def __init__(self, root: WireNode | None = None, *, owned: bool = False) -> None:
        self._copy = _owned if owned else copied
        root = root if root is not None else empty_root()
        self.root = root
        self.nodes: dict[int, WireNode] = {}
        self.parent: dict[int, WireNode | None] = {}
        self._index(root, None)

    def _index(self, node: WireNode, parent: WireNode | None) -> None:
        self.nodes[node[0]] = node
        self.parent[node[0]] = parent
        for child in node[3]:
            self._index(child, node)

    def _forget(self, node: WireNode) -> None:
        self.nodes.pop(node[0], None)
        self.parent.pop(node[0], None)
        for child in node[3]:
            self._forget(child)

    def _place(self, parent: WireNode, after: int | None, node: WireNode) -> None:
        _insert_after(parent[3], after, node)

    def _detach(self, node: WireNode) -> None:
        parent = self.parent.get(node[0])
        if parent is not None:
            parent[3][:] = [c for c in parent[3] if c is not node]

    def apply(self, ops: list[Op]) -> None:
        """Apply ``ops`` in order."""
        for op in ops:
            self._apply(op)

    def _apply(self, op: Op) -> None:
        code = op[0]
        if code == SNAP:
            self.__init__(self._copy(op[1]), owned=self._copy is _owned)  # type: ignore[misc]
        elif code == INS:
            parent = self.nodes.get(op[1])
            if parent is None:
                return
            node = self._copy(op[3])
            self._place(parent, op[2], node)
            self._index(node, parent)
        elif code == SET:
            node = self.nodes.get(op[1])
            if node is not None:
                apply_patch(node[2], op[2])
        elif code == APP:
            node = self.nodes.get(op[1])
            if node is not None:
                node[2][op[2]] = append_value(node[2].get(op[2]), op[3], op[4])
        elif code == TXT:
            node = self.nodes.get(op[1])
            if node is not None:
                node[2]["html"] = append_value(node[2].get("html"), op[2], 0)
        elif code == DEL:
            node = self.nodes.get(op[1])
            if node is not None and node is not self.root:
                self._detach(node)
                self._forget(node)
        elif code == MOV:
            node, parent = self.nodes.get(op[1]), self.nodes.get(op[2])
            if node is None or parent is None or node is self.root:
                return
            self._detach(node)
            self._place(parent, op[3], node)
            self.parent[node[0]] = parent
        elif code == REP:
            old = self.nodes.get(op[1])
            if old is None:
                return
            new = self._copy(op[2])
            parent = self.parent.get(old[0])
            if parent is None:
                self.__init__(new, owned=self._copy is _owned)  # type: ignore[misc]
                return
            siblings = parent[3]
            siblings[siblings.index(old)] = new
            self._forget(old)
            self._index(new, parent)
        # RUN, ERR, HELLO, NOTE and EVACK do not touch the tree.


def apply(root: WireNode | None, ops: list[Op]) -> WireNode:
    """Apply ``ops`` to a copy of ``root`` (an empty root when None) and return the new tree.

    This is the reference semantics of the protocol; the TypeScript store must agree with it on the shared
    fixtures in ``tests/fixtures/ops``.
    """
    tree = Replica(copied(root) if root is not None else None)
    tree.apply(ops)
    return tree.root


# -- coalescing --------------------------------------------------------------------------------------------


class Batch:
    """Ops waiting for the next frame, coalesced as they arrive.

    Rules (each preserves the meaning of the sequence; tests/test_ops.py checks it on random sequences):
    SET and APP on a node inserted in this batch fold into the inserted payload; SET after SET on the same
    node merges; APP after APP on the same prop, or after a SET of that prop, concatenates; a SET of the prop
    the node's last APP appended to drops that APP; a later RUN or
    ERR replaces an earlier one; SNAP drops all pending tree ops. Structural ops (INS, DEL, MOV, REP) fold
    into a pending insert only while no op kept in the batch refers into that inserted subtree ("sealed"):
    folding moves them earlier in time, which is exact only if nothing else was placed relative to them.
    """

    def __init__(self) -> None:
        self.ops: list[Op | None] = []
        # id -> (payload node, payload parent or None, index of the INS/REP/SNAP op carrying it)
        self._payload: dict[int, tuple[WireNode, WireNode | None, int]] = {}
        self._last: dict[int, int] = {}  # id -> index of the last SET/APP op on it
        self._sealed: set[int] = set()  # indices of carriers that kept ops refer into

    def __bool__(self) -> bool:
        return any(op is not None for op in self.ops)

    def take(self) -> list[Op]:
        """Return the coalesced ops and empty the batch."""
        ops = [op for op in self.ops if op is not None]
        self.ops, self._payload, self._last, self._sealed = [], {}, {}, set()
        return ops

    def _register(self, node: WireNode, parent: WireNode | None, at: int) -> None:
        self._payload[node[0]] = (node, parent, at)
        for child in node[3]:
            self._register(child, node, at)

    def _unregister(self, node: WireNode) -> None:
        self._payload.pop(node[0], None)
        self._last.pop(node[0], None)
        for child in node[3]:
            self._unregister(child)

    def _append(self, op: Op) -> int:
        self.ops.append(op)
        return len(self.ops) - 1

    def _open(self, node_id: int) -> tuple[WireNode, WireNode | None, int] | None:
        """The payload entry of ``node_id`` if structure may still fold into it."""
        held = self._payload.get(node_id)
        return held if held is not None and held[2] not in self._sealed else None

    def _seal(self, *ids: int | None) -> None:
        for node_id in ids:
            held = self._payload.get(node_id) if node_id is not None else None
            if held is not None:
                self._sealed.add(held[2])

    def push(self, op: Op) -> None:
        code = op[0]
        if code == SNAP:
            self.ops = [o for o in self.ops if o is not None and o[0] in (RUN, ERR)]
            self._payload, self._last, self._sealed = {}, {}, set()
            self._register(op[1], None, self._append(op))
        elif code in (RUN, ERR):
            self.ops = [o if o is None or o[0] != code else None for o in self.ops]
            self._append(op)
        elif code == INS:
            self._push_ins(op)
        elif code == SET:
            self._push_set(op)
        elif code == APP:
            self._push_app(op)
        elif code == DEL:
            self._push_del(op)
        elif code == REP:
            self._push_rep(op)
        elif code == MOV:
            self._push_mov(op)
        else:  # HELLO, NOTE, EVACK: kept as they are
            self._append(op)

    def _push_ins(self, op: Op) -> None:
        held = self._open(op[1])
        if held is None:
            self._seal(op[1], op[2])
            self._register(op[3], None, self._append(op))
            return
        parent, _, at = held
        _insert_after(parent[3], op[2], op[3])
        self._register(op[3], parent, at)

    def _push_set(self, op: Op) -> None:
        node_id, patch = op[1], op[2]
        held = self._payload.get(node_id)
        if held is not None:
            payload = held[0]
            payload[2] = {**payload[2]}  # a node's own props (Node.to_wire): changed in a copy only
            apply_patch(payload[2], patch)
            return
        last = self._last.get(node_id)
        prev = self.ops[last] if last is not None else None
        if prev is not None and prev[0] == SET:
            prev[2] = {**prev[2], **patch}
            return
        if last is not None and prev is not None and prev[0] == APP and prev[2] in patch:
            self.ops[last] = None  # the SET replaces what it appended (a stream's last cuts, then none)
        self._last[node_id] = self._append([SET, node_id, dict(patch)])

    def _push_app(self, op: Op) -> None:
        node_id, prop, value, cut = op[1], op[2], op[3], op[4]
        held = self._payload.get(node_id)
        if held is not None:
            payload = held[0]
            payload[2] = {**payload[2], prop: append_value(payload[2].get(prop), value, cut)}
            return
        last = self._last.get(node_id)
        prev = self.ops[last] if last is not None else None
        if prev is not None and prev[0] == SET and prev[2].get(prop) is not None:
            prev[2] = {**prev[2], prop: append_value(prev[2][prop], value, cut)}
            return
        if prev is not None and prev[0] == APP and prev[2] == prop:
            if isinstance(value, list):
                prev[3] = [*prev[3], *value]
            else:
                pending = utf16_len(prev[3])
                if cut <= pending:
                    prev[3] = cut_utf16(prev[3], cut) + value
                else:
                    prev[3], prev[4] = value, prev[4] + cut - pending
            return
        self._last[node_id] = self._append([APP, node_id, prop, value, cut])

    def _push_del(self, op: Op) -> None:
        node_id = op[1]
        held = self._payload.get(node_id)
        if held is None:
            last = self._last.pop(node_id, None)
            if last is not None:
                self.ops[last] = None
            self._append(op)
            return
        node, parent, at = held
        carrier = self.ops[at]
        assert carrier is not None
        if carrier[0] == SNAP and parent is None:
            return  # the root is never deleted
        self._unregister(node)
        if at in self._sealed:
            self._append(op)
        elif parent is not None:
            parent[3][:] = [c for c in parent[3] if c is not node]
        elif carrier[0] == INS:
            self.ops[at] = None  # inserted and deleted within the batch: the client never sees it
        else:  # REP: drop it, and delete the node the client still holds in its place
            self.ops[at] = None
            self._append([DEL, carrier[1]])

    def _push_mov(self, op: Op) -> None:
        held = self._open(op[1])
        if held is None or held[1] is None:
            self._seal(op[1], op[2], op[3])
            self._append(op)
            return
        # A node inside a pending insert: take it out and insert it where it ends up.
        node, parent, _ = held
        assert parent is not None
        parent[3][:] = [c for c in parent[3] if c is not node]
        self._unregister(node)
        self._push_ins([INS, op[2], op[3], node])

    def _push_rep(self, op: Op) -> None:
        node_id, new = op[1], op[2]
        held = self._open(node_id)
        if held is None:
            old = self._payload.get(node_id)
            if old is not None:
                self._unregister(old[0])
            last = self._last.pop(node_id, None)
            if last is not None:
                self.ops[last] = None
            self._register(new, None, self._append(op))
            return
        old_node, parent, at = held
        self._unregister(old_node)
        if parent is None:
            carrier = self.ops[at]
            assert carrier is not None
            carrier[{INS: 3, REP: 2, SNAP: 1}[carrier[0]]] = new
        else:
            siblings = parent[3]
            siblings[siblings.index(old_node)] = new
        self._register(new, parent, at)
