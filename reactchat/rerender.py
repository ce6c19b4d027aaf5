"""Making again the renders a session's tree gave back once the page had them (``tree.Unrendered``), for a
tab that gets the whole tree (a reload): from the process's render cache, else rendered anew on threads of
their own, never on the loop that sends the frame (a long conversation's renders take a fraction of a second
each thousand)."""

from __future__ import annotations

import concurrent.futures
import html
import logging
import threading
from typing import Any

from reactchat.markdown import MarkdownSource, cached_props, markdown_source_props, source_parts
from reactchat.ops import WireNode
from reactchat.outbox import Outbox
from reactchat.tree import Rendered, Tree, Unrendered

__all__ = ["send_whole"]

log = logging.getLogger("reactchat")
THREADS = 4
"""Threads that make renders: a tab reloading a short conversation waits behind a few long ones at most."""

_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def send_whole(tree: Tree, outbox: Outbox) -> None:
    """Have ``outbox`` send ``tree`` whole (``Outbox.send_tree``; call with its lock held), its ``Rendered``
    props given back as they go. When the frame is due, the renders its nodes gave back that the process's
    cache no longer holds are made first, on a thread of their own, and the frame goes once they are."""
    made: dict[MarkdownSource, dict[str, Any]] = {}

    def whole() -> WireNode | None:  # (the lock held, on the sender's thread)
        missing = _uncached(tree, made)
        if not missing:
            return tree.to_wire(lambda s: made.get(s) or markdown_source_props(s), give_back=True)
        _thread().submit(make, missing)
        return None

    def make(missing: list[MarkdownSource]) -> None:
        renders = {}
        for source in missing:
            try:
                renders[source] = markdown_source_props(source)
            except Exception:  # (a render does not raise; if one did, the frame must still go)
                log.exception("rendering a message for a whole tree failed")
                renders[source] = Rendered(html=f"<pre>{html.escape(source_parts(source)[0])}</pre>")
        with outbox.lock:
            made.update(renders)
            outbox.tree_ready(whole)

    outbox.send_tree(whole)


def _uncached(tree: Tree, made: dict[MarkdownSource, dict[str, Any]]) -> list[MarkdownSource]:
    """The sources of the nodes holding no render (``Unrendered``) whose render neither ``made`` nor the
    process's cache holds (the tree's lock held)."""
    return [
        n.source
        for n in tree.nodes.values()
        if type(n.props) is Unrendered
        and n.source is not None
        and n.source not in made
        and cached_props(*source_parts(n.source)) is None
    ]


def _thread() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:  # made on first use: most processes never need it
            _executor = concurrent.futures.ThreadPoolExecutor(THREADS, "reactchat-rerender")
        return _executor
