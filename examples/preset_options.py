"""Preset replies: a message with options under it; clicking one sends its value as the next message.

The bot "writes" a function and asks whether it is right, offering "Yes" (which sends the longer value
"Yes, that's correct.") and "No". Start from the example in the empty chat.
Run it with `reactchat run examples/preset_options.py`.
"""

import reactchat as rc

CODE = """Here's the code I generated:

```python
def greet(x):
    return f"Hello, {x}!"
```

Is this correct?"""


def chat(message: str, history: list[dict]):
    if message == "Yes, that's correct.":
        return "Great!"
    return rc.ChatMessage(
        content=CODE,
        options=[{"value": "Yes, that's correct.", "label": "Yes"}, {"value": "No"}],
    )


rc.chat_interface(
    chat,
    title="Preset options",
    examples=["Write a Python function that takes a string and returns a greeting."],
)
