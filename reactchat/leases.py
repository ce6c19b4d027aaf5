"""One writer per conversation, across processes: the lease API every store has, the fence a run writes
under, and the error a write refused by its fence raises.

A process takes a conversation's lease before a run answers in it and renews it while the run goes on
(``followers.Followers``); taking a lease from another holder (whose lease ran out: it died, or froze) raises
the conversation's fence number. Every write made under ``fenced(fence)`` first checks, in its own
transaction, that the conversation's fence is still that number: a process that froze and woke up after its
lease was taken writes nothing more.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar

__all__ = ["Fence", "LeaseLost", "LeaseStore", "current_fence", "fenced"]


@dataclasses.dataclass(frozen=True)
class Fence:
    """The lease a run writes under: its conversation, its holder, and the fence number it was taken with."""

    conversation_id: str
    holder: str
    number: int


class LeaseLost(Exception):
    """A write under a fence whose lease another holder has taken since: nothing was written."""


_fence: ContextVar[Fence | None] = ContextVar("reactchat_fence", default=None)


@contextlib.contextmanager
def fenced(fence: Fence) -> Iterator[None]:
    """Check every store write made in this context (this thread, and tasks it starts) against ``fence``."""
    token = _fence.set(fence)
    try:
        yield
    finally:
        _fence.reset(token)


def current_fence() -> Fence | None:
    """The fence writes in this context are checked against (None: none)."""
    return _fence.get()


class LeaseStore(abc.ABC):
    """The lease half of the Store API (see ``leases``), and the wake-ups processes send each other."""

    @abc.abstractmethod
    def take_lease(self, conversation_id: str, holder: str, ttl: float) -> int | None:
        """Take the conversation's lease for ``ttl`` seconds, or renew it for its holder; its fence number,
        or None while another holder's lease lasts. Taking it from another holder raises the number. The
        holder is to write nothing there until it holds the lease, so what is still streaming there when
        it takes it has no writer: it is marked interrupted, as far as it was written."""

    @abc.abstractmethod
    def renew_leases(self, holder: str, conversation_ids: Sequence[str], ttl: float) -> list[str]:
        """Extend ``holder``'s leases by ``ttl`` seconds from now; the ids among them it no longer holds."""

    @abc.abstractmethod
    def release_lease(self, conversation_id: str, holder: str) -> None:
        """Give the lease up at once (another process may take it without waiting for it to run out)."""

    @abc.abstractmethod
    def recover_conversation(self, conversation_id: str) -> int:
        """Mark the conversation's messages still ``"streaming"`` as ``"interrupted"`` (kept as far as they
        were written) unless a holder's lease lasts: their writer is gone. How many were marked."""

    def notify(self, kind: str, ident: str) -> None:  # noqa: B027 - a store one process uses has nobody to tell
        """Tell the other processes on this store that ``kind`` happened to ``ident`` (ids only). A store
        only one process can use (SQLite) has nobody to tell."""

    def listen(self, receive: Callable[[str, str], None]) -> Callable[[], None] | None:
        """Call ``receive(kind, ident)`` for what other processes ``notify``, from a thread of its own;
        returns the function that stops listening, or None where nobody else can notify."""
        return None
