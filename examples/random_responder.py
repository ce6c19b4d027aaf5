"""A chat function that ignores what you say and answers "Yes" or "No" at random.

The smallest `rc.chat_interface` app: one function from (message, history) to a reply.
Run it with `reactchat run examples/random_responder.py`.
"""

import random

import reactchat as rc


def random_response(message: str, history: list[dict]) -> str:
    return random.choice(["Yes", "No"])


rc.chat_interface(random_response, title="Random responder", placeholder="Ask anything; I'll decide.")
