"""reactchat: chat apps as plain Python scripts.

import reactchat as rc

if "history" not in rc.session_state:
    rc.session_state.history = []
for m in rc.session_state.history:
    rc.message(m)
if prompt := rc.chat_input("Say something"):
    rc.message("user", prompt)
    rc.message("assistant", f"You said: {prompt}")
    rc.session_state.history += [{"role": "user", "content": prompt},
                                 {"role": "assistant", "content": f"You said: {prompt}"}]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Three public functions share their name with a module of the package (``reactchat.markdown``,
# ``reactchat.conversation``, ``reactchat.mcp_tools``): importing that module later would bind the module in
# their place, so they are imported now. Every other name is imported on first use (``__getattr__``): a
# server imports only what its pages use (``reactchat run``'s cold start), and ``import reactchat`` is cheap.
from reactchat.conversation import conversation
from reactchat.mcp_tools import mcp_tools
from reactchat.messages import markdown

if TYPE_CHECKING:
    from reactchat.actions import chat
    from reactchat.chatbot import chat_interface
    from reactchat.client import Client
    from reactchat.composer import chat_input
    from reactchat.control import chat_event, rerun, session_state, stop
    from reactchat.conversation import conversations
    from reactchat.current_user import require_user
    from reactchat.elements import ChatMessage
    from reactchat.identity import Identity
    from reactchat.mcp_tools import McpTools
    from reactchat.media_elements import audio, file, gallery, html, image, plot, video
    from reactchat.messages import history, message, thought, title, write_stream
    from reactchat.queues import queue
    from reactchat.replay import ReplayServer
    from reactchat.trigger import ChatEvent
    from reactchat.widgets import (
        button,
        checkbox,
        number_input,
        radio,
        selectbox,
        sidebar,
        slider,
        text_area,
        text_input,
        toggle,
    )

_LAZY = {
    "audio": "reactchat.media_elements",
    "button": "reactchat.widgets",
    "chat": "reactchat.actions",
    "chat_event": "reactchat.control",
    "chat_input": "reactchat.composer",
    "chat_interface": "reactchat.chatbot",
    "ChatEvent": "reactchat.trigger",
    "ChatMessage": "reactchat.elements",
    "checkbox": "reactchat.widgets",
    "Client": "reactchat.client",
    "conversations": "reactchat.conversation",
    "file": "reactchat.media_elements",
    "gallery": "reactchat.media_elements",
    "history": "reactchat.messages",
    "html": "reactchat.media_elements",
    "Identity": "reactchat.identity",
    "image": "reactchat.media_elements",
    "McpTools": "reactchat.mcp_tools",
    "message": "reactchat.messages",
    "number_input": "reactchat.widgets",
    "plot": "reactchat.media_elements",
    "queue": "reactchat.queues",
    "radio": "reactchat.widgets",
    "ReplayServer": "reactchat.replay",
    "require_user": "reactchat.current_user",
    "rerun": "reactchat.control",
    "selectbox": "reactchat.widgets",
    "session_state": "reactchat.control",
    "sidebar": "reactchat.widgets",
    "slider": "reactchat.widgets",
    "stop": "reactchat.control",
    "text_area": "reactchat.widgets",
    "text_input": "reactchat.widgets",
    "thought": "reactchat.messages",
    "title": "reactchat.messages",
    "toggle": "reactchat.widgets",
    "video": "reactchat.media_elements",
    "write_stream": "reactchat.messages",
}
"""Each public name imported on first use, and the module it comes from."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # ``rc.user`` is read at each use: it is the user of the run that reads it.
    if name == "user":
        from reactchat.current_user import current_user as _current_user

        return _current_user()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reactchat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ChatEvent",
    "ChatMessage",
    "Client",
    "Identity",
    "McpTools",
    "ReplayServer",
    "__version__",
    "audio",
    "button",
    "chat",
    "chat_event",
    "chat_input",
    "chat_interface",
    "checkbox",
    "conversation",
    "conversations",
    "file",
    "gallery",
    "history",
    "html",
    "image",
    "markdown",
    "mcp_tools",
    "message",
    "number_input",
    "plot",
    "queue",
    "radio",
    "require_user",
    "rerun",
    "selectbox",
    "session_state",
    "sidebar",
    "slider",
    "stop",
    "text_area",
    "text_input",
    "thought",
    "title",
    "toggle",
    "video",
    "write_stream",
]
