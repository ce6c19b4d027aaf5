"""Echo: the smallest chat app. Run it with `reactchat run examples/echo.py`."""

import reactchat as rc

rc.title("Echo")

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)

if prompt := rc.chat_input("Say something"):
    reply = f"You said: {prompt}"
    rc.message("user", prompt)
    rc.message("assistant", reply)
    rc.session_state.history += [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": reply},
    ]
