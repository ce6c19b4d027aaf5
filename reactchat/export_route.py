"""The export route: a stored conversation downloaded whole as JSON (every branch, its files in base64), or
its branch on screen as Markdown, for its owner only."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import TYPE_CHECKING

import tornado.ioloop
import tornado.web

from reactchat.archive import archive, conversation_json, markdown
from reactchat.handler import Handler

if TYPE_CHECKING:
    from reactchat.sessions import Sessions
    from reactchat.store import Store

TYPES = {"json": "application/json", "md": "text/markdown; charset=utf-8"}


def file_name(title: str | None, kind: str) -> str:
    """A download's name from a conversation's title: its words joined by dashes, at most 60 characters."""
    words = re.sub(r"[^\w]+", "-", title or "", flags=re.UNICODE).strip("-")[:60].strip("-")
    return f"{words or 'conversation'}.{kind}"


def export(store: Store, owner: str, conversation_id: str, kind: str) -> tuple[str, bytes] | None:
    """The download's name and bytes: ``kind`` "json" (an archive of the whole conversation, as ``reactchat
    import`` reads it) or "md" (the branch on screen); None when it is not one of the owner's."""
    found = store.get(owner, conversation_id)
    if found is None:
        return None
    if kind == "md":
        return file_name(found.title, kind), markdown(found, store.path(owner, conversation_id)).encode()
    whole = conversation_json(store, owner, conversation_id)
    if whole is None:  # deleted meanwhile
        return None
    return file_name(found.title, kind), json.dumps(archive([whole]), ensure_ascii=False, indent=1).encode()


class ExportHandler(Handler):
    """``/_rc/export/<id>.json`` and ``/_rc/export/<id>.md``: the conversation's owner (by the signed user
    cookie) downloads it; anyone else gets the 404 of a missing one."""

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    async def get(self, conversation_id: str, kind: str) -> None:
        who = self.identity
        store = self.sessions.store
        if who is None or store is None or kind not in TYPES:
            raise tornado.web.HTTPError(404)
        # Read off the loop thread: a conversation's files may be large, and the database slow.
        found = await tornado.ioloop.IOLoop.current().run_in_executor(
            None, lambda: export(store, self.sessions.owner(who), conversation_id, kind)
        )
        if found is None:
            raise tornado.web.HTTPError(404)
        name, body = found
        self.set_header("Content-Type", TYPES[kind])
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{urllib.parse.quote(name)}")
        self.set_header("Cache-Control", "private, no-store")  # it changes with every turn
        self.write(body)
