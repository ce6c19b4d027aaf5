"""What the user did: chat events as scripts see them (``rc.chat_event()``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from reactchat.protocol import Event
from reactchat.tree import Node, Tree

CHAT_ACTIONS = frozenset(
    {"option", "example", "feedback", "retry", "undo", "edit", "clear", "copy", "copy_all"}
)
"""Actions that reach the script as a ChatEvent (submit and widget changes reach it through their return
values instead)."""


@dataclasses.dataclass(frozen=True)
class ChatEvent:
    """One interaction with the chat, on the run it triggered.

    Attributes:
        kind: ``"option"``, ``"example"``, ``"feedback"``, ``"retry"``, ``"undo"``, ``"edit"``, ``"clear"``,
            ``"copy"`` or ``"copy_all"``.
        index: The position of the message it concerns among the chat's messages (0 is the first), or None
            for chat-wide events (clear, copy_all, example).
        value: The option's value, the feedback chosen (None when cleared), the example's index, or the new
            text of an edit.
        role: The role of the message it concerns.
        text: The message's text (for an edit, the new text).
        liked: For feedback: True for the first feedback option ("Like"), False for the second
            ("Dislike"), None otherwise.
        target: The id of the element clicked (stable across reruns), to map it to your own records.
    """

    kind: str
    index: int | None = None
    value: Any = None
    role: str | None = None
    text: str | None = None
    liked: bool | None = None
    target: int | None = None


def message_text(node: Node) -> str:
    """A message's text as the script gave it (markdown source), parts joined by blank lines."""
    parts = []
    for child in node.children:
        source = child.source
        if child.kind == "markdown" and isinstance(source, tuple) and isinstance(source[0], str):
            parts.append(source[0])
    return "\n\n".join(parts)


def messages(tree: Tree) -> list[Node]:
    return [n for n in tree.root.children if n.kind == "message"]


def chat_event(event: Event, tree: Tree, feedback_options: tuple[str, ...]) -> ChatEvent | None:
    """The ChatEvent for a client event, or None when it is not a chat event."""
    if event.action not in CHAT_ACTIONS:
        return None
    node = tree.nodes.get(event.node_id)
    if node is None or node.kind != "message":
        return ChatEvent(event.action, value=event.value, target=event.node_id)
    shown = messages(tree)
    index = shown.index(node) if node in shown else None
    role = node.props.get("role")
    if event.action == "edit":
        text = event.value if isinstance(event.value, str) else None
        return ChatEvent("edit", index, event.value, role, text, target=node.id)
    liked = None
    if event.action == "feedback" and event.value is not None:
        if feedback_options[:1] == (event.value,):
            liked = True
        elif feedback_options[1:2] == (event.value,):
            liked = False
    return ChatEvent(event.action, index, event.value, role, message_text(node), liked, node.id)


def last_user_text(tree: Tree, before: Node | None) -> str | None:
    """The text of the last user message at or before ``before`` (the whole chat when None)."""
    shown = messages(tree)
    if before is not None and before in shown:
        shown = shown[: shown.index(before) + 1]
    for node in reversed(shown):
        if node.props.get("role") == "user":
            return message_text(node)
    return None
