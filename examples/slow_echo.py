"""A streaming chat function: a generator that yields the whole reply so far, one more character each time.

`rc.chat_interface` turns each yield into the difference from the previous one, so only the new
characters travel to the browser. While it streams, Send becomes Stop; stopping keeps the partial reply
in the history. Run it with `reactchat run examples/slow_echo.py`.
"""

import time

import reactchat as rc

DELAY = 0.05  # seconds per character


def slow_echo(message: str, history: list[dict]):
    for i in range(len(message)):
        time.sleep(DELAY)
        yield "You typed: " + message[: i + 1]


rc.chat_interface(slow_echo, title="Slow echo", placeholder="Type something and watch it come back")
