"""The chat input box, ``rc.chat_input``, and what a submission gives the script."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reactchat.elements import begin


def chat_input(
    placeholder: str | None = None,
    *,
    key: str | None = None,
    value: str | None = None,
    multimodal: bool = False,
    file_types: Iterable[str] | None = None,
    file_count: str = "multiple",
    max_file_size: int | None = None,
    max_chars: int | None = None,
) -> Any:
    """Declare the chat input box.

    Args:
        placeholder: Shown while the box is empty.
        value: Text to put in the box (applied when it changes; the user's typing is not overwritten on
            every run).
        multimodal: Let the user attach files (button, drag and drop, paste); the return value is then
            ``{"text": str, "files": [path, ...]}``.
        file_types: What may be attached: ``"image"``, ``"audio"``, ``"video"``, ``"text"``, extensions like
            ``".pdf"``, or MIME types like ``"text/csv"``. Refused in the browser and again on the server.
        file_count: ``"single"`` or ``"multiple"``.
        max_file_size: Bytes per file (at most the server's limit).
        max_chars: The most characters a message may have: the input counts them and stops there, and
            the server refuses a longer submit with a notice (the text goes back into the input).

    Returns:
        What the user submitted, on the run that submission (or an example's click) triggered; otherwise
        None. Undo puts the undone message's text back in the box.
    """
    run = begin()
    if file_count not in ("single", "multiple"):
        raise ValueError(f"file_count must be 'single' or 'multiple'; got {file_count!r}")
    props: dict[str, Any] = {"placeholder": placeholder}
    if max_chars is not None:
        if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
            raise ValueError(f"max_chars must be a positive int; got {max_chars!r}")
        props["max_chars"] = max_chars
    if multimodal:
        props.update(multimodal=True, file_count=file_count)
        types = list(file_types) if file_types is not None else None
        if types:
            props["file_types"] = types
        if max_file_size is not None:
            props["max_file_size"] = int(max_file_size)
    trigger = run.trigger
    prefill = trigger.prefill
    shown = prefill if prefill is not None else value
    node = run.reconciler.emit("chat_input", props, key, defaults={"value": None, "value_seq": None})
    # A value from the script applies when it changes; undo's text applies every time, even if the same.
    if prefill is not None or (shown is not None and shown != node.props.get("value")):
        run.reconciler.set(node, {"value": shown, "value_seq": node.props.get("value_seq", 0) + 1})
    prompt = trigger.prompt
    if prompt is None or prompt.input_id not in (None, node.id):
        return None
    return {"text": prompt.text, "files": list(prompt.files)} if multimodal else prompt.text
