"""Files users attach: kept in a per-session folder that goes away with the session."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Sequence

MAJOR_TYPES = ("image", "audio", "video", "text")


@dataclasses.dataclass(frozen=True)
class Upload:
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
    """A session's uploaded files, bounded in total bytes; the folder is made on first use."""

    def __init__(self, max_total: int) -> None:
        self.max_total = max_total
        self.total = 0
        self._files: dict[str, Upload] = {}
        self._dir: str | None = None

    def new_path(self, name: str) -> tuple[str, str]:
        """A fresh id and the path to write its file to."""
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="reactchat-uploads-")
        upload_id = secrets.token_urlsafe(12)
        safe = _UNSAFE.sub("_", os.path.basename(name))[-80:].lstrip(".") or "file"
        folder = os.path.join(self._dir, upload_id)  # one folder each, so the file keeps its own name
        os.mkdir(folder)
        return upload_id, os.path.join(folder, safe)

    def add(self, upload: Upload) -> None:
        self._files[upload.id] = upload
        self.total += upload.size

    def get(self, upload_id: str) -> Upload | None:
        return self._files.get(upload_id)

    @property
    def folder(self) -> str | None:
        return self._dir

    def remove_all(self) -> None:
        """Delete every file (the session ended)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._files.clear()
        self.total = 0
