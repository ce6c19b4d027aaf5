"""Settings next to the chat: widgets in the sidebar feed the bot; changing one mid-answer applies next turn.

Run it with `reactchat run examples/settings.py`.
"""

import time

import reactchat as rc

rc.chat(title="Settings")

with rc.sidebar:
    system = rc.text_area("System prompt", "You are a helpful assistant.", key="system")
    temperature = rc.slider("Temperature", 0.0, 2.0, 0.7, step=0.1)
    max_words = rc.number_input("Max words", 20, min_value=1, max_value=200)
    style = rc.selectbox("Style", ["plain", "shouting", "whisper"])
    streaming = rc.toggle("Stream the answer", True)
    if rc.button("Clear chat"):
        rc.session_state.history = []

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)


def bot(prompt: str):
    words = f"[{system} | t={temperature:.1f}] You said {prompt}".split()[: int(max_words)]
    text = " ".join(words)
    text = text.upper() if style == "shouting" else text.lower() if style == "whisper" else text
    for word in text.split(" "):
        time.sleep(0.01)
        yield word + " "


if prompt := rc.chat_input("Ask"):
    rc.message("user", prompt)
    with rc.message("assistant"):
        reply = rc.write_stream(bot(prompt)) if streaming else "".join(bot(prompt))
        if not streaming:
            rc.markdown(reply)
    rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
