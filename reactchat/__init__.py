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

from reactchat.actions import chat
from reactchat.chatbot import chat_interface
from reactchat.client import Client
from reactchat.composer import chat_input
from reactchat.control import chat_event, rerun, session_state, stop
from reactchat.conversation import conversation, conversations
from reactchat.current_user import current_user as _current_user
from reactchat.current_user import require_user
from reactchat.elements import ChatMessage
from reactchat.identity import Identity
from reactchat.mcp_tools import McpTools, mcp_tools
from reactchat.media_elements import audio, file, gallery, html, image, plot, video
from reactchat.messages import markdown, message, thought, title, write_stream
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

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # ``rc.user`` is read at each use: it is the user of the run that reads it.
    if name == "user":
        return _current_user()
    raise AttributeError(f"module 'reactchat' has no attribute {name!r}")


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
