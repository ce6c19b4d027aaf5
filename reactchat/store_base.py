"""The conversation store's contract: its records (from records.py), its errors, the abstract Store every
backend implements.

Also the small pure rules every backend shares: the automatic title, what counts as a JSON value, and how
a store's URL is shown without its password (time-ordered ids are records.py's).
"""

from __future__ import annotations

import abc
import builtins
import math
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from types import EllipsisType, TracebackType
from typing import Any

from reactchat.leases import LeaseStore
from reactchat.records import Account, Conversation, Message, StoredFile, User, new_id

__all__ = ["FINAL_STATUSES", "STATUSES", "Account", "Conversation", "Message", "NotFound", "Store",
           "StoreError", "StoredFile", "User", "auto_title", "check_json", "check_status", "display_url",
           "new_id", "plain_text"]  # fmt: skip

STATUSES = ("done", "streaming", "stopped", "interrupted", "error")
FINAL_STATUSES = ("done", "stopped", "interrupted", "error")
TITLE_LENGTH = 60
MAX_FILE_BYTES = 256 << 20  # a file kept in the store: larger than any upload the server accepts
RENDERS_UNUSED = 30 * 86400.0  # seconds a kept render stays unused before any keep_renders drops it


class StoreError(Exception):
    """The store could not do what was asked: the message names the store and what failed, on one line."""


class NotFound(LookupError):
    """No such conversation or message for this owner (another owner's ids are missing ones too)."""


def plain_text(content: Any) -> str:
    """The text of a message's content: the string itself, or its parts' texts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p if isinstance(p, str) else p.get("text") for p in content if isinstance(p, (str, dict))]
        return "\n".join(t for t in texts if isinstance(t, str) and t)
    return ""


def auto_title(text: str) -> str | None:
    """A title from a first user message: its text on one line, at most 60 characters, cut at a word
    boundary (with an ellipsis) when longer; None when there is no text."""
    words = " ".join(text.split())
    if len(words) <= TITLE_LENGTH:
        return words or None
    head = words[: TITLE_LENGTH - 1]
    if words[TITLE_LENGTH - 1] != " " and " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,.;:-") + "…"


def check_json(value: Any, where: str) -> None:
    """Raise TypeError, naming ``where`` and the key inside it, unless ``value`` is a JSON value (dicts with
    str keys, lists, str, finite numbers, bool, None)."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where} is {value}, which JSON cannot hold")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has the key {key!r}: JSON keys are strings")
            check_json(item, f"{where}[{key!r}]")
    else:
        raise TypeError(f"{where} is a {type(value).__name__}, not a JSON value")


def display_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    url = re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class Store(LeaseStore):
    """Conversations, their message trees and their owners, kept durably.

    Every method is synchronous and thread-safe. Every method that reads or changes a conversation takes
    its owner and scopes itself by it: another owner's ids behave exactly like missing ones, and so do
    deleted conversations, except that a stream already running in one may still ``append`` and ``finish``
    (so restoring it shows the whole answer). Backend failures raise StoreError; misuse raises TypeError or
    ValueError; a missing id raises NotFound or returns None, [] or False as each method says.
    """

    name: str  # the store's URL without its password

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @abc.abstractmethod
    def close(self) -> None:
        """Release every connection; later calls raise StoreError. Closing twice is harmless."""

    @abc.abstractmethod
    def secret(self) -> bytes:
        """32 random bytes made once per store and kept in it: every process on the store gets the same."""

    @abc.abstractmethod
    def user(
        self,
        identifier: str,
        *,
        provider: str = "anonymous",
        name: str | None = None,
        email: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """Create or update the user with this identifier and note that they were seen now.

        Args:
            identifier: unique across providers (namespace it, e.g. ``"oidc:<issuer>|<sub>"``).
            provider: how the user signed in; kept from the first call.
            name, email, claims: replace the stored ones when given.

        Returns:
            The user's id, the ``owner`` of every other call.
        """

    @abc.abstractmethod
    def create(self, owner: str, app: str, *, title: str | None = None) -> Conversation:
        """A new empty conversation of ``owner`` in ``app`` (a given title counts as the user's).

        Raises:
            NotFound: ``owner`` is not a user of this store.
        """

    @abc.abstractmethod
    def get(self, owner: str, conversation_id: str) -> Conversation | None:
        """The conversation, or None when it is missing, deleted or another owner's."""

    @abc.abstractmethod
    def list(
        self, owner: str, app: str, *, limit: int = 50, before: tuple[float, str] | None = None
    ) -> builtins.list[Conversation]:
        """The owner's conversations in ``app``, most recently updated first, deleted ones left out.

        Args:
            limit: at most this many (1 to 1000).
            before: ``(updated_at, id)`` of the last one of the previous page, for the next page.
        """

    @abc.abstractmethod
    def search(self, owner: str, app: str, query: str, *, limit: int = 20) -> builtins.list[Conversation]:
        """The owner's conversations in ``app`` whose title or message text holds every word of ``query``
        (each as a word prefix), most recently updated first. Any text is a safe query: quotes and
        operators are words like others; a query without words finds nothing."""

    @abc.abstractmethod
    def rename(self, owner: str, conversation_id: str, title: str) -> bool:
        """Set the title as the user's own (automatic titles never replace it); False when missing.

        Raises:
            ValueError: the title is blank.
        """

    @abc.abstractmethod
    def delete(self, owner: str, conversation_id: str) -> bool:
        """Delete softly (it can be restored); False when missing or already deleted."""

    @abc.abstractmethod
    def restore(self, owner: str, conversation_id: str) -> bool:
        """Undo a delete; False when missing or not deleted."""

    @abc.abstractmethod
    def set_state(self, owner: str, conversation_id: str, state: dict[str, Any]) -> None:
        """Replace the conversation's state (the app's values kept with it).

        Raises:
            TypeError: a value is not JSON; the message names its key.
            NotFound: the conversation is missing.
        """

    @abc.abstractmethod
    def set_leaf(self, owner: str, conversation_id: str, message_id: str | None) -> bool:
        """Show the branch ending at ``message_id`` (None: an empty path), noting that it was shown now;
        False when either is missing."""

    @abc.abstractmethod
    def switch(self, owner: str, conversation_id: str, message_id: str) -> bool:
        """Show the branch through ``message_id``: the active leaf becomes the message under it (or itself)
        that was shown last, so each branch keeps the version of its continuation the user last looked at.
        False when either is missing."""

    @abc.abstractmethod
    def path(self, owner: str, conversation_id: str) -> builtins.list[Message]:
        """The messages from the root to the active leaf, in order; [] when missing. A streaming message's
        content includes every delta appended so far; a message with siblings lists them in ``siblings``."""

    @abc.abstractmethod
    def add(
        self,
        owner: str,
        conversation_id: str,
        *,
        role: str,
        content: Any,
        parent_id: str | EllipsisType | None = ...,
        metadata: dict[str, Any] | None = None,
        status: str = "done",
        origin: str | None = None,
    ) -> Message:
        """Add a message and make it the active leaf.

        Args:
            content: a JSON value (a str, or a list of parts); a str when ``status`` is ``"streaming"``.
            parent_id: the message it answers or follows; by default the active leaf; None for a new root.
            status: ``"streaming"`` for a reply that will grow by ``append`` until ``finish``.
            origin: the client event that made it, unique within the conversation: adding again with the
                same origin returns the message made the first time and changes nothing.

        The conversation's ``updated_at`` moves, and a conversation without a title gets the first user
        message's text as an automatic one.

        Raises:
            NotFound: the conversation (or ``parent_id`` in it) is missing.
            TypeError: content or metadata is not JSON.
            ValueError: an unknown status, or a streaming message whose content is not a str.
        """

    def append(self, owner: str, message_id: str, delta: str) -> None:
        """Add text to a streaming message (kept apart, folded by ``finish``: the message is not rewritten).

        Raises:
            NotFound: the message is missing.
            ValueError: the message is no longer streaming.
        """
        self.append_many([(owner, message_id, delta)])

    @abc.abstractmethod
    def append_many(self, deltas: Sequence[tuple[str, str, str]]) -> None:
        """``append`` for many ``(owner, message_id, delta)`` at once, in one transaction: a frame tick's
        text for every stream of a process. All or nothing: one missing message writes none."""

    @abc.abstractmethod
    def finish(
        self,
        owner: str,
        message_id: str,
        *,
        status: str = "done",
        content: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """End a message: its appended deltas are folded into its content (or ``content`` replaces it), its
        status set, and ``metadata`` (when given) replaced, in one transaction.

        Raises:
            NotFound: the message is missing.
            ValueError: ``status`` is not a final one.
        """

    @abc.abstractmethod
    def set_metadata(self, owner: str, message_id: str, metadata: dict[str, Any] | None) -> None:
        """Replace a streaming message's metadata (what it showed besides text, should the process die
        before ``finish``). Raises NotFound for a missing message, TypeError for metadata that is not JSON."""

    @abc.abstractmethod
    def set_feedback(self, owner: str, message_id: str, value: str | None) -> None:
        """Set the owner's feedback on a message (None clears it).

        Raises:
            NotFound: the message is missing.
        """

    @abc.abstractmethod
    def add_file(self, owner: str, conversation_id: str, *, data: bytes, name: str, mime: str) -> StoredFile:
        """Keep ``data`` with the conversation (it goes when the conversation is deleted for good).

        Raises:
            NotFound: the conversation is missing.
            ValueError: ``data`` is larger than ``MAX_FILE_BYTES``.
        """

    @abc.abstractmethod
    def file(self, owner: str, file_id: str) -> tuple[StoredFile, bytes] | None:
        """A kept file and its bytes; None when missing, another owner's, or its conversation deleted."""

    @abc.abstractmethod
    def tree(self, owner: str, conversation_id: str) -> builtins.list[Message]:
        """Every message of the conversation, every branch, by id (creation order); [] when missing. Each
        message's ``parent_id`` is the tree; ``siblings`` stays empty."""

    @abc.abstractmethod
    def files(self, owner: str, conversation_id: str) -> builtins.list[StoredFile]:
        """The files kept with the conversation, oldest first (``file`` reads one); [] when missing."""

    @abc.abstractmethod
    def renders(self, owner: str, conversation_id: str) -> dict[str, str]:
        """Everything ``keep_renders`` kept with the conversation, by key, in one read; {} when it is
        missing, deleted or another owner's."""

    @abc.abstractmethod
    def keep_renders(
        self, owner: str, conversation_id: str, renders: Mapping[str, str], used: Sequence[str] = ()
    ) -> None:
        """In one transaction: keep ``renders`` (a key, such as a hash of what was rendered, to its output)
        with the conversation, replacing those of the same key; note the kept ``used`` keys as used now
        (if a day or more passed since they last were); and drop every conversation's renders unused for
        ``RENDERS_UNUSED`` seconds. A cache: nothing is kept when the conversation is missing, deleted or
        another owner's, and its renders go with it."""

    @abc.abstractmethod
    def users(self) -> builtins.list[User]:
        """Every user of the store, oldest first (an export of the whole store)."""

    @abc.abstractmethod
    def conversations(self, owner: str) -> builtins.list[Conversation]:
        """The owner's conversations in every app, oldest first, deleted ones left out."""

    @abc.abstractmethod
    def load(
        self,
        owner: str,
        conversation: Conversation,
        messages: Sequence[Message],
        files: Sequence[tuple[StoredFile, bytes]] = (),
    ) -> None:
        """Store a whole conversation of ``owner`` as given (ids, times, statuses, the owner's ``feedback``),
        in one transaction: an import, or a copy with new ids. ``conversation.owner_id`` is ignored.

        Raises:
            NotFound: ``owner`` is not a user of this store.
            ValueError: the conversation's id is taken, or a message's parent is not among ``messages``.
            TypeError: content, metadata or state is not JSON.
        """

    @abc.abstractmethod
    def remove(self, owner: str, message_id: str) -> builtins.list[str]:
        """Delete a message and every message under it (its feedback too); when the branch on screen ran
        through it, it ends at the message's parent instead.

        Returns:
            The ids deleted, the message's first.

        Raises:
            NotFound: the message is missing.
        """

    @abc.abstractmethod
    def account(self, identifier: str) -> Account | None:
        """The user with this identifier, with their password hash and sign-in epoch; None if unknown."""

    @abc.abstractmethod
    def set_password(self, identifier: str, password_hash: str | None, *, name: str | None = None) -> int:
        """Set (None: remove) a ``password`` user's password hash, creating them when new, and raise their
        sign-in epoch, so sign-ins made before no longer count; returns the new epoch."""

    @abc.abstractmethod
    def raise_epoch(self, identifier: str) -> int:
        """Sign the user out everywhere: their epoch goes up by one (returned; -1 for an unknown user)."""

    @abc.abstractmethod
    def claim(self, from_owner: str, to_owner: str) -> int:
        """Give every conversation of ``from_owner`` (an anonymous browser that just signed in), with its
        feedback, to ``to_owner``; returns how many conversations moved."""

    @abc.abstractmethod
    def recover(self) -> int:
        """After a crash: fold every message still ``"streaming"`` and mark it ``"interrupted"``.

        Every message of the store, so call it only while no other process streams to the same store.

        Returns:
            How many messages it marked.
        """


def check_status(status: str, allowed: Sequence[str] = STATUSES) -> None:
    """Raise ValueError unless ``status`` is one of ``allowed``."""
    if status not in allowed:
        raise ValueError(f"status {status!r} is not one of {', '.join(allowed)}")
