"""A streaming bot written as a plain script: the user's message shows at once, the reply streams in.

No event chaining is needed: the script shows the user's message, then streams the bot's reply character
by character into an assistant message with `rc.write_stream`, then stores both in the history kept in
session state. Messages sent while it streams are queued, and the clear button empties the chat.
Run it with `reactchat run examples/blocks_streaming.py`.
"""

import random
import time

import reactchat as rc

rc.chat(title="Streaming bot", placeholder="Say anything.", clear=True)

if "history" not in rc.session_state:
    rc.session_state.history = []
history = rc.session_state.history

event = rc.chat_event()
if event is not None and event.kind == "clear":
    history.clear()

for msg in history:
    rc.message(msg)


def bot():
    reply = random.choice(["How are you?", "Today is a great day", "I'm very hungry"])
    for character in reply:
        time.sleep(0.05)
        yield character


if prompt := rc.chat_input("Type a message and press Enter"):
    rc.message("user", prompt)
    history.append({"role": "user", "content": prompt})
    with rc.message("assistant"):
        reply = rc.write_stream(bot())
    history.append({"role": "assistant", "content": reply})
