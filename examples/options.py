"""Preset options under a message and examples in the empty chat.

Run it with `reactchat run examples/options.py`.
"""

import reactchat as rc

rc.chat(
    title="Options and examples",
    placeholder="Pick an example, or ask anything.",
    examples=[
        {"text": "What can you do?", "icon": "💡"},
        {"text": "Pick a colour", "display_text": "🎨 Choose a colour"},
    ],
)

if "history" not in rc.session_state:
    rc.session_state.history = []
history = rc.session_state.history


def reply(text: str) -> dict:
    if "colour" in text.lower():
        return {
            "role": "assistant",
            "content": "Which one?",
            "options": ["Red", "Green", {"value": "Blue", "label": "🔵 Blue"}],
        }
    return {"role": "assistant", "content": f"You said: **{text}**. Try *Pick a colour*."}


event = rc.chat_event()
if event is not None and event.kind == "option":
    # A click on an option works like sending its value.
    history += [
        {"role": "user", "content": event.value},
        {"role": "assistant", "content": f"{event.value} it is!"},
    ]

for msg in history:
    rc.message(msg)

if prompt := rc.chat_input("Ask"):
    history += [{"role": "user", "content": prompt}, reply(prompt)]
    rc.message(history[-2])
    rc.message(history[-1])
