"""The media routes: files and bytes the app registered, served by unguessable id only, and files kept with
a conversation, served only to its owner; both with HTTP ranges."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

import tornado.ioloop
import tornado.web

from reactchat.handler import Handler
from reactchat.media import MediaEntry

if TYPE_CHECKING:
    from reactchat.sessions import Sessions

# Types a browser may show inline from our origin; anything else (HTML, SVG, ...) is a download.
INLINE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "audio/",
    "video/",
    "application/pdf",
)
CHUNK = 256 << 10


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single ``bytes=`` range, or None when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if first:
            start = int(first)
            end = min(int(last) + 1, size) if last else size
        else:
            start, end = max(0, size - int(last)), size
    except ValueError:
        return None
    if start >= size or start >= end or start < 0:
        return None
    return start, end


class MediaHandler(Handler):
    """``/_rc/media/<key>/<id>``: a file the app registered, by id only; HTTP Range for audio and video."""

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    def set_default_headers(self) -> None:
        super().set_default_headers()
        # Even if something slipped through as HTML, it would run in a sandbox with nothing allowed.
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")

    async def find(self, *route: str) -> MediaEntry:
        """The entry the route's arguments name; a 404 when there is none."""
        key, media_id = route
        entry = self.sessions.media(key, media_id)
        if entry is None:
            raise tornado.web.HTTPError(404)
        return entry

    async def head(self, *route: str) -> None:
        entry = await self.find(*route)
        self._headers_for(entry)
        self.set_header("Content-Length", str(entry.size))

    async def get(self, *route: str) -> None:
        entry = await self.find(*route)
        self._headers_for(entry)
        start, end = 0, entry.size
        header = self.request.headers.get("Range")
        if header:
            parsed = byte_range(header, entry.size)
            if parsed is None:
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{entry.size}")
                return
            start, end = parsed
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end - 1}/{entry.size}")
        self.set_header("Content-Length", str(end - start))
        if entry.data is not None:
            self.write(entry.data[start:end])
            return
        assert entry.path is not None
        with open(entry.path, "rb") as f:
            f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = f.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                self.write(chunk)
                await self.flush()

    def _headers_for(self, entry: MediaEntry) -> None:
        inline = entry.mime.startswith(INLINE_TYPES)
        self.set_header("Content-Type", entry.mime if inline else "application/octet-stream")
        quoted = urllib.parse.quote(entry.name)
        disposition = "inline" if inline else "attachment"
        self.set_header("Content-Disposition", f"{disposition}; filename*=UTF-8''{quoted}")
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("Cache-Control", self.cache_control)

    cache_control = "private, max-age=3600"


class StoredFileHandler(MediaHandler):
    """``/_rc/files/<id>``: a file kept with a conversation, for the conversation's owner (by the signed user
    cookie) only: anyone else gets the 404 of a missing file. A kept file never changes, so the browser may
    keep it as long as it likes."""

    cache_control = "private, max-age=31536000, immutable"

    async def find(self, *route: str) -> MediaEntry:
        (file_id,) = route
        who = self.identity
        store = self.sessions.store
        if who is None or store is None:
            raise tornado.web.HTTPError(404)
        # The store is read off the loop thread: a file may be large, and the database slow.
        found = await tornado.ioloop.IOLoop.current().run_in_executor(
            None, lambda: store.file(self.sessions.owner(who), file_id)
        )
        if found is None:
            raise tornado.web.HTTPError(404)
        kept, data = found
        return MediaEntry(kept.id, kept.mime, kept.name, kept.size, data=data)
