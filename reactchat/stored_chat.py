"""``rc.chat_interface`` on a stored conversation: prompts stored before they are answered, answers stored as
they stream, retry and edit keeping the earlier versions as branches."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.composer import chat_input
from reactchat.conversation import conversation, storable
from reactchat.messages import message, new_answer, write_stream
from reactchat.replies import END, as_messages, chain, deltas, is_stream, is_structured, nothing, structured

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
        max_chars: int | None = None,
    ) -> list[dict[str, Any]]:
        """One run of the app: ``event`` (its ``index`` already the history entry clicked) carried out on the
        stored conversation, the conversation shown, and its last prompt answered if it asks for one."""
        transcript = self.transcript
        answer = self.run.trigger.prompt is not None  # already stored by the session
        if event is not None:
            answer = self._apply(event, transcript.history()) or answer
        stored = transcript.history()
        ids = [message(m).node.id for m in stored]
        submitted = chat_input(placeholder, multimodal=multimodal, file_types=file_types, max_chars=max_chars)
        if answer and stored and stored[-1]["role"] == "user":
            argument = submitted if submitted is not None else _argument(stored[-1]["content"], multimodal)
            asked = 1  # the prompt's messages: its files, then its text
            if isinstance(submitted, dict):
                files, text = submitted.get("files") or [], submitted.get("text")
                asked = len(files) + (1 if text or not files else 0)
            self._answer(fn, argument, [self._plain(m) for m in stored[:-asked]], values, ids)
        self.state["ids"] = ids
        self.state["history"] = [self._plain(m) for m in transcript.history()]
        return self.state["history"]  # type: ignore[no-any-return]

    def _plain(self, stored: dict[str, Any]) -> dict[str, Any]:
        """A stored message as the chat function sees it: role and content (and metadata, feedback), a kept
        file with its ``path``."""
        return {**plain(stored), "content": self._local(stored["content"])}

    def _local(self, content: Any) -> Any:
        """Content as the chat function sees it: a kept file gets a ``path`` (written once per session into
        its folder of attachments), as files in a history had before they were stored."""
        if isinstance(content, list):
            return [self._local(part) for part in content]
        if not (isinstance(content, dict) and "file_id" in content):
            return content
        paths: dict[str, str] = self.state.setdefault("paths", {})
        path = paths.get(content["file_id"])
        if path is None or not os.path.exists(path):
            _, path = self.run.scope.uploads.new_path(str(content.get("name") or "file"))
            with open(path, "wb") as f:
                f.write(self.transcript.read(content))
            paths[content["file_id"]] = path
        return {**content, "path": path}

    def _apply(self, event: Any, stored: list[dict[str, Any]]) -> bool:
        """Carry out a chat event on the stored conversation; returns whether its last prompt is to be
        answered."""
        transcript = self.transcript
        # Retry, edit and undo were carried out before the run (Transcript.record); a retry's or an edit's
        # prompt is the trigger's.
        if event.kind == "clear":
            transcript.open(None)
        elif event.kind == "option" and isinstance(event.value, str):
            transcript.add("user", event.value)
            return True
        return False

    def _answer(self, fn: Callable[..., Any], argument: Any, before: list[dict[str, Any]], values: list[Any],
                ids: list[int]) -> None:  # fmt: skip
        new_answer(self.run)
        result = fn(argument, before, *values)
        if inspect.iscoroutine(result):
            result = self.run.scope.event_loop().run_until_complete(result)
        if inspect.isgenerator(result):
            first = next(result, END)
            if first is END:
                nothing(fn)
                return
            if is_structured(first):
                final: list[dict[str, Any]] = []
                shown: list[int] = []
                structured(first, result, final, shown)
                # Shown as they came; now stored, and shown again as the stored messages (by id), so that
                # actions on them (retry, feedback) reach them.
                for node_id in shown:
                    node = self.run.reconciler.tree.nodes.get(node_id)
                    if node is not None:
                        self.run.reconciler.retract(node)
                for item in final:
                    self._keep(item, ids)
                return
            result = chain(first, result)
        if is_stream(result):
            with conversation().reply() as reply:
                ids.append(reply.node.id)
                write_stream(deltas(result))
            return
        replies = as_messages(result)
        if not replies:
            nothing(fn)
        for item in replies:
            self._keep(item, ids)

    def _keep(self, item: dict[str, Any], ids: list[int]) -> None:
        """Store a reply message (media made in code kept as files with it) and show it as stored."""
        content = storable(self.run, self.transcript, item.get("content"))
        if content is None:
            content = []
        kept = self.transcript.add(str(item.get("role", "assistant")), content, metadata=item.get("metadata"))
        ids.append(message({**item, "content": content, **self.transcript.shown(kept.id)}).node.id)


def plain(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the chat function sees it: role and content (and metadata, feedback)."""
    return {k: v for k, v in stored.items() if k in ("role", "content", "metadata", "feedback")}


def _argument(content: Any, multimodal: bool) -> Any:
    """What the chat function is called with for a stored user message (retried, edited, an option)."""
    text = content if isinstance(content, str) else ""
    return {"text": text, "files": []} if multimodal else text
