"""Making again the renders a session's tree gave back (``tree.GIVEN_BACK``), for a tab that gets the whole
tree (a reload): from the process's render cache, else rendered anew on a thread of their own, never on the
loop that sends the frame (a long conversation's renders take a fraction of a second each thousand)."""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import threading
from typing import Any

from reactchat.markdown import MarkdownSource, cached_props, markdown_source_props, source_parts
from reactchat.outbox import Outbox
from reactchat.tree import GIVEN_BACK, Tree

__all__ = ["send_whole"]

log = logging.getLogger("reactchat")
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def send_whole(tree: Tree, outbox: Outbox) -> None:
    """Have ``outbox`` send ``tree`` whole (``Outbox.send_tree``; call with its lock held), its ``Rendered``
    props given back as they go; the renders it gave back before and the process's cache no longer holds
    are made first, on a thread of their own (no frame goes meanwhile)."""
    missing = _uncached(tree)
    outbox.send_tree(functools.partial(tree.to_wire, give_back=True), ready=not missing)
    if not missing:
        return

    def work() -> None:
        made: dict[MarkdownSource, dict[str, Any]] = {}
        try:
            made.update((source, markdown_source_props(source)) for source in missing)
        except Exception:  # (a render does not raise; if one did, the frame must still go)
            log.exception("making a snapshot's renders again failed")

        def remake(source: MarkdownSource) -> dict[str, Any]:  # (what was not made, or given back since: now)
            return made.get(source) or markdown_source_props(source)

        with outbox.lock:
            outbox.tree_ready(functools.partial(tree.to_wire, remake, give_back=True))

    _thread().submit(work)


def _uncached(tree: Tree) -> list[MarkdownSource]:
    """The sources of the nodes that gave their props back whose render the process's cache no longer holds
    (the tree's lock held)."""
    return [
        n.source
        for n in tree.nodes.values()
        if n.props is GIVEN_BACK and n.source is not None and cached_props(*source_parts(n.source)) is None
    ]


def _thread() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:  # made on first use: most processes never need it
            _executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="reactchat-rerender")
        return _executor
