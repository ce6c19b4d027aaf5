"""``rc.chat_interface`` on a stored conversation: prompts stored before they are answered, answers stored as
they stream, retry and edit keeping the earlier versions as branches."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.composer import chat_input
from reactchat.conversation import conversation
from reactchat.elements import Element
from reactchat.messages import message, write_stream
from reactchat.replies import END, as_messages, chain, deltas, is_stream, is_structured, last_user, structured

if TYPE_CHECKING:
    from reactchat.run import Run
    from reactchat.transcript import Transcript
    from reactchat.trigger import ChatEvent


class StoredChat:
    """``chat_interface`` on a stored conversation: every prompt is stored as a user message before it is
    answered (the session stores submits and examples; retry moves back to the prompt, edit and options
    add one), and the answer is stored as it streams."""

    def __init__(self, run: Run, transcript: Transcript, state: dict[str, Any]) -> None:
        self.run, self.transcript, self.state = run, transcript, state

    def turn(
        self,
        fn: Callable[..., Any],
        event: ChatEvent | None,
        values: list[Any],
        multimodal: bool,
        placeholder: str | None,
        file_types: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        """One run of the app: ``event`` (its ``index`` already the history entry clicked) carried out on the
        stored conversation, the conversation shown, and its last prompt answered if it asks for one."""
        transcript = self.transcript
        answer = self.run.trigger.prompt is not None  # already stored by the session
        if event is not None:
            answer = self._apply(event, transcript.history()) or answer
        stored = transcript.history()
        shown: dict[str, Any] = self.state.setdefault("media", {})  # see _answer
        ids = [message({**m, "content": shown.get(m["id"], m["content"])}).node.id for m in stored]
        submitted = chat_input(placeholder, multimodal=multimodal, file_types=file_types)
        if answer and stored and stored[-1]["role"] == "user":
            argument = submitted if submitted is not None else _argument(stored[-1]["content"], multimodal)
            asked = 1  # the prompt's messages: its files, then its text
            if isinstance(submitted, dict):
                files, text = submitted.get("files") or [], submitted.get("text")
                asked = len(files) + (1 if text or not files else 0)
            self._answer(fn, argument, [plain(m) for m in stored[:-asked]], values, ids)
        self.state["ids"] = ids
        self.state["history"] = [plain(m) for m in transcript.history()]
        return self.state["history"]  # type: ignore[no-any-return]

    def _apply(self, event: Any, stored: list[dict[str, Any]]) -> bool:
        """Carry out a chat event on the stored conversation; returns whether its last prompt is to be
        answered."""
        transcript = self.transcript
        if event.kind == "clear":
            transcript.open(None)
        elif event.kind in ("undo", "retry", "edit") and event.index is not None:
            start = last_user(stored, event.index)
            if start is None:
                return False
            if event.kind == "retry":
                transcript.set_leaf(stored[start]["id"])  # the old answer stays, as a branch
                return True
            transcript.set_leaf(stored[start - 1]["id"] if start else None)
            if event.kind == "edit" and isinstance(event.text, str):
                transcript.add("user", event.text)
                return True
        elif event.kind == "option" and isinstance(event.value, str):
            transcript.add("user", event.value)
            return True
        return False

    def _answer(self, fn: Callable[..., Any], argument: Any, before: list[dict[str, Any]], values: list[Any],
                ids: list[int]) -> None:  # fmt: skip
        result = fn(argument, before, *values)
        if inspect.iscoroutine(result):
            result = self.run.scope.event_loop().run_until_complete(result)
        if inspect.isgenerator(result):
            first = next(result, END)
            if first is END:
                return
            if is_structured(first):
                final: list[dict[str, Any]] = []
                structured(first, result, final, [])
                for item in final:
                    content = storable(item.get("content"))
                    if content is not None:
                        role = str(item.get("role", "assistant"))
                        self.transcript.add(role, content, metadata=item.get("metadata"))
                return
            result = chain(first, result)
        if is_stream(result):
            with conversation().reply() as shown:
                ids.append(shown.node.id)
                write_stream(deltas(result))
            return
        for item in as_messages(result):
            content = item.get("content")
            kept_content = storable(content)
            role = str(item.get("role", "assistant"))
            kept = self.transcript.add(role, [] if kept_content is None else kept_content,
                                       metadata=item.get("metadata"))  # fmt: skip
            if kept_content != content:
                # Media made in code are not stored yet: this session shows them again from memory.
                self.state.setdefault("media", {})[kept.id] = content
            ids.append(message({**item, "id": kept.id, "created_at": kept.created_at}).node.id)


def storable(content: Any) -> Any:
    """Content as it can be stored: media made in code (``rc.audio(...)``) are left out (not stored yet)."""
    if isinstance(content, (list, tuple)):
        parts = [storable(part) for part in content]
        return [part for part in parts if part is not None]
    return None if isinstance(content, Element) else content


def plain(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the chat function sees it: role and content (and metadata, feedback)."""
    return {k: v for k, v in stored.items() if k in ("role", "content", "metadata", "feedback")}


def _argument(content: Any, multimodal: bool) -> Any:
    """What the chat function is called with for a stored user message (retried, edited, an option)."""
    text = content if isinstance(content, str) else ""
    return {"text": text, "files": []} if multimodal else text
