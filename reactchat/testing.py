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
import urllib.parse
from collections.abc import Callable
from typing import Any

from reactchat.config import Config
from reactchat.identity import Identity
from reactchat.media import FILES_ROUTE, MEDIA_ROUTE
from reactchat.ops import ERR
from reactchat.page_text import html_text, markdown_source, node_text
from reactchat.protocol import Event
from reactchat.runner import Script
from reactchat.screen import Screen
from reactchat.session import Session
from reactchat.store import Store, open_store
from reactchat.transcript import Transcript

__all__ = ["ChatTest", "Screen", "html_text"]


class ChatTest(Screen):
    """A headless session of one app; what its page shows is read as from a ``Screen``.

    Args:
        script_path: The app's script.
        config: Settings; the frame interval is what coalescing uses, as in the server.
        timeout: Seconds to wait for a run to finish before raising ``TimeoutError``.
        store: Where conversations are stored (a private in-memory store by default); pass one store to
            several ChatTests to share it, as several tabs or a restarted server would.
        owner: The user identifier this tab belongs to (a new anonymous one by default).
        user: The signed-in user the tab is (``rc.user``), e.g. ``rc.Identity("password:alice", "password",
            name="alice")``; their conversations are theirs in the store. None: an anonymous browser.
        conversation: The stored conversation to open, as the page at ``/c/<id>`` does.
        stored: False serves the app with no store (``chat_interface`` keeps its history in session state).
    """

    def __init__(
        self, script_path: str, *, config: Config | None = None, timeout: float = 10.0,
        names: dict[str, Any] | None = None, store: Store | None = None, owner: str | None = None,
        conversation: str | None = None, stored: bool = True, user: Identity | None = None,
    ) -> None:  # fmt: skip
        self.script = Script(script_path)
        self.script.names = dict(names or {})
        self.script.load()
        self.timeout = timeout
        self.config = config or Config()
        self.store = store if store is not None else open_store("memory")
        self.user = user
        if user is not None:
            self.owner = self.store.user(user.id, provider=user.provider, name=user.name, email=user.email)
        else:
            self.owner = self.store.user(owner or f"anonymous:{secrets.token_hex(8)}")
        self._tab = secrets.token_hex(6)
        self._ev_seq = 0  # per tab, kept across reloads (the page keeps it in sessionStorage)
        self._woken, self._stored = threading.Event(), stored
        self._open(conversation)

    def _open(self, conversation: str | None) -> None:
        """A fresh page: a new session with an empty client, showing ``conversation``."""
        self.reset()
        app = os.path.splitext(os.path.basename(self.script.path))[0]
        transcript = Transcript(self.store, self.owner, app) if self._stored else None
        if transcript is not None:
            transcript.open(conversation)
        self.session = Session(
            self.script, self.config, lambda _s, _urgent: self._woken.set(), transcript, self.user
        )
        self.session.start()
        self.session.snapshot()  # as the page's socket asks once it is attached: the tree, as one frame
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
        names, self.script = self.script.names, Script(self.script.path)
        self.script.names = names
        self.script.load()
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
        """Wait until the app is idle (no run going, nothing queued), then take its frames (the whole tree,
        if it is to go, once its renders are made: ``rerender.send_whole``)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        if not self.session.wait_idle(limit):
            raise TimeoutError(f"the app was still running after {limit} s")
        while True:
            self._woken.clear()
            self.flush()
            if not self.session.outbox.sending_tree:
                return self
            if not self._woken.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"the page's whole tree was not ready after {limit} s")

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
            self.receive(frame)
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
        shown = reversed(self.session.tree.root.children)
        node = next((n for n in shown if n.kind == "message" and n.props.get("options")), None)
        if message is not None:
            node = self._message(message)
        elif node is None:
            raise LookupError("no message has options")
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

    def edit(self, i: int, text: str, *, answer: bool = True, wait: bool = True) -> ChatTest:
        """Edit message ``i`` to ``text``: saved and answered, or (``answer=False``) only saved."""
        return self._event(
            self._message(i).id, "edit", text if answer else {"text": text, "answer": False}, wait
        )

    def branch(self, i: int, step: int, *, wait: bool = True) -> ChatTest:
        """Show the previous (``step`` -1) or next (1) version of message ``i`` of a stored conversation."""
        return self._event(self._message(i).id, "branch", step, wait)

    def fork(self, i: int, *, wait: bool = True) -> ChatTest:
        """Branch off at message ``i``: a new stored conversation holding the path up to it, shown."""
        return self._event(self._message(i).id, "fork", None, wait)

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
            self.session.outbox.push_now([ERR, self.script.overlay])
            if self.script.overlay is None:
                self.session.request_rerun()
        return self.wait()

    def close(self) -> None:
        self.session.close()

    # -- inspecting (the rest is Screen's) ----------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, str]]:
        """The transcript as ``{"role", "content"}`` dicts, content being the markdown the script gave (a
        message's parts joined by blank lines; a part still streaming, as shown so far)."""
        nodes = self.session.tree.nodes
        return [{"role": m[2]["role"], "content": node_text(m, lambda i: markdown_source(nodes.get(i)))}
                for m in self.nodes("message")]  # fmt: skip

    def media(self, url: str) -> bytes:
        """The bytes the browser would get for a media ``src``: the app's, or a file kept in the store.

        Raises:
            LookupError: for a URL this session does not serve.
        """
        transcript = self.session.transcript
        if url.startswith(FILES_ROUTE + "/") and transcript is not None:
            return transcript.read({"file_id": urllib.parse.unquote(url[len(FILES_ROUTE) + 1 :])})
        prefix = f"{MEDIA_ROUTE}/{self.session.media.key}/"
        entry = self.session.media.get(url[len(prefix) :]) if url.startswith(prefix) else None
        if entry is None:
            raise LookupError(f"this session serves no media at {url!r}")
        if entry.data is None:
            with open(str(entry.path), "rb") as f:
                return f.read()
        return entry.data
