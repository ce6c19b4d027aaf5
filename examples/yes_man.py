"""Customising a chat_interface app: a title, a description, a fixed height, examples and a placeholder.

Yes Man answers "Yes" to every question and asks for one otherwise. Click an example in the empty chat to
send it. Run it with `reactchat run examples/yes_man.py`.
"""

import reactchat as rc


def yes_man(message: str, history: list[dict]) -> str:
    if message.strip().endswith("?"):
        return "Yes"
    return "Ask me anything!"


rc.chat_interface(
    yes_man,
    title="Yes Man",
    description="Ask Yes Man any question.",
    placeholder="**Your Personal Yes-Man**\n\nAsk me anything.",
    input_placeholder="Ask me a yes or no question",
    examples=["Hello", "Am I cool?", "Are tomatoes vegetables?"],
    example_icons=["👋", "😎", "🍅"],
    height=300,
)
