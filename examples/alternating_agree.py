"""A chat function that uses the history: it agrees with every other message and disagrees in between.

`history` holds the earlier messages as `{"role", "content"}` dicts, so counting the assistant's replies
tells the function whose turn it is. Retry, undo and edit all keep working, because the history passed in
is always the conversation as it stands. Run it with `reactchat run examples/alternating_agree.py`.
"""

import reactchat as rc


def alternatingly_agree(message: str, history: list[dict]) -> str:
    replies = sum(1 for m in history if m["role"] == "assistant")
    if replies % 2 == 0:
        return f"Yes, I do think that: {message}"
    return "I don't think so"


rc.chat_interface(alternatingly_agree, title="Alternating agreement", editable=True)
