"""What started a run: one client event, interpreted once before the run into a frozen value.

Every consumer (``rc.chat_input``, ``rc.chat_event``, the ``on_*`` callbacks, ``rc.chat_interface``, buttons)
reads the run's ``Trigger``; none writes back. ``actions.interpret`` makes it (see docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class ChatEvent:
    """One interaction with the chat, on the run it triggered.

    Attributes:
        kind: ``"option"``, ``"example"``, ``"feedback"``, ``"retry"``, ``"undo"``, ``"edit"``, ``"clear"``,
            ``"copy"`` or ``"copy_all"``.
        index: The position of the message it concerns among the chat's messages (0 is the first), or None
            for chat-wide events (clear, copy_all, example).
        value: The option's value, the feedback chosen (None when cleared), the example's index, or the new
            text of an edit.
        role: The role of the message it concerns.
        text: The message's text (for an edit, the new text).
        liked: For feedback: True for the first feedback option ("Like"), False for the second
            ("Dislike"), None otherwise.
        target: The id of the element clicked (stable across reruns), to map it to your own records.
    """

    kind: str
    index: int | None = None
    value: Any = None
    role: str | None = None
    text: str | None = None
    liked: bool | None = None
    target: int | None = None


@dataclasses.dataclass(frozen=True)
class Prompt:
    """A message for the script to answer: what ``rc.chat_input()`` returns on the run it triggered.

    Attributes:
        text: The text.
        files: Paths of the attached files (uploads the input accepts, or an example's files).
        input_id: The chat input it was typed into; None (an example, an option) for whichever input asks.
    """

    text: str
    files: tuple[str, ...] = ()
    input_id: int | None = None


@dataclasses.dataclass(frozen=True)
class Trigger:
    """What started a run.

    Attributes:
        action: The client's action (``"submit"``, ``"click"``, a chat action), or ``"rerun"`` for a run no
            client event started (the first run, a code change, a widget change, ``rc.rerun()``).
        target: The id of the element acted on.
        value: The value the client sent, as sent.
        prompt: The message to answer, when the event submits one (a submit, or an example's click).
        chat: The chat event the script sees through ``rc.chat_event()``, for chat actions.
        prefill: Text to put back in the chat input (undo).
        callback: The app's ``on_<action>`` callback, called with ``chat`` before the script runs.
        mark: Props the target element shows at once, before the run (the feedback chosen).
        notice: A notice the page shows before the run (a submit refused: too long for the input).
    """

    action: str
    target: int | None = None
    value: Any = None
    prompt: Prompt | None = None
    chat: ChatEvent | None = None
    prefill: str | None = None
    callback: Callable[[ChatEvent], Any] | None = None
    mark: dict[str, Any] | None = None
    notice: str | None = None


RERUN = Trigger("rerun")
"""The trigger of every run that no client event started."""
