"""Conversations that last: stored as they stream, listed in the side panel, kept across restarts."""

import time

import reactchat as rc

rc.title("Notebook")
rc.chat(feedback=True, placeholder="Every conversation is kept: reload, restart, come back tomorrow.")

conv = rc.conversation()  # the conversation this tab shows (/c/<id>), from the store
conv.show()


def answer(history, delay):
    """A stand-in model: it streams a short reply about the last prompt."""
    prompt = history[-1]["content"]
    for word in f"You wrote **{prompt}** (message {len(history)} of this conversation).".split(" "):
        time.sleep(delay)
        yield word + " "


if prompt := rc.chat_input("Write something to keep"):
    with conv.reply():  # stored as it streams: what the page shows is already in the store
        rc.write_stream(answer(conv.history, rc.session_state.get("delay", 0.02)))
