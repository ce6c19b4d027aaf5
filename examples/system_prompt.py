"""Additional inputs: a system prompt and a length slider in the sidebar, passed to a streaming function.

Each entry of `additional_inputs` declares one widget and returns its value; `rc.chat_interface` calls the
chat function with those values after `history`, in order. A change made while a reply streams applies to
the next reply. An example row gives the message and the inputs' values together: clicking one sets the
widgets, then sends. Run it with `reactchat run examples/system_prompt.py`.
"""

import time

import reactchat as rc


def echo(message: str, history: list[dict], system_prompt: str, max_chars: int):
    response = f"System prompt: {system_prompt}\n\nMessage: {message}."
    for i in range(min(len(response), int(max_chars))):
        time.sleep(0.01)
        yield response[: i + 1]


rc.chat_interface(
    echo,
    title="System prompt",
    description="Set a system prompt and a reply length in the sidebar.",
    additional_inputs=[
        lambda: rc.text_area("System prompt", "You are a helpful AI."),
        lambda: rc.slider("Max characters", 10, 200, 100),
    ],
    examples=[["Hello!", "You are a pirate.", 40], ["What is 2 + 2?", "You are a maths teacher.", 200]],
)
