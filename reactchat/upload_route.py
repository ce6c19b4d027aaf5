"""The upload route: one attached file per POST, streamed to its session's upload folder, size-capped."""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from typing import TYPE_CHECKING, Any

import tornado.web

from reactchat.handler import Handler
from reactchat.uploads import Upload, accepts

if TYPE_CHECKING:
    from reactchat.session import Session
    from reactchat.sessions import Sessions


@tornado.web.stream_request_body
class UploadHandler(Handler):
    """``POST /_rc/upload/<input id>``: one attached file, streamed to the session's upload folder.

    Refused with a JSON error, leaving nothing on disk: a missing or forged session (403), a missing XSRF
    token (403, by Tornado), an input that takes no files (404), a file too big (413) or of a type the
    input does not accept (415).
    """

    session: Session
    _file: Any = None
    _path: str | None = None
    _size = 0
    _limit = 0

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self._discard()
        self.finish({"error": self.error_message(**kwargs)})

    def prepare(self) -> None:
        super().prepare()
        session = self.sessions.get(self.request.headers.get("X-Reactchat-Session", ""))
        if session is None or session.closed:
            raise tornado.web.HTTPError(403, "unknown session")
        self.session = session
        node = session.tree.nodes.get(int(self.path_args[0]))
        if node is None or node.kind != "chat_input" or not node.props.get("multimodal"):
            raise tornado.web.HTTPError(404, "this input takes no files")
        name = urllib.parse.unquote(self.request.headers.get("X-File-Name", "")) or "file"
        mime = self.request.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        if not accepts(node.props.get("file_types"), name, mime):
            allowed = ", ".join(node.props.get("file_types", []))
            raise tornado.web.HTTPError(415, f"{name!r} is not an accepted file type ({allowed})")
        limit = min(
            node.props.get("max_file_size") or self.config.max_upload_bytes,
            self.config.max_upload_bytes,
        )
        room = session.uploads.max_total - session.uploads.total
        length = int(self.request.headers.get("Content-Length", "0") or 0)
        if length > limit:
            raise tornado.web.HTTPError(413, f"{name!r} is {length} bytes; the limit is {limit} bytes")
        if length > room:
            raise tornado.web.HTTPError(413, "this session's attachments are full")
        self._limit = min(limit, room)
        self.request.connection.set_max_body_size(self._limit)  # type: ignore[union-attr]
        self._name, self._mime = name, mime
        self._id, self._path = session.uploads.new_path(name)
        self._file = open(self._path, "wb")

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise tornado.web.HTTPError(413, f"{self._name!r} is larger than {self._limit} bytes")
        self._file.write(chunk)

    def post(self, _node_id: str) -> None:
        self._file.close()
        assert self._path is not None
        upload = Upload(self._id, self._name, self._mime, self._size, self._path)
        self.session.uploads.add(upload)
        self._file = self._path = None
        self.write({"id": upload.id, "name": upload.name, "size": upload.size, "mime": upload.mime})

    def on_connection_close(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._path)
            self._path = None
