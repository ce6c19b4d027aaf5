"""Conversations outside the store, and copies of them inside it.

An archive is JSON: ``{"format": "reactchat", "version": 1, "conversations": [...]}``, each conversation
whole (every branch: ids, parents, roles, content, metadata, feedback, status, times; its files in base64)
and, from a store's export, with its ``owner``. ``write_store`` exports a whole store (or one conversation)
and ``import_archive`` loads one into another store, ids kept: the way from SQLite to PostgreSQL. Also the
branch on screen as Markdown, and ``fork``: a new conversation holding a copy of the path to a message.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from reactchat.records import Conversation, Message, StoredFile, User, named_id
from reactchat.store_base import NotFound, Store, StoreError, new_id, plain_text

__all__ = [
    "FORMAT",
    "VERSION",
    "archive",
    "conversation_json",
    "family",
    "fork",
    "import_archive",
    "markdown",
    "write_store",
]

FORMAT = "reactchat"
VERSION = 1
_MESSAGE_KEYS = ("id", "parent_id", "role", "content", "metadata", "status", "feedback", "origin",
                 "created_at", "updated_at")  # fmt: skip
_ROLES = {"user": "User", "assistant": "Assistant", "system": "System"}


def archive(conversations: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """An archive holding ``conversations`` (as ``conversation_json`` gives them)."""
    return {"format": FORMAT, "version": VERSION, "conversations": list(conversations)}


def conversation_json(
    store: Store, owner: str, conversation_id: str, *, user: User | None = None
) -> dict[str, Any] | None:
    """The whole conversation as JSON values (with its ``owner`` when ``user`` is given); None when it is not
    one of the owner's."""
    found = store.get(owner, conversation_id)
    if found is None:
        return None
    files = []
    for kept in store.files(owner, conversation_id):
        got = store.file(owner, kept.id)
        if got is not None:
            data = base64.b64encode(got[1]).decode("ascii")
            files.append({"id": kept.id, "name": kept.name, "mime": kept.mime, "size": kept.size,
                          "created_at": kept.created_at, "data": data})  # fmt: skip
    out: dict[str, Any] = {
        "id": found.id, "app": found.app, "title": found.title, "title_source": found.title_source,
        "active_leaf_id": found.active_leaf_id, "state": found.state, "created_at": found.created_at,
        "updated_at": found.updated_at,
        "messages": [{k: getattr(m, k) for k in _MESSAGE_KEYS} for m in store.tree(owner, conversation_id)],
        "files": files,
    }  # fmt: skip
    if user is not None:
        out["owner"] = {"identifier": user.identifier, "provider": user.provider, "name": user.name,
                        "email": user.email, "claims": user.claims}  # fmt: skip
    return out


def write_store(store: Store, out: TextIO, *, conversation_id: str | None = None) -> int:
    """Write an archive of every conversation in ``store`` (or only ``conversation_id``) to ``out``, one
    conversation in memory at a time. Returns how many it wrote.

    Raises:
        LookupError: ``conversation_id`` is not in the store.
    """
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "conversations": [')
    count = 0
    for user in store.users():
        for conversation in store.conversations(user.id):
            if conversation_id is not None and conversation.id != conversation_id:
                continue
            whole = conversation_json(store, user.id, conversation.id, user=user)
            if whole is not None:
                out.write(("\n" if count == 0 else ",\n") + json.dumps(whole, ensure_ascii=False))
                count += 1
    out.write("\n]}\n")
    if conversation_id is not None and count == 0:
        raise LookupError(f"no conversation {conversation_id!r} in {store.name}")
    return count


def import_archive(
    store: Store, data: Any, *, owner: str | None = None, report: Callable[[str], None] = print
) -> tuple[int, int]:
    """Load an archive's conversations into ``store``, ids kept; one that cannot be loaded (its id is taken
    already, it is malformed) is told to ``report`` and left out, the others go on.

    Args:
        data: the archive, as ``json.load`` reads it.
        owner: the identifier of the user every conversation goes to; by default each conversation's own
            ``owner`` (a download from the page has none: give one).

    Returns:
        How many conversations were loaded, and how many were left out.

    Raises:
        ValueError: ``data`` is not a reactchat archive, naming what is wrong.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'not a reactchat archive: it needs "format": "{FORMAT}" at the top')
    if data.get("version") != VERSION:
        raise ValueError(
            f"archive version {data.get('version')!r} is not one this reactchat reads ({VERSION})"
        )
    items = data.get("conversations")
    if not isinstance(items, list):
        raise ValueError('an archive\'s "conversations" is a list')
    loaded = skipped = 0
    for i, item in enumerate(items):
        name = f"conversation {item.get('id')!r}" if isinstance(item, dict) else f"conversations[{i}]"
        try:
            _import_one(store, item, owner)
            loaded += 1
        except KeyError as error:
            report(f"{name} left out: it, or a message or file in it, has no {error}")
            skipped += 1
        except (ValueError, TypeError, NotFound, StoreError) as error:
            report(f"{name} left out: {error}")
            skipped += 1
    return loaded, skipped


def _import_one(store: Store, item: Any, identifier: str | None) -> None:
    if not isinstance(item, dict):
        raise TypeError("it is not an object")
    who = item.get("owner")
    if identifier is not None:
        owner = store.user(identifier)
    elif isinstance(who, dict) and isinstance(who.get("identifier"), str):
        provider = str(who.get("provider") or "anonymous")
        owner = store.user(who["identifier"], provider=provider, name=who.get("name"), email=who.get("email"),
                           claims=who.get("claims"))  # fmt: skip
    else:
        raise ValueError("it has no owner: name the user to import it for (reactchat import --owner ...)")
    for key in ("id", "app"):
        _text(item[key], key)
    if not isinstance(item.get("state") or {}, dict):
        raise TypeError(f"its state is a {type(item['state']).__name__}, not an object")
    messages = [_message(item["id"], m) for m in item.get("messages") or ()]
    files = []
    for f in item.get("files") or ():
        try:
            data = base64.b64decode(f["data"], validate=True)
        except (binascii.Error, TypeError) as error:
            raise ValueError(f"file {f.get('id')!r} has data that is not base64 ({error})") from None
        files.append(
            (StoredFile(f["id"], item["id"], f["name"], f["mime"], len(data), float(f["created_at"])), data)
        )
    conversation = Conversation(
        item["id"], owner, item["app"], item.get("title"), item.get("title_source"),
        item.get("active_leaf_id"), item.get("state") or {}, float(item["created_at"]),
        float(item["updated_at"]), None,
    )  # fmt: skip
    store.load(owner, conversation, messages, files)


def _message(conversation_id: str, m: Mapping[str, Any]) -> Message:
    # A reply that was streaming when exported will never be finished: it was cut short.
    for key in ("id", "role", "status"):
        _text(m[key], f"a message's {key}")
    status = "interrupted" if m["status"] == "streaming" else m["status"]
    return Message(m["id"], conversation_id, m.get("parent_id"), m["role"], m["content"], m.get("metadata"),
                   status, m.get("feedback"), m.get("origin"), float(m["created_at"]),
                   float(m["updated_at"]))  # fmt: skip


def _text(value: Any, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{what} is {value!r}, not a non-empty string")


def store_markdown(store: Store, conversation_id: str) -> str:
    """The branch on screen of ``conversation_id``, whoever owns it, as Markdown (``reactchat export``).

    Raises:
        LookupError: the conversation is not in the store.
    """
    for user in store.users():
        for conversation in store.conversations(user.id):
            if conversation.id == conversation_id:
                return markdown(conversation, store.path(user.id, conversation_id))
    raise LookupError(f"no conversation {conversation_id!r} in {store.name}")


def markdown(conversation: Conversation, path: Iterable[Message]) -> str:
    """The branch on screen as Markdown: the title, then each message under its role; files by name."""
    lines = [f"# {conversation.title or 'New chat'}", ""]
    for m in path:
        lines += [f"## {_ROLES.get(m.role, m.role.capitalize())}", "", _markdown_content(m.content), ""]
    return "\n".join(lines)


def _markdown_content(content: Any) -> str:
    parts = content if isinstance(content, list) else [content]
    shown = []
    for part in parts:
        if isinstance(part, dict) and ("file_id" in part or "path" in part):
            shown.append(f"[{part.get('name') or part.get('path') or 'file'}]")
        else:
            shown.append(plain_text([part]))
    return "\n\n".join(s for s in shown if s)


def family(messages: Sequence[Message]) -> tuple[list[Message], dict[str | None, list[str]]]:
    """``messages`` (a tree) each with its ``siblings`` as ``path`` gives them (itself and the other versions,
    when it has any), and the ids of each one's children, by parent id, in the order given."""
    children: dict[str | None, list[str]] = {}
    for m in messages:
        children.setdefault(m.parent_id, []).append(m.id)
    versioned = [
        dataclasses.replace(m, siblings=tuple(children[m.parent_id])) if len(children[m.parent_id]) > 1 else m
        for m in messages
    ]
    return versioned, children


def fork(
    store: Store, owner: str, conversation_id: str, message_id: str, origin: str | None = None
) -> Conversation:
    """A new conversation of ``owner`` holding a copy of the path from the root to ``message_id`` (content,
    metadata, feedback, and the files those messages show, copied too), ending there; the original is left
    as it was. With the client event's ``origin``, the copy that event made, if it made one already.

    Raises:
        NotFound: the conversation, or the message in it, is missing.
    """
    copy_id = named_id(owner, conversation_id, origin) if origin else new_id()
    made_before = store.get(owner, copy_id) if origin else None
    if made_before is not None:
        return made_before
    original = store.get(owner, conversation_id)
    by_id = {m.id: m for m in store.tree(owner, conversation_id)} if original is not None else {}
    if original is None or message_id not in by_id:
        raise NotFound(f"no message {message_id!r} in conversation {conversation_id!r}")
    path: list[Message] = []
    at: str | None = message_id
    while at is not None:
        path.append(by_id[at])
        at = by_id[at].parent_id
    path.reverse()
    ids = {m.id: new_id() for m in path}  # made in path order: the copies sort as the originals do
    files: dict[str, tuple[StoredFile, bytes]] = {}
    for m in path:
        for part in m.content if isinstance(m.content, list) else ():
            file_id = part.get("file_id") if isinstance(part, dict) else None
            got = store.file(owner, file_id) if isinstance(file_id, str) and file_id not in files else None
            if got is not None:
                files[got[0].id] = (dataclasses.replace(got[0], id=new_id(), conversation_id=copy_id), got[1])
    copies = [
        dataclasses.replace(
            m, id=ids[m.id], conversation_id=copy_id, parent_id=ids.get(m.parent_id) if m.parent_id else None,
            content=_repointed(m.content, files), origin=None, siblings=(),
            status="interrupted" if m.status == "streaming" else m.status,
        )
        for m in path
    ]  # fmt: skip
    now = time.time()
    title = None if original.title is None else f"{original.title} (branch)"[:200]
    made = Conversation(copy_id, owner, original.app, title, original.title_source, ids[message_id],
                        dict(original.state), now, now, None)  # fmt: skip
    store.load(owner, made, copies, list(files.values()))
    return made


def _repointed(content: Any, files: Mapping[str, tuple[StoredFile, bytes]]) -> Any:
    """``content`` with each file part naming the copy of its file."""
    if not isinstance(content, list):
        return content
    return [
        {**part, "file_id": files[part["file_id"]][0].id}
        if isinstance(part, dict) and part.get("file_id") in files
        else part
        for part in content
    ]
