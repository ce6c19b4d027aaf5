"""Multimodal input: attach images or text files (button, drag and drop, paste) and get them back.

The conversation is stored: attachments are kept with it, so they show again after a reload or a restart,
and `conv.read_file` reads one back (here, the start of each text file). Run it with
`reactchat run examples/multimodal.py`.
"""

import reactchat as rc

rc.chat(title="Multimodal", placeholder="Attach an image or a .txt file and send.")

conv = rc.conversation()
conv.show()  # each attached file is a message of its own, then the text

msg = rc.chat_input(
    "Message and files",
    multimodal=True,
    file_types=["image", ".txt"],
    file_count="multiple",
    max_file_size=5_000_000,
)
if msg:
    count = len(msg["files"])
    attached = [m["content"] for m in conv.history[-(count + bool(msg["text"])) :] if m["role"] == "user"]
    files = [part for part in attached if isinstance(part, dict)]
    images = [f for f in files if f["mime_type"].startswith("image/")]
    texts = [f for f in files if not f["mime_type"].startswith("image/")]
    summary = f"You sent {len(images)} image(s) and {len(texts)} text file(s)."
    for part in texts:
        start = conv.read_file(part)[:80].decode("utf-8", errors="replace")
        summary += f"\n\n`{part['name']}` starts with: {start!r}"
    with conv.reply():
        rc.markdown(summary)
