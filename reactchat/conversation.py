"""Stored conversations in a script: ``rc.conversation()``, its history, replies written through to the store,
and ``rc.conversations()``."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterator, Mapping, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reactchat.actions import message_text
from reactchat.elements import ChatMessage, Element, Rendering, begin, claim, message_key
from reactchat.interrupts import Interrupt, RerunRequested, RunAbandoned, ShuttingDown, StopRequested
from reactchat.media import FILES_ROUTE, MediaEntry, is_url
from reactchat.messages import Container, StreamRecords, StreamSinks, message, shown_once
from reactchat.records import Message, as_dict

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
        self._text: list[str] = []  # what was appended: the stored text (media join it at the end)
        self._metadata: dict[str, Any] = {}
        self._stored = transcript.add("assistant", "", status="streaming")
        shown = {"role": "assistant", "content": None, **transcript.shown(self._stored.id)}
        super().__init__(run, message(shown).node)  # as the history will re-declare it: no update next turn

    def __enter__(self) -> Reply:
        super().__enter__()
        self._run.part(StreamSinks).append(self._sink)
        self._run.part(StreamRecords).append(self._record)
        return self

    def _record(self, metadata: dict[str, Any], length: int, final: bool = True) -> None:
        """A stream showed ``metadata`` besides its ``length`` of text: its thoughts (placed in the whole
        reply), tool calls and usage. When it ended (``final``), kept to be stored with the finished reply;
        while it runs (a thought began or ended), stored at once, so a crash keeps the thoughts shown."""
        base = sum(map(len, self._text)) - length  # where this stream's text starts in the whole reply
        kept = {
            "thoughts": [*self._metadata.get("thoughts", ()),
                         *({**t, "at": t["at"] + base} for t in metadata.get("thoughts", ()))],
            "tool_calls": [*self._metadata.get("tool_calls", ()), *metadata.get("tool_calls", ())],
            "usage": metadata.get("usage") or self._metadata.get("usage"),
        }  # fmt: skip
        if final:
            self._metadata = kept
        else:
            self._transcript.note(self._stored.id, {k: v for k, v in kept.items() if v} or None)

    def _sink(self, text: str | None) -> None:
        if text is None:
            # The stream replaced its text. The store only appends, so the final content is given whole at
            # the end; a crash before then recovers the old and the new text, more than was shown, not less.
            self._replaced = True
        else:
            self._streamed = True
            self._transcript.append(self._stored.id, text)
            self._text.append(text)  # once stored: the reply is finished with what was stored (and shown)

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
        # A streamed reply is what was appended (reasoning tags included, so they show again as thoughts),
        # given whole so the store need not read its deltas back; anything else is the markdown it declared.
        content: Any = (
            "".join(self._text) if self._streamed and not self._replaced else message_text(self.node)
        )
        media = shown_media(self._run, self._transcript, self.node)
        if media:
            content = [content, *media] if content else media
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

    def show(self) -> None:
        """Show the history: ``for m in conv.history: rc.message(m)``, at a cost that does not grow with its
        length. What was shown last run and is unchanged is taken as it is, in one step; only what is new
        (the last turn) is declared."""
        shown_once(self._transcript.settled(), shown_message)

    def tree(self) -> list[dict[str, Any]]:
        """Every stored message, every branch (retried answers, edited prompts), oldest first: dicts as in
        ``history`` with ``parent_id`` and ``children`` (ids), for apps that show or compare versions."""
        return self._transcript.tree()

    def read_file(self, part: Mapping[str, Any]) -> bytes:
        """The bytes of a file kept with the conversation: a part of a message's content in ``history``
        (``{"file_id", "name", "mime_type", "size"}``), e.g. to send an attached image to the model.

        Raises:
            LookupError: the file is not one of this user's.
        """
        return self._transcript.read(dict(part))

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
        shown = {**data, **self._transcript.shown(stored.id)}
        message(shown)
        _relist(self._run, self._transcript)
        return shown


MEDIA_KINDS = ("image", "audio", "video", "file")


def storable(run: Run, transcript: Transcript, content: Any) -> Any:
    """Content as it can be stored: media made in code (``rc.image(...)``, a gallery) kept as files with the
    conversation, so they show again after a restart; elements that are not media (``rc.html``) left out."""
    if isinstance(content, (list, tuple)):
        parts = [storable(run, transcript, part) for part in content]
        return [part for part in parts if part is not None]
    if not isinstance(content, Element):
        return content
    claim(run, content)  # shown as stored, not where it was made (nor where it was declared already)
    if content.shown is not None and content.shown[0] == run.id:
        run.reconciler.retract(content.shown[1])
    if content.kind == "gallery":
        return [_kept(transcript, entry) for entry in content.media]
    if content.kind in MEDIA_KINDS:
        return _media_part(run, transcript, content.props, content.media[0] if content.media else None)
    return None


def shown_message(stored: Message) -> Container:
    """``rc.message(as_dict(stored))``, remembered by the stored message itself, which nothing changes (a
    frozen record the transcript holds anyway): an equal one next run takes it as it is, and the session
    keeps no copy of its dict per message."""
    run = begin()
    rec = run.reconciler
    key, extra = message_key(stored.id), rec.tree.intern(run.part(Rendering))
    node = rec.reuse("message", key, stored, extra)
    if node is not None:
        return Container(run, node)
    shown = message(as_dict(stored), key=key)
    rec.remember(shown.node, stored, extra)  # (in place of the copy of the dict message() kept)
    return shown


def shown_media(run: Run, transcript: Transcript, node: Node) -> list[dict[str, Any]]:
    """The media shown inside ``node`` (a reply), as stored parts, in order."""
    parts: list[dict[str, Any]] = []
    for child in node.children:
        if child.kind in MEDIA_KINDS:
            media_id = str(child.props.get("src", "")).rsplit("/", 1)[-1]
            part = _media_part(run, transcript, child.props, run.scope.media.get(media_id))
            if part is not None:
                parts.append(part)
        elif child.kind == "gallery":
            for item in child.props.get("items", ()):
                entry = run.scope.media.get(str(item.get("src", "")).rsplit("/", 1)[-1])
                if entry is not None:
                    parts.append(_kept(transcript, entry))
    return parts


def _media_part(
    run: Run, transcript: Transcript, props: Mapping[str, Any], entry: MediaEntry | None
) -> dict[str, Any] | None:
    src = str(props.get("src", ""))
    if src.startswith(FILES_ROUTE + "/"):  # kept already (it came from the history)
        return {"file_id": urllib.parse.unquote(src[len(FILES_ROUTE) + 1 :]), "name": props.get("name"),
                "mime_type": props.get("mime")}  # fmt: skip
    if entry is None:
        return {"path": src, "mime_type": props.get("mime")} if is_url(src) else None
    part = _kept(transcript, entry)
    if props.get("alt"):
        part["alt_text"] = props["alt"]
    return part


def _kept(transcript: Transcript, entry: MediaEntry) -> dict[str, Any]:
    if entry.data is not None:
        data = entry.data
    else:
        assert entry.path is not None
        with open(entry.path, "rb") as f:
            data = f.read()
    return transcript.keep(data, entry.name, entry.mime)


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
    with it. Show the history with ``conv.show()`` and answer in ``conv.reply()``.

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
