"""A slow echo that streams its reply character by character; press Stop to keep the partial answer."""

import time

import reactchat as rc

rc.title("Slow echo")

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)


def slow_echo(text: str, delay: float = 0.03):
    for ch in f"You typed: **{text}**":
        time.sleep(delay)
        yield ch


if prompt := rc.chat_input("Type and watch it stream back"):
    rc.message("user", prompt)
    rc.session_state.history.append({"role": "user", "content": prompt})
    with rc.message("assistant"):
        reply = rc.write_stream(slow_echo(prompt, rc.session_state.get("delay", 0.03)))
    rc.session_state.history.append({"role": "assistant", "content": reply})
