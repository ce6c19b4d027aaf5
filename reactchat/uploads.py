"""Files users attach: kept in a per-session folder that goes away with the session."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Sequence

MAJOR_TYPES = ("image", "audio", "video", "text")
MAX_NAME = 255  # characters of a file's name kept (as most file systems allow)
# Bidirectional controls reorder what is shown ("cat\u202egnp.exe" shows as "catexe.png"); line and paragraph
# separators break lines like CR/LF.
_INVISIBLE = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_name(name: str) -> str:
    """A file name as a user may see it: without control characters (NUL, CR, LF, ...) or bidirectional
    controls, at most ``MAX_NAME`` characters; ``"file"`` when nothing is left."""
    kept = "".join(c for c in name if c not in _INVISIBLE and unicodedata.category(c) != "Cc")
    return kept.strip()[:MAX_NAME] or "file"


class UploadRefused(Exception):
    """A session takes no more uploads now: ``busy`` (too many in progress; try again soon) or full."""

    def __init__(self, message: str, *, busy: bool) -> None:
        super().__init__(message)
        self.busy = busy


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file a user attached: ``name`` as the user's file had it (cleaned), ``path`` where it is kept."""

    id: str
    name: str
    mime: str
    size: int
    path: str


def accepts(file_types: Sequence[str] | None, name: str, mime: str) -> bool:
    """Whether a file matches an input's ``file_types``: ``"image"`` (a MIME major type), ``".pdf"`` (an
    extension) or ``"text/csv"`` (a MIME type); no types, or ``"*"``, accept everything."""
    if not file_types:
        return True
    mime = (mime or "").lower()
    extension = os.path.splitext(name)[1].lower()
    for wanted in file_types:
        wanted = wanted.lower()
        if wanted in ("*", "*/*"):
            return True
        if wanted.startswith("."):
            if extension == wanted:
                return True
        elif "/" in wanted:
            if mime == wanted or (wanted.endswith("/*") and mime.startswith(wanted[:-1])):
                return True
        elif mime.split("/", 1)[0] == wanted:
            return True
    return False


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Uploads:
    """A session's uploaded files, bounded in total bytes; the folder is made on first use.

    An upload reserves its room when it starts (``reserve``) and settles it when it ends (``add`` or
    ``release``), so uploads in parallel cannot together pass ``max_total``.
    """

    def __init__(self, max_total: int) -> None:
        self.max_total = max_total
        self.total = 0  # bytes of the files kept
        self.reserved = 0  # bytes set aside for uploads in progress
        self.in_progress = 0
        self._lock = threading.Lock()
        self._files: dict[str, Upload] = {}
        self._dir: str | None = None

    @property
    def room(self) -> int:
        """Bytes a new upload may still take."""
        return self.max_total - self.total - self.reserved

    def reserve(self, size: int, max_in_progress: int) -> None:
        """Set ``size`` bytes aside for an upload that starts now; end it with ``add`` or ``release``.

        Raises:
            UploadRefused: ``busy`` when ``max_in_progress`` uploads are in progress, else when ``size``
                bytes do not fit.
        """
        with self._lock:
            if self.in_progress >= max_in_progress:
                raise UploadRefused(
                    f"this session already has {self.in_progress} uploads in progress (the limit is "
                    f"{max_in_progress}); try again when one ends",
                    busy=True,
                )
            if size > self.room:
                raise UploadRefused(
                    f"this session's attachments are full: {size} bytes asked for, {max(self.room, 0)} of "
                    f"{self.max_total} left",
                    busy=False,
                )
            self.in_progress += 1
            self.reserved += size

    def release(self, reserved: int) -> None:
        """An upload that reserved ``reserved`` bytes ended without a file (refused, cut or abandoned)."""
        with self._lock:
            self.in_progress -= 1
            self.reserved -= reserved

    def new_path(self, name: str) -> tuple[str, str]:
        """A fresh id and the path to write its file to."""
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="reactchat-uploads-")
        upload_id = secrets.token_urlsafe(12)
        safe = _UNSAFE.sub("_", os.path.basename(name))[-80:].lstrip(".") or "file"
        folder = os.path.join(self._dir, upload_id)  # one folder each, so the file keeps its own name
        os.mkdir(folder)
        return upload_id, os.path.join(folder, safe)

    def add(self, upload: Upload, reserved: int | None = None) -> Upload:
        """Keep ``upload`` (its name cleaned), ending its reservation of ``reserved`` bytes if it made one;
        returns what is kept."""
        upload = dataclasses.replace(upload, name=clean_name(upload.name))
        with self._lock:
            if reserved is not None:
                self.in_progress -= 1
                self.reserved -= reserved
            self._files[upload.id] = upload
            self.total += upload.size
        return upload

    def get(self, upload_id: str) -> Upload | None:
        return self._files.get(upload_id)

    def at(self, path: str) -> Upload | None:
        """The upload kept at ``path``, if it is one of this session's."""
        with self._lock:
            return next((u for u in self._files.values() if u.path == path), None)

    @property
    def folder(self) -> str | None:
        return self._dir

    def remove_all(self) -> None:
        """Delete every file (the session ended). Uploads still in progress end with ``release``."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        with self._lock:
            self._files.clear()
            self.total = 0
