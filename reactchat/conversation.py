"""Stored conversations in a script: ``rc.conversation()``, its history, replies written through to the store,
and ``rc.conversations()``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reactchat.actions import message_text
from reactchat.elements import ChatMessage, begin
from reactchat.interrupts import Interrupt, RerunRequested, RunAbandoned, ShuttingDown, StopRequested
from reactchat.messages import Container, StreamRecords, StreamSinks, message

if TYPE_CHECKING:
    from reactchat.run import Run
    from reactchat.transcript import Transcript
    from reactchat.tree import Node

TITLE_CHARS = 60


@dataclasses.dataclass(frozen=True)
class Listed:
    """This run declared the conversation list (its node)."""

    node: Node


class State(MutableMapping[str, Any]):
    """``conv.state``: a dict of JSON values kept with the conversation; each change is stored at once."""

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript

    def _data(self) -> dict[str, Any]:
        conversation = self._transcript.conversation
        return dict(conversation.state) if conversation is not None else {}

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        data = self._data()
        if data.get(key, _MISSING) != value:
            data[key] = value
            self._transcript.set_state(data)

    def __delitem__(self, key: str) -> None:
        data = self._data()
        del data[key]
        self._transcript.set_state(data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


_MISSING = object()


class Reply(Container):
    """``with conv.reply():`` an assistant message whose content is stored as it is written: streamed text
    reaches the store before the browser shows it, and the message is finished when the block ends."""

    def __init__(self, run: Run, transcript: Transcript) -> None:
        self._transcript = transcript
        self._streamed = self._replaced = False
        self._length = 0  # the text stored so far: where a stream's thoughts stand in the whole reply
        self._metadata: dict[str, Any] = {}
        self._stored = transcript.add("assistant", "", status="streaming")
        shown = {
            "role": "assistant",
            "content": None,
            "id": self._stored.id,
            "created_at": self._stored.created_at,
        }
        super().__init__(run, message(shown).node)  # as the history will re-declare it: no update next turn

    def __enter__(self) -> Reply:
        super().__enter__()
        self._run.part(StreamSinks).append(self._sink)
        self._run.part(StreamRecords).append(self._record)
        return self

    def _record(self, metadata: dict[str, Any], length: int) -> None:
        """A stream ended: keep its thoughts (placed in the whole reply), tool calls and usage, stored with
        the reply when it is finished."""
        base = self._length - length
        kept = self._metadata
        kept.setdefault("thoughts", []).extend(
            {**t, "at": t["at"] + base} for t in metadata.get("thoughts", ())
        )
        kept.setdefault("tool_calls", []).extend(metadata.get("tool_calls", ()))
        if metadata.get("usage"):
            kept["usage"] = metadata["usage"]

    def _sink(self, text: str | None) -> None:
        if text is None:
            # The stream replaced its text. The store only appends, so the final content is given whole at
            # the end; a crash before then recovers the old and the new text, more than was shown, not less.
            self._replaced = True
        else:
            self._streamed = True
            self._length += len(text)
            self._transcript.append(self._stored.id, text)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        sinks, records = self._run.part(StreamSinks), self._run.part(StreamRecords)
        if sinks and sinks[-1] == self._sink:
            sinks.pop()
        if records and records[-1] == self._record:
            records.pop()
        super().__exit__(exc_type, exc, tb)
        interrupted = exc_type is not None and issubclass(exc_type, Interrupt)
        kind = exc_type if interrupted else self._run.cancel.kind
        if exc_type is None and kind is None:
            status = "done"
        elif kind is not None and issubclass(kind, ShuttingDown | RerunRequested | RunAbandoned):
            status = "interrupted"  # the server is stopping, or the code changed: not the user's choice
        elif kind is not None and issubclass(kind, StopRequested):
            status = "stopped"
        else:
            status = "error"
        # A streamed reply is folded from what was appended (reasoning tags included, so they show again as
        # thoughts); anything else is the markdown the reply declared.
        content = None if self._streamed and not self._replaced else message_text(self.node)
        metadata = {name: value for name, value in self._metadata.items() if value} or None
        self._transcript.finish(self._stored.id, status, content, metadata)
        if status != "done":
            self._run.reconciler.set(self.node, {"status": status})
        _relist(self._run, self._transcript)


class Conversation:
    """The conversation this tab shows (see ``rc.conversation``)."""

    def __init__(self, run: Run, transcript: Transcript) -> None:
        self._run = run
        self._transcript = transcript
        self.state: MutableMapping[str, Any] = State(transcript)
        """A dict of JSON values kept with the conversation (the model picked for it, ...)."""

    @property
    def id(self) -> str | None:
        """The stored id; None until the conversation has its first message."""
        return self._transcript.id

    @property
    def title(self) -> str | None:
        """Set from the first prompt (at most 60 characters) unless the app or the user gives one."""
        conversation = self._transcript.conversation
        return conversation.title if conversation is not None else None

    @title.setter
    def title(self, value: str) -> None:
        conversation = self._transcript.ensure()
        self._transcript.rename(conversation.id, str(value)[:200])
        _relist(self._run, self._transcript)

    @property
    def history(self) -> list[dict[str, Any]]:
        """The stored messages, oldest first, as OpenAI-style dicts (``role``, ``content``, ``id``,
        ``created_at``, and ``metadata``, ``feedback``, ``status`` where set); without a reply still being
        written."""
        return self._transcript.history()

    def reply(self) -> Reply:
        """An assistant message, stored as it is written: ``with conv.reply(): rc.write_stream(...)``."""
        begin()
        return Reply(self._run, self._transcript)

    def add(self, item: Mapping[str, Any] | ChatMessage) -> dict[str, Any]:
        """Store a message (a dict or ``ChatMessage``: a tool result, a system note) and show it.

        Returns:
            It as stored, as in ``history``.
        """
        begin()
        data = item.to_dict() if isinstance(item, ChatMessage) else dict(item)
        stored = self._transcript.add(str(data.get("role", "assistant")), data.get("content"),
                                      metadata=data.get("metadata"))  # fmt: skip
        shown = {**data, "id": stored.id, "created_at": stored.created_at}
        message(shown)
        _relist(self._run, self._transcript)
        return shown


def _relist(run: Run, transcript: Transcript) -> None:
    """The list changed during the run (a new conversation, a title, the order): show it now."""
    listed = run.find(Listed)
    if listed is not None:
        props = transcript.list_props()
        changed = {k: v for k, v in props.items() if listed.node.props.get(k) != v}
        if changed:
            run.reconciler.set(listed.node, changed)


def conversation() -> Conversation:
    """The conversation this tab shows, from the store (a new one until its first message).

    A prompt submitted in an app that uses it is stored before the script runs, so ``conv.history`` ends
    with it. Show the history with ``for m in conv.history: rc.message(m)`` and answer in ``conv.reply()``.

    Raises:
        RuntimeError: when the app is served without a store.
    """
    run = begin()
    transcript = run.scope.transcript
    if transcript is None:
        raise RuntimeError("rc.conversation() needs a store; this session has none")
    if run.find(Listed) is None:  # the list of conversations, once per run, in the side panel
        rec = run.reconciler
        if rec.container is not rec.tree.root:
            raise RuntimeError("call rc.conversation() at the top level of the script, not inside a message")
        if not transcript.in_use:
            transcript.in_use = True
            transcript.refresh_listing()
        run.put(Listed(rec.emit("conversations", transcript.list_props(), "__conversations__")))
    return Conversation(run, transcript)


def conversations() -> list[dict[str, Any]]:
    """The current user's conversations in this app, newest first: ``{"id", "title", "updated_at"}``."""
    run = begin()
    transcript = run.scope.transcript
    if transcript is None:
        return []
    listed = transcript.store.list(transcript.owner, transcript.app)
    return [{"id": c.id, "title": c.title, "updated_at": c.updated_at} for c in listed]
