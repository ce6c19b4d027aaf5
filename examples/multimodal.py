"""Multimodal input: attach images or text files (button, drag and drop, paste) and get them back.

Run it with `reactchat run examples/multimodal.py`.
"""

import os

import reactchat as rc

rc.chat(title="Multimodal", placeholder="Attach an image or a .txt file and send.")

if "history" not in rc.session_state:
    rc.session_state.history = []
history = rc.session_state.history

for msg in history:
    rc.message(msg)

msg = rc.chat_input(
    "Message and files",
    multimodal=True,
    file_types=["image", ".txt"],
    file_count="multiple",
    max_file_size=5_000_000,
)
if msg:
    user_parts = [msg["text"]] if msg["text"] else []
    user_parts += [{"path": path} for path in msg["files"]]
    images = [p for p in msg["files"] if not p.lower().endswith(".txt")]
    texts = [p for p in msg["files"] if p.lower().endswith(".txt")]
    summary = f"You sent {len(images)} image(s) and {len(texts)} text file(s)."
    for path in texts:
        with open(path, encoding="utf-8", errors="replace") as f:
            summary += f"\n\n`{os.path.basename(path)}` starts with: {f.read(80)!r}"
    history += [{"role": "user", "content": user_parts}, {"role": "assistant", "content": summary}]
    rc.message(history[-2])
    rc.message(history[-1])
