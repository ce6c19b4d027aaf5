"""What a browser tab holds and shows: the frames it received, applied to its copy of the element tree, and
the transcript, thoughts, errors and title read from that copy (``ChatTest`` is one)."""

from __future__ import annotations

from typing import Any

from reactchat.ops import ERR, NOTE, RUN, Op, Replica, WireNode, copied
from reactchat.page_text import html_text, node_text
from reactchat.protocol import decode_frame
from reactchat.tree import RENDER_KEYS

__all__ = ["Screen"]


class Screen:
    """A page's copy of the tree, built only from the frames it received.

    Attributes:
        frames: Every frame received, as sent.
        ops: Every op of those frames, in order.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """A fresh page: nothing received yet."""
        self.frames: list[bytes] = []
        self.ops: list[Op] = []
        self._client = Replica(owned=True)
        self._run_state = "idle"
        self._overlay: dict[str, Any] | None = None
        self._notes: list[str] = []

    def receive(self, frame: bytes) -> None:
        """Apply one frame, as the browser does."""
        self.frames.append(frame)
        _, _, ops = decode_frame(frame)
        self.ops.extend(ops)
        for op in ops:
            if op[0] == RUN:
                self._run_state = op[1]
            elif op[0] == ERR:
                self._overlay = op[1]
            elif op[0] == NOTE:
                self._notes.append(str(op[1]))
        self._client.apply(decode_frame(frame)[2])  # decoded again (C, fast), for the tree to own

    @property
    def tree(self) -> WireNode:
        """The tree as the browser holds it, built only from the frames sent (updated in place by the
        frames that follow, as the page's is)."""
        return self._client.root

    @property
    def run_state(self) -> str:
        """The last run state sent: ``running``, ``done``, ``stopped`` or ``error`` (``idle`` before any)."""
        return self._run_state

    @property
    def notes(self) -> list[str]:
        """The notices the page showed (a store that failed, a run waiting for a thread ...), in order."""
        return self._notes

    @property
    def overlay(self) -> dict[str, Any] | None:
        """The compile-error overlay the browser shows, if any."""
        return self._overlay

    @property
    def bytes_sent(self) -> int:
        return sum(len(f) for f in self.frames)

    def nodes(self, *kinds: str) -> list[WireNode]:
        """All nodes of ``kinds`` in document order, as they are now (copies: later frames change the page's
        tree, not what this returned)."""
        found: list[WireNode] = []

        def walk(node: WireNode) -> None:
            if node[1] in kinds:
                found.append(copied(node))
            for child in node[3]:
                walk(child)

        walk(self._client.root)
        return found

    def texts(self) -> list[dict[str, Any]]:
        """The render (``html``; ``cuts`` for more than one block) of every markdown text on the page, top
        to bottom: markdown nodes' and the texts messages hold."""
        shown = [n for n in self.nodes("markdown", "message") if n[1] == "markdown" or "html" in n[2]]
        return [
            n[2] if n[1] == "markdown" else {k: n[2][k] for k in RENDER_KEYS & n[2].keys()} for n in shown
        ]

    @property
    def rendered(self) -> list[dict[str, str]]:
        """The transcript as the browser shows it: content being the visible text (``**bold**`` as "bold")."""
        return [{"role": m[2]["role"], "content": node_text(m)} for m in self.nodes("message")]

    @property
    def thoughts(self) -> list[dict[str, Any]]:
        """Every thought, in document order: its props plus ``content`` (visible text) and ``depth``."""
        found: list[dict[str, Any]] = []

        def walk(node: WireNode, depth: int) -> None:
            if node[1] == "thought":
                found.append({**node[2], "content": node_text(node), "depth": depth})
                depth += 1
            for child in node[3]:
                walk(child, depth)

        walk(self._client.root, 0)
        return found

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The props of every error element: ``type``, ``message`` and ``frames``."""
        return [n[2] for n in self.nodes("error")]

    @property
    def text(self) -> str:
        """The visible text of every markdown text on the page, top to bottom (in messages or not)."""
        return "\n\n".join(filter(None, (html_text(p.get("html", "")) for p in self.texts())))

    @property
    def title(self) -> str | None:
        titles = self.nodes("title")
        return titles[0][2]["text"] if titles else None
