"""A multimodal bot written as a plain script: send text and files; each file becomes its own message.

A multimodal `rc.chat_input` returns `{"text", "files"}`. Every attached file is shown as a user message
(images as images, audio as a player, anything else as a download), then the text, then the bot streams a
bold "That's cool!". Feedback thumbs sit on both sides of the chat, and each vote is logged by a callback.
Run it with `reactchat run examples/blocks_multimodal.py`.
"""

import time

import reactchat as rc


def log_vote(event: rc.ChatEvent) -> None:
    rc.session_state.setdefault("votes", []).append((event.index, event.role, event.value))
    print(event.index, event.role, event.value, event.text)


rc.chat(
    title="Multimodal bot",
    placeholder="Send a message or upload a file.",
    feedback=True,
    feedback_on_user=True,
    on_feedback=log_vote,
)

if "history" not in rc.session_state:
    rc.session_state.history = []
history = rc.session_state.history

for msg in history:
    rc.message(msg)


def bot():
    for character in "**That's cool!**":
        time.sleep(0.05)
        yield character


message = rc.chat_input("Enter a message or upload files...", multimodal=True, file_count="multiple")
if message:
    sent = [{"role": "user", "content": {"path": path}} for path in message["files"]]
    if message["text"]:
        sent.append({"role": "user", "content": message["text"]})
    for msg in sent:
        rc.message(msg)
    history += sent
    with rc.message("assistant"):
        reply = rc.write_stream(bot())
    history.append({"role": "assistant", "content": reply})
