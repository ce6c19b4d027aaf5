"""The tour `reactchat hello` serves: one chat function showing the main features, picked by the examples.

Every answer says which part of the API made it; the README has the rest.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import reactchat as rc

TABLE = """| feature | how |
|---|---|
| streaming | a generator yields the reply so far |
| thoughts | messages with `metadata={"title": ...}` |
| options | `ChatMessage(options=[...])` |
| settings | `additional_inputs=[...]` |"""

CODE = """```python
import reactchat as rc

def reply(message, history):
    return f"You said: {message}"

rc.chat_interface(reply)
```"""


def _stream(text: str, delay: float) -> Iterator[str]:
    shown = ""
    for word in text.split(" "):
        time.sleep(delay)
        shown += word + " "
        yield shown


def tour(message: str, history: list[dict[str, Any]], speed: float, name: str) -> Any:
    """Answer each example with the feature it names."""
    topic = message.lower()
    delay = 0.12 / max(speed, 0.1)
    if "stream" in topic:
        return _stream(
            f"Hello {name}! This answer streams word by word: the function is a generator yielding the "
            "whole reply so far, and reactchat sends only the new words. Press **Stop** to cut it short; "
            "**Retry** asks again.",
            delay,
        )
    if "thought" in topic:
        return _thoughts(delay)
    if "markdown" in topic:
        math = "$e^{i\\pi} + 1 = 0$"
        return f"Markdown renders as it streams: **bold**, `code`, {math}, and tables:\n\n{TABLE}"
    if "option" in topic:
        return rc.ChatMessage(content="Options are preset replies. Which do you like?",
                              options=["Streaming", "Thoughts", "Markdown"])  # fmt: skip
    if "code" in topic:
        return f"A whole app is this short (run it with `reactchat run bot.py`):\n\n{CODE}"
    return (
        f"Hi {name}. Try the examples: streaming, thoughts, markdown, options, code. The settings in the "
        "side panel are this function's additional inputs; 👍 / 👎 under an answer is feedback."
    )


def _thoughts(delay: float) -> Iterator[list[rc.ChatMessage]]:
    pending = rc.ChatMessage(content="Looking up the weather…",
                             metadata={"title": "Used the weather tool", "status": "pending"})  # fmt: skip
    yield [pending]
    time.sleep(delay * 10)
    tool = {"title": "Used the weather tool", "status": "done", "duration": 1.2}
    done = rc.ChatMessage(content="Paris: 14 °C, clear", metadata=tool)
    yield [done, rc.ChatMessage(content="Thoughts show tool use: pending while the tool runs, then done.")]


rc.chat_interface(
    tour,
    title="Hello, reactchat",
    description="A tour of the main features. The source: `reactchat/tour/hello.py`.",
    examples=["Show streaming", "Show thoughts", "Show markdown", "Show options", "Show code"],
    additional_inputs=[
        lambda: rc.slider("Speed", 0.5, 4.0, 1.0),
        lambda: rc.text_input("Your name", "there"),
    ],
    feedback=True,
    editable=True,
)
