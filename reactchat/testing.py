"""Run a reactchat app without a browser: submit input, then inspect the transcript, the ops and the bytes.

    from reactchat.testing import ChatTest

    def test_echo():
        t = ChatTest.from_file("bot.py")
        t.send("hi")
        assert t.messages[-1] == {"role": "assistant", "content": "You said: hi"}

``ChatTest`` drives a real session (the same worker thread, reconciler and outbox as the server) and
applies every frame the browser would receive to a client-side copy of the tree, so what tests see is what
a browser would show.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from reactchat.config import Config
from reactchat.media import MEDIA_ROUTE
from reactchat.ops import ERR, RUN, Op, WireNode, apply, empty_root
from reactchat.page_text import html_text, markdown_source, node_text
from reactchat.protocol import Event, decode_frame
from reactchat.runner import Script
from reactchat.session import Session
from reactchat.store import Store, open_store
from reactchat.transcript import Transcript

__all__ = ["ChatTest", "html_text"]


class ChatTest:
    """A headless session of one app.

    Args:
        script_path: The app's script.
        config: Settings; the frame interval is what coalescing uses, as in the server.
        timeout: Seconds to wait for a run to finish before raising ``TimeoutError``.
        store: Where conversations are stored (a private in-memory store by default); pass one store to
            several ChatTests to share it, as several tabs or a restarted server would.
        owner: The user identifier this tab belongs to (a new anonymous one by default).
        conversation: The stored conversation to open, as the page at ``/c/<id>`` does.
        stored: False serves the app with no store (``chat_interface`` keeps its history in session state).
    """

    def __init__(
        self, script_path: str, *, config: Config | None = None, timeout: float = 10.0,
        names: dict[str, Any] | None = None, store: Store | None = None, owner: str | None = None,
        conversation: str | None = None, stored: bool = True,
    ) -> None:  # fmt: skip
        self.script = Script(script_path)
        self.script.names = dict(names or {})
        self.script.load()
        self.timeout = timeout
        self.config = config or Config()
        self.store = store if store is not None else open_store("memory")
        self.owner = self.store.user(owner or f"anonymous:{secrets.token_hex(8)}")
        self._tab = secrets.token_hex(6)
        self._ev_seq = 0  # per tab, kept across reloads (the page keeps it in sessionStorage)
        self._woken, self._stored = threading.Event(), stored
        self._open(conversation)

    def _open(self, conversation: str | None) -> None:
        """A fresh page: a new session with an empty client, showing ``conversation``."""
        self.frames: list[bytes] = []
        self.ops: list[Op] = []
        self._client: WireNode = empty_root()
        self._run_state = "idle"
        self._overlay: dict[str, Any] | None = None
        app = os.path.splitext(os.path.basename(self.script.path))[0]
        transcript = Transcript(self.store, self.owner, app) if self._stored else None
        if transcript is not None:
            transcript.open(conversation)
        self.session = Session(self.script, self.config, lambda _s, _urgent: self._woken.set(), transcript)
        self.session.start()
        self.wait()

    def reload(self) -> ChatTest:
        """Reload the page: a new session on the same store, showing the same stored conversation."""
        shown = self.session.transcript.id if self.session.transcript is not None else None
        self.session.close()
        self._open(shown)
        return self

    def restart(self) -> ChatTest:
        """Restart the server against the same store (answers cut short are marked interrupted), then load
        the page of the conversation that was shown."""
        shown = self.session.transcript.id if self.session.transcript is not None else None
        self.session.close()
        self.store.recover()
        script = Script(self.script.path)
        script.names = self.script.names
        script.load()
        self.script = script
        self._open(shown)
        return self

    @property
    def conversation(self) -> str | None:
        """The id of the stored conversation this tab shows (None for a new chat)."""
        return self.session.transcript.id if self.session.transcript is not None else None

    def conversations_do(self, action: str, value: Any = None, *, wait: bool = True) -> ChatTest:
        """Use the conversation list: ``"new"``, ``"open"`` (an id), ``"rename"`` ([id, title]),
        ``"delete"`` / ``"restore"`` (an id), ``"search"`` (a query) or ``"more"``."""
        found = self.session.tree.find("conversations")
        if not found:
            raise LookupError("the app shows no conversation list (it does not call rc.conversation())")
        return self._event(found[0].id, f"conversation_{action}", value, wait)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> ChatTest:
        """Load the app at ``path`` and run it once."""
        return cls(os.fspath(path), **kwargs)

    @classmethod
    def from_function(cls, fn: Callable[..., Any], *, timeout: float = 10.0, config: Config | None = None,
                      store: Store | None = None, stored: bool = True,
                      **interface: Any) -> ChatTest:  # fmt: skip
        """Run ``rc.chat_interface(fn, **interface)`` as an app (on ``store``, as ``ChatTest`` does)."""
        folder = tempfile.mkdtemp(prefix="reactchat-test-")
        path = os.path.join(folder, "app.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write("import reactchat as rc\nrc.chat_interface(__fn__, **__interface__)\n")
        return cls(path, timeout=timeout, config=config, store=store, stored=stored,
                   names={"__fn__": fn, "__interface__": interface})  # fmt: skip

    @classmethod
    def from_source(cls, source: str, **kwargs: Any) -> ChatTest:
        """Write ``source`` to a temporary ``app.py`` and run it once."""
        folder = tempfile.mkdtemp(prefix="reactchat-test-")
        path = os.path.join(folder, "app.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        return cls(path, **kwargs)

    # -- driving -------------------------------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> ChatTest:
        """Wait until the app is idle (no run going, nothing queued), then take its frames."""
        limit = self.timeout if timeout is None else timeout
        if not self.session.wait_idle(limit):
            raise TimeoutError(f"the app was still running after {limit} s")
        self.flush()
        return self

    def wait_for(self, condition: Callable[[ChatTest], bool], timeout: float | None = None) -> ChatTest:
        """Take frames as they come until ``condition(self)`` holds (e.g. in the middle of a stream)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            self._woken.clear()
            self.flush()
            if condition(self):
                return self
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition still false after {limit} s; messages: {self.messages!r}")
            self._woken.wait(min(remaining, self.session.config.frame_interval))

    def flush(self) -> list[bytes]:
        """Take the frames pending now, as the browser would receive them, and apply them."""
        new: list[bytes] = []
        while (frame := self.session.outbox.take_frame()) is not None:
            new.append(frame)
            _, _, ops = decode_frame(frame)
            self.ops.extend(ops)
            for op in ops:
                if op[0] == RUN:
                    self._run_state = op[1]
                elif op[0] == ERR:
                    self._overlay = op[1]
            self._client = apply(self._client, ops)
        self.frames.extend(new)
        return new

    def send(
        self, text: str, *, files: list[tuple[str, bytes, str]] | None = None, wait: bool = True
    ) -> ChatTest:
        """Submit ``text`` through the app's chat input, with ``files`` as ``(name, data, mime)`` attachments
        for a multimodal input."""
        inputs = self.session.tree.find("chat_input")
        if not inputs:
            raise LookupError("the app declares no rc.chat_input(), so there is nothing to send to")
        value: Any = text
        if inputs[0].props.get("multimodal"):
            value = {"text": text, "files": [self.upload(*f) for f in files or ()]}
        return self._event(inputs[0].id, "submit", value, wait)

    def _event(self, node_id: int, action: str, value: Any, wait: bool) -> ChatTest:
        self._ev_seq += 1
        self.session.submit(Event(self._ev_seq, node_id, action, value), self._tab)
        return self.wait() if wait else self

    def _message(self, index: int) -> Any:
        shown = [n for n in self.session.tree.root.children if n.kind == "message"]
        try:
            return shown[index]
        except IndexError:
            raise LookupError(f"there is no message {index}; the chat has {len(shown)}") from None

    def _chat_node(self) -> Any:
        found = self.session.tree.find("chat")
        if not found:
            raise LookupError("the app declares no rc.chat(...)")
        return found[-1]

    def click_option(self, i: int, *, message: int | None = None, wait: bool = True) -> ChatTest:
        """Click option ``i`` under ``message`` (default: the last message that has options)."""
        if message is None:
            with_options = [
                n for n in self.session.tree.root.children if n.kind == "message" and n.props.get("options")
            ]
            if not with_options:
                raise LookupError("no message has options")
            node = with_options[-1]
        else:
            node = self._message(message)
        return self._event(node.id, "option", node.props["options"][i]["value"], wait)

    def click_example(self, i: int, *, wait: bool = True) -> ChatTest:
        """Click example ``i`` of the empty chat."""
        return self._event(self._chat_node().id, "example", i, wait)

    def feedback(self, i: int, value: str | None, *, wait: bool = True) -> ChatTest:
        """Give message ``i`` the feedback ``value`` ("Like", ...), or clear it with None."""
        return self._event(self._message(i).id, "feedback", value, wait)

    def retry(self, i: int = -1, *, wait: bool = True) -> ChatTest:
        return self._event(self._message(i).id, "retry", None, wait)

    def undo(self, i: int = -1, *, wait: bool = True) -> ChatTest:
        return self._event(self._message(i).id, "undo", None, wait)

    def edit(self, i: int, text: str, *, wait: bool = True) -> ChatTest:
        return self._event(self._message(i).id, "edit", text, wait)

    def copy(self, i: int, *, wait: bool = True) -> ChatTest:
        return self._event(self._message(i).id, "copy", None, wait)

    def clear(self, *, wait: bool = True) -> ChatTest:
        return self._event(self._chat_node().id, "clear", None, wait)

    def _widget(self, name: str) -> Any:
        for node in self.session.tree.find("widget"):
            if node.key == name or node.props.get("label") == name:
                return node
        raise LookupError(f"no widget with key or label {name!r}")

    def set(self, name: str, value: Any, *, wait: bool = True) -> ChatTest:
        """Set the widget with key or label ``name``, as the user would (an option's label or index for
        selectbox and radio)."""
        node = self._widget(name)
        options = node.props.get("options")
        if options is not None and not isinstance(value, int):
            value = options.index(str(value))
        return self._event(node.id, "set", value, wait)

    def click(self, name: str, *, wait: bool = True) -> ChatTest:
        """Click the button with key or label ``name``."""
        return self._event(self._widget(name).id, "click", None, wait)

    def upload(self, name: str, data: bytes, mime: str = "application/octet-stream") -> str:
        """Attach a file as the browser would (checked like an upload); returns its id for ``send``."""
        from reactchat.uploads import Upload, accepts

        node = self.session.tree.find("chat_input")[0]
        if not node.props.get("multimodal"):
            raise LookupError("the chat input takes no files (rc.chat_input(multimodal=True))")
        if not accepts(node.props.get("file_types"), name, mime):
            raise ValueError(f"{name!r} is not an accepted file type")
        limit = node.props.get("max_file_size") or self.session.config.max_upload_bytes
        if len(data) > limit:
            raise ValueError(f"{name!r} is {len(data)} bytes; the limit is {limit} bytes")
        upload_id, path = self.session.uploads.new_path(name)
        with open(path, "wb") as f:
            f.write(data)
        self.session.uploads.add(Upload(upload_id, name, mime, len(data), path))
        return upload_id

    def stop(self) -> ChatTest:
        """Press Stop."""
        self.session.stop()
        return self

    def edit_script(self, source: str) -> ChatTest:
        """Replace the script's source on disk, as an editor save would, and rerun if it changed."""
        with open(self.script.path, "w", encoding="utf-8") as f:
            f.write(source)
        if self.script.load():
            self.session.show_overlay()
            if self.script.overlay is None:
                self.session.request_rerun()
        return self.wait()

    def close(self) -> None:
        self.session.close()

    # -- inspecting ----------------------------------------------------------------------------------------

    @property
    def tree(self) -> WireNode:
        """The tree as the browser holds it, built only from the frames sent."""
        return self._client

    @property
    def run_state(self) -> str:
        """The last run state sent: ``running``, ``done``, ``stopped`` or ``error`` (``idle`` before any)."""
        return self._run_state

    @property
    def overlay(self) -> dict[str, Any] | None:
        """The compile-error overlay the browser shows, if any."""
        return self._overlay

    @property
    def bytes_sent(self) -> int:
        return sum(len(f) for f in self.frames)

    def nodes(self, kind: str) -> list[WireNode]:
        """All nodes of ``kind`` in document order."""
        found: list[WireNode] = []

        def walk(node: WireNode) -> None:
            if node[1] == kind:
                found.append(node)
            for child in node[3]:
                walk(child)

        walk(self._client)
        return found

    @property
    def messages(self) -> list[dict[str, str]]:
        """The transcript as ``{"role", "content"}`` dicts, content being the markdown the script gave (a
        message's parts joined by blank lines; a part still streaming, as shown so far)."""
        nodes = self.session.tree.nodes
        return [{"role": m[2]["role"], "content": node_text(m, lambda i: markdown_source(nodes.get(i)))}
                for m in self.nodes("message")]  # fmt: skip

    @property
    def rendered(self) -> list[dict[str, str]]:
        """The transcript as the browser shows it: content being the visible text (``**bold**`` as "bold")."""
        return [{"role": m[2]["role"], "content": node_text(m)} for m in self.nodes("message")]

    @property
    def thoughts(self) -> list[dict[str, Any]]:
        """Every thought, in document order: its props plus ``content`` (visible text) and ``depth``."""
        found: list[dict[str, Any]] = []

        def walk(node: WireNode, depth: int) -> None:
            if node[1] == "thought":
                found.append({**node[2], "content": node_text(node), "depth": depth})
                depth += 1
            for child in node[3]:
                walk(child, depth)

        walk(self._client, 0)
        return found

    def media(self, url: str) -> bytes:
        """The bytes the browser would get for a media ``src`` the app registered.

        Raises:
            LookupError: for a URL this session does not serve.
        """
        prefix = f"{MEDIA_ROUTE}/{self.session.media.key}/"
        entry = self.session.media.get(url[len(prefix) :]) if url.startswith(prefix) else None
        if entry is None:
            raise LookupError(f"this session serves no media at {url!r}")
        if entry.data is not None:
            return entry.data
        assert entry.path is not None
        with open(entry.path, "rb") as f:
            return f.read()

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The props of every error element: ``type``, ``message`` and ``frames``."""
        return [n[2] for n in self.nodes("error")]

    @property
    def title(self) -> str | None:
        titles = self.nodes("title")
        return titles[0][2]["text"] if titles else None
