"""Media the app shows: a per-session store served by unguessable ids, and conversion of sources to bytes.

Nothing is ever served by a path from the client: the app registers a file or bytes here, gets a URL with
an id derived (by HMAC with a per-session secret) from the content, and the media route serves only ids this
session registered. The same content gets the same id on every rerun, so re-declaring an image costs no
bytes on the wire.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import hmac
import io
import mimetypes
import os
import secrets
import struct
import urllib.parse
import zlib
from typing import Any

MEDIA_ROUTE = "/_rc/media"
FILES_ROUTE = "/_rc/files"  # files kept in the conversation store, served to their owner (media_route.py)


def stored_file_url(file_id: str) -> str:
    """Where the page gets a file kept with a conversation: the same URL in every session, so the browser's
    cache serves a conversation's images again when it is reopened."""
    return f"{FILES_ROUTE}/{urllib.parse.quote(file_id, safe='')}"


@dataclasses.dataclass(frozen=True)
class MediaEntry:
    """One registered file: either ``data`` in memory or a ``path`` on disk."""

    id: str
    mime: str
    name: str
    size: int
    data: bytes | None = None
    path: str | None = None


class MediaStore:
    """A session's registered media, bounded in bytes held in memory and in entries (least recent go first).

    Args:
        max_bytes: In-memory bytes kept (files on disk cost only their entry).
        max_entries: Entries kept.
    """

    def __init__(self, max_bytes: int = 64 << 20, max_entries: int = 2000) -> None:
        self.key = secrets.token_urlsafe(12)
        self._secret = secrets.token_bytes(32)
        self._entries: collections.OrderedDict[str, MediaEntry] = collections.OrderedDict()
        self._bytes = 0
        self.max_bytes = max_bytes
        self.max_entries = max_entries

    def _id(self, identity: bytes) -> str:
        digest = hmac.new(self._secret, identity, hashlib.sha256).digest()
        return digest[:18].hex()

    def url(self, entry: MediaEntry) -> str:
        return f"{MEDIA_ROUTE}/{self.key}/{entry.id}"

    def add_bytes(self, data: bytes, mime: str | None = None, name: str | None = None) -> MediaEntry:
        """Register ``data``; the same bytes get the same entry."""
        mime = mime or sniff_mime(data, name)
        media_id = self._id(b"b" + hashlib.sha256(data).digest() + mime.encode())
        existing = self._touch(media_id)
        if existing is not None:
            return existing
        entry = MediaEntry(media_id, mime, name or f"file{extension(mime)}", len(data), data=bytes(data))
        self._store(entry)
        return entry

    def add_path(self, path: str, mime: str | None = None, name: str | None = None) -> MediaEntry:
        """Register the file at ``path`` (read when served); a changed file gets a new id.

        Raises:
            FileNotFoundError: naming the path, when it is not a readable file.
        """
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            raise FileNotFoundError(f"no such file: {path!r}")
        stat = os.stat(real)
        media_id = self._id(f"p{real}\0{stat.st_mtime_ns}\0{stat.st_size}".encode())
        existing = self._touch(media_id)
        if existing is not None:
            return existing
        name = name or os.path.basename(path)
        mime = mime or mimetypes.guess_type(name)[0] or "application/octet-stream"
        entry = MediaEntry(media_id, mime, name, stat.st_size, path=real)
        self._store(entry)
        return entry

    def get(self, media_id: str) -> MediaEntry | None:
        return self._entries.get(media_id)

    def keep(self, entry: MediaEntry) -> None:
        """Make sure ``entry`` (registered earlier, perhaps evicted since) is served again."""
        if self._touch(entry.id) is None:
            self._store(entry)

    def _touch(self, media_id: str) -> MediaEntry | None:
        entry = self._entries.get(media_id)
        if entry is not None:
            self._entries.move_to_end(media_id)
        return entry

    def _store(self, entry: MediaEntry) -> None:
        self._entries[entry.id] = entry
        self._bytes += len(entry.data or b"")
        while len(self._entries) > 1 and (
            self._bytes > self.max_bytes or len(self._entries) > self.max_entries
        ):
            _, old = self._entries.popitem(last=False)
            self._bytes -= len(old.data or b"")


_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"),
]


def sniff_mime(data: bytes, name: str | None = None) -> str:
    """The MIME type of ``data`` from its name, else its first bytes; octet-stream when unknown."""
    if name:
        guessed = mimetypes.guess_type(name)[0]
        if guessed:
            return guessed
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:3] in (b"\xff\xfb", b"\xff\xf3") or data[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "audio/mpeg"
    return "application/octet-stream"


def extension(mime: str) -> str:
    return mimetypes.guess_extension(mime) or ""


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


# -- conversions ---------------------------------------------------------------------------------------------


def _module(obj: object) -> str:
    return type(obj).__module__.split(".", 1)[0]


def image_bytes(obj: Any) -> tuple[bytes, str] | None:
    """PNG bytes of a PIL image, a numpy array or a matplotlib figure; None for anything else."""
    module = _module(obj)
    if module == "PIL" and hasattr(obj, "save"):
        buffer = io.BytesIO()
        obj.save(buffer, format="PNG")
        return buffer.getvalue(), "image/png"
    if module == "numpy" and hasattr(obj, "shape"):
        return png_from_array(obj), "image/png"
    if module == "matplotlib" and hasattr(obj, "savefig"):
        buffer = io.BytesIO()
        obj.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue(), "image/png"
    return None


def png_from_array(array: Any) -> bytes:
    """Encode an H x W (gray), H x W x 3 (RGB) or H x W x 4 (RGBA) array as PNG.

    Floats are taken as 0..1; other numbers are clipped to 0..255.

    Raises:
        ValueError: for any other shape.
    """
    import numpy as np

    a = np.asarray(array)
    if a.dtype.kind == "f":
        a = np.clip(a * 255.0 + 0.5, 0, 255)
    a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        color = 0
    elif a.ndim == 3 and a.shape[2] in (3, 4):
        color = 2 if a.shape[2] == 3 else 6
    else:
        raise ValueError(f"an image array must be H x W, H x W x 3 or H x W x 4; got shape {a.shape}")
    height, width = a.shape[:2]
    raw = b"".join(b"\x00" + a[row].tobytes() for row in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def wav_from_array(samples: Any, sample_rate: int) -> bytes:
    """Encode mono (N) or multi-channel (N x C) samples as 16-bit PCM WAV; floats are taken as -1..1."""
    import numpy as np

    a = np.asarray(samples)
    if a.dtype.kind == "f":
        a = np.clip(a, -1.0, 1.0) * 32767.0
    a = a.astype("<i2")
    channels = 1 if a.ndim == 1 else a.shape[1]
    data = a.tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, channels, sample_rate,
        sample_rate * channels * 2, channels * 2, 16, b"data", len(data),
    )  # fmt: skip
    return bytes(header + data)
