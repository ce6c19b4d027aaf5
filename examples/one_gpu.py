"""One slow local model shared by every tab: it answers one prompt at a time, the others wait in line and
see their place, and the examples' answers are computed once and replayed.

Open it in two tabs and send in both: the second shows "you are next" until the first answer is done.
"""

import time

import reactchat as rc


def model(message, history):
    # Stands in for a model on one GPU: slow, and unable to answer two prompts at once.
    delay = rc.session_state.get("delay", 0.03)  # read before the first yield: the rest streams off the run
    reply = f"After some thought about {message!r}: one step at a time."
    for i in range(len(reply)):
        time.sleep(delay)
        yield reply[: i + 1]


rc.chat_interface(
    model,
    title="One GPU",
    description="Every tab shares one model: a queue gives each prompt its turn.",
    examples=["What is a queue?", "Why do I have to wait?"],
    cache_examples=True,
    concurrency_limit=1,
    submit_btn="Ask",
)
