"""A multimodal chat function: the message is `{"text", "files"}` and attached images become messages.

Each attached file is its own user message in the history, with a `{"path": ...}` content, so the function
can count the images sent in this message and in the whole conversation. Only images are accepted (the
browser and the server both refuse other files). Run it with `reactchat run examples/image_counter.py`.
"""

import reactchat as rc


def count_images(message: dict, history: list[dict]) -> str:
    now = len(message["files"])
    before = sum(1 for m in history if m["role"] == "user" and isinstance(m["content"], dict))
    return f"You just uploaded {now} image(s), total uploaded: {before + now}"


rc.chat_interface(
    count_images,
    multimodal=True,
    file_types=["image"],
    title="Image counter",
    placeholder="Attach some images and send",
    examples=[{"text": "No files", "files": []}],
)
