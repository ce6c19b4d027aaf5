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

from reactchat.api import (
    chat_input,
    markdown,
    message,
    rerun,
    session_state,
    stop,
    title,
    write_stream,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "chat_input",
    "markdown",
    "message",
    "rerun",
    "session_state",
    "stop",
    "title",
    "write_stream",
]
