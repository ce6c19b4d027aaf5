"""Feedback and message actions: like/dislike, retry, undo, edit, clear, copy-all with a watermark.

Run it with `reactchat run examples/feedback.py`.
"""

import reactchat as rc


def record(event: rc.ChatEvent) -> None:
    """Called before the script reruns for a feedback click: log it somewhere real in your app."""
    rc.session_state.setdefault("votes", []).append((event.index, event.value))


rc.chat(
    title="Feedback",
    feedback=True,
    retry=True,
    undo=True,
    editable="user",
    clear=True,
    watermark="Generated with reactchat",
    on_feedback=record,
)

if "history" not in rc.session_state:
    rc.session_state.history = []
history = rc.session_state.history


def answer(prompt: str, attempt: int = 0) -> str:
    variants = ["Sure", "Certainly", "Absolutely", "Of course"]
    return f"{variants[attempt % len(variants)]}! You said: {prompt}"


event = rc.chat_event()
if event is not None:
    if event.kind == "retry":
        attempt = history[event.index].get("attempt", 0) + 1
        history[event.index] = {
            "role": "assistant",
            "content": answer(history[event.index - 1]["content"], attempt),
            "attempt": attempt,
        }
    elif event.kind == "undo":
        start = event.index - 1 if event.role == "assistant" else event.index
        del history[start:]  # the input gets the undone text back
    elif event.kind == "edit":
        del history[event.index :]
        history += [
            {"role": "user", "content": event.text},
            {"role": "assistant", "content": answer(event.text)},
        ]
    elif event.kind == "clear":
        history.clear()

for msg in history:
    rc.message({"role": msg["role"], "content": msg["content"]})

votes = rc.session_state.get("votes", [])
if votes:
    rc.markdown(f"*{len(votes)} feedback click(s) so far; last: {votes[-1][1] or 'cleared'}*")

if prompt := rc.chat_input("Say something, then rate the answer"):
    history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer(prompt)}]
    rc.message(history[-2])
    rc.message(history[-1])
