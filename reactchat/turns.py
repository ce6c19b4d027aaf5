"""What a client event changes in a tab's stored conversation, before the run that shows it, and what that
run answers: a prompt, a retry, an edit, an undone turn (and putting it back), feedback, another version.

Only the session's worker thread calls these (``Session._execute``), on its ``Transcript``.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from reactchat.store_base import NotFound
from reactchat.trigger import RERUN, Prompt, Trigger

if TYPE_CHECKING:
    from reactchat.transcript import Transcript
    from reactchat.uploads import Uploads

__all__ = ["put_back", "record", "record_event", "undo"]

log = logging.getLogger("reactchat")

FINAL = ("done", "stopped", "interrupted", "error")
# Events whose run's first stored message is kept under the event's origin + ":a" (a retry's answer, an
# option's or a button's first message): one the page sends again after a crash is applied only without it.
ONCE_BY_ANSWER = ("retry", "option", "click")


def record_event(
    transcript: Transcript, trigger: Trigger, stored: Any, origin: str | None, uploads: Uploads
) -> tuple[Trigger, str | None]:
    """``record``, committed before the run shows anything of it, never raising: if the store fails, the
    trigger the run sees instead (the prompt goes back into the input: the user's words are not lost) and the
    note the page shows. ``stored``: the target node's ``id`` prop (a stored message's id when a str)."""
    try:
        return record(transcript, trigger, stored if isinstance(stored, str) else None, origin, uploads), None
    except Exception as exc:  # the worker must live on: a store down, a conversation deleted meanwhile
        log.error("storing an event failed: %s", exc, exc_info=exc)
        if trigger.prompt is not None:
            trigger = dataclasses.replace(trigger, prompt=None, prefill=trigger.prompt.text)
        return trigger, f"Could not save to the conversation store: {exc}"


def record(
    transcript: Transcript, trigger: Trigger, stored: str | None, origin: str | None, uploads: Uploads
) -> Trigger:
    """Store what ``trigger`` changes; returns the trigger the run sees.

    The list's actions; feedback on the ``stored`` message the event targets, a switch to another version
    of it. In an app that uses conversations: the prompt (each attached file, kept in the store, then the
    text; not again when the page resends it: ``origin`` names the event); a retry, which moves the branch
    back to the prompt so that the run answers it again, beside the earlier answer; an edit, a new version
    of the prompt beside the old one, answered unless the edit says ``"answer": False``; an undo, which
    removes the last turn (offered back until the user does something else).
    """
    t = transcript
    if trigger.action == "conversation_put_back":
        put_back(t)
    else:
        t.removed = None  # an undone turn is offered back until the next thing the user does
    if t.apply(trigger.action, trigger.value):
        return trigger
    if trigger.mark is not None and "feedback" in trigger.mark and stored is not None:
        t.set_feedback(stored, trigger.mark["feedback"])
    if trigger.action == "branch" and stored is not None and trigger.value in (-1, 1):
        t.page(stored, trigger.value)
    if trigger.action == "fork" and stored is not None:
        t.fork(stored, origin)
    if not t.in_use:
        return trigger
    if origin and trigger.action in ONCE_BY_ANSWER:  # (a retry's answer may be off the branch shown)
        if t.has(f"{origin}:a", branches=trigger.action == "retry"):
            return RERUN  # sent again (to another worker, after a crash): applied once
        t.answering = f"{origin}:a"
    if stored is not None and trigger.action == "undo":
        undo(t, stored)
    if stored is not None and trigger.action in ("retry", "edit"):
        trigger = _again(t, trigger, stored, origin)
    prompt = trigger.prompt
    if prompt is None or trigger.action == "retry":
        return trigger
    if origin and t.has(f"{origin}:0"):  # sent again (to another worker, after a crash): stored once
        return trigger if not _answered(t, origin) else dataclasses.replace(trigger, prompt=None)
    parts: list[Any] = []
    for path in prompt.files:
        upload = uploads.at(path)
        name, mime = (upload.name, upload.mime) if upload is not None else (None, None)
        parts.append(t.keep_file(path, name=name, mime=mime))
    if prompt.text or not parts:
        parts.append(prompt.text)
    for i, part in enumerate(parts):
        t.add("user", part, origin=f"{origin}:{i}" if origin else None)
    return trigger


def _answered(t: Transcript, origin: str) -> bool:
    """Whether an answer (of any status) follows the prompt the client event ``origin`` stored."""
    parts = [i for i, m in enumerate(t.path) if (m.origin or "").startswith(f"{origin}:")]
    return bool(parts) and parts[-1] < len(t.path) - 1


def undo(t: Transcript, message_id: str) -> bool:
    """Remove the last turn of the branch shown, up to ``message_id`` (its last question and what followed
    it), from the store too; ``put_back`` restores it while it is offered."""
    at = next((i for i, m in enumerate(t.path) if m.id == message_id), None)
    start = None if at is None else next((i for i in range(at, -1, -1) if t.path[i].role == "user"), None)
    if start is None or t.conversation is None:
        return False
    removed = t.path[start:]
    try:
        t.store.remove(t.owner, removed[0].id)
    except NotFound:  # removed meanwhile (another tab)
        return False
    t.removed = removed
    t.path = t.store.path(t.owner, t.conversation.id)
    t.followers.changed(t.id, t)
    return True


def put_back(t: Transcript) -> None:
    """Store the turn ``undo`` removed again, as it was (with new ids), while it is offered."""
    removed, t.removed = t.removed, None
    for m in removed or ():
        again = t.add(
            m.role, m.content, metadata=m.metadata, status=m.status if m.status in FINAL else "done"
        )
        if m.feedback is not None:
            t.set_feedback(again.id, m.feedback)


def _again(t: Transcript, trigger: Trigger, stored: str, origin: str | None) -> Trigger:
    """A retry or an edit of the message ``stored`` on the path: the branch moves back, and the prompt to
    answer (already stored for a retry, to store for an edit) is the trigger's. The messages the event
    adds are stored under its ``origin``: an edit's prompt (a retry's answer: ``record``)."""
    at = next((i for i, m in enumerate(t.path) if m.id == stored), None)
    if at is None:
        return trigger
    if trigger.action == "retry":
        prompt = next((m for m in reversed(t.path[: at + 1]) if m.role == "user"), None)
        if prompt is None or not isinstance(prompt.content, str):
            return trigger
        t.set_leaf(prompt.id)  # the earlier answer stays, as another version
        return dataclasses.replace(trigger, prompt=Prompt(prompt.content))
    edit = trigger.value if isinstance(trigger.value, dict) else {"text": trigger.value}
    text, edited = edit.get("text"), t.path[at]
    if not isinstance(text, str) or edited.role != "user" or not isinstance(edited.content, str):
        return trigger
    t.set_leaf(edited.parent_id)  # the old prompt and what followed it stay, as another version
    if edit.get("answer", True) is False:
        t.add("user", text, origin=f"{origin}:0" if origin else None)
        return dataclasses.replace(trigger, prompt=None)
    return dataclasses.replace(trigger, prompt=Prompt(text))
