"""Thoughts: tool calls and reasoning shown as collapsible blocks.

Run it with `reactchat run examples/thoughts.py`, then ask anything.
"""

import time

import reactchat as rc

rc.chat(title="Agent with thoughts", reasoning_tags=[("<think>", "</think>")])

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)


def search(query: str) -> list[str]:
    time.sleep(0.3)  # a slow tool
    return [f"{query} result {i}" for i in range(1, 4)]


def model(question: str):
    """A stand-in for an LLM that thinks out loud between <think> tags, then answers."""
    for (
        word
    ) in f"<think>The user asks about {question}. I searched; three results look relevant.</think>".split(
        " "
    ):
        time.sleep(0.02)
        yield word + " "
    for word in f"Here is what I found about **{question}**: three results.".split(" "):
        time.sleep(0.02)
        yield word + " "


if prompt := rc.chat_input("Ask the agent"):
    rc.message("user", prompt)
    with rc.message("assistant"):
        with rc.thought("Searching the web", log=f"query: {prompt}") as step:
            results = search(prompt)
            rc.markdown("\n".join(f"- {r}" for r in results))
            step.update(log=f"query: {prompt} · {len(results)} results")
        reply = rc.write_stream(model(prompt))
    # Stored as thought messages (metadata) plus the answer, so the history shows the same blocks.
    rc.session_state.history += [
        {"role": "user", "content": prompt},
        rc.ChatMessage(
            content="\n".join(f"- {r}" for r in results),
            metadata={"title": "Searching the web", "log": f"query: {prompt}", "status": "done"},
        ),
        {"role": "assistant", "content": reply},
    ]
