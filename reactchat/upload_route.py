"""The upload route: one attached file per POST, streamed to its session's upload folder, size-capped."""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from typing import TYPE_CHECKING, Any

import tornado.web

from reactchat.body import BodyHandler
from reactchat.uploads import Upload, UploadRefused, accepts, clean_name

if TYPE_CHECKING:
    from reactchat.session import Session
    from reactchat.sessions import Sessions


class UploadHandler(BodyHandler):
    """``POST /_rc/upload/<input id>``: one attached file, streamed to the session's upload folder.

    Refused with a JSON error, leaving nothing on disk: a missing or forged session (403), a missing XSRF
    token (403, by Tornado), an input that takes no files (404), a file too big or a session whose
    attachments are full (413), too many uploads in progress in the session (429, with ``Retry-After``), a
    file of a type the input does not accept (415), a body that arrives too slowly (408).

    The upload reserves its room in the session when it starts, so parallel uploads cannot together pass
    the session's cap.
    """

    session: Session
    _file: Any = None
    _path: str | None = None
    _reserved: int | None = None  # bytes set aside in the session, until the upload ends

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    def prepare(self) -> None:
        super().prepare()
        session = self.sessions.get(self.request.headers.get("X-Reactchat-Session", ""))
        if session is None or session.closed:
            raise tornado.web.HTTPError(403, "unknown session")
        self.session = session
        node = session.tree.nodes.get(int(self.path_args[0]))
        if node is None or node.kind != "chat_input" or not node.props.get("multimodal"):
            raise tornado.web.HTTPError(404, "this input takes no files")
        name = clean_name(urllib.parse.unquote(self.request.headers.get("X-File-Name", "")))
        mime = self.request.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        if not accepts(node.props.get("file_types"), name, mime):
            allowed = ", ".join(node.props.get("file_types", []))
            raise tornado.web.HTTPError(415, f"{name!r} is not an accepted file type ({allowed})")
        self._name, self._mime = name, mime
        limit = min(
            node.props.get("max_file_size") or self.config.max_upload_bytes,
            self.config.max_upload_bytes,
        )
        length = self.content_length()
        if length is not None and length > limit:
            self.refuse_body(f"{name!r} is {length} bytes; the limit is {limit} bytes")
            return
        uploads = session.uploads
        want = length if length is not None else max(0, min(limit, uploads.room))  # chunked: all it may take
        try:
            uploads.reserve(want, self.config.max_uploads_in_progress)
        except UploadRefused as exc:
            if exc.busy:
                raise tornado.web.HTTPError(429, str(exc)) from None
            self.refuse_body(str(exc))
            return
        self._reserved = want
        self.expect_body(want, repr(name))
        self._id, self._path = uploads.new_path(name)
        self._file = open(self._path, "wb")

    def take(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def post(self, _node_id: str) -> None:
        self.body_end()
        if self.session.closed:
            raise tornado.web.HTTPError(410, "the session ended during the upload")
        self._file.close()
        assert self._path is not None and self._reserved is not None
        upload = Upload(self._id, self._name, self._mime, self.received, self._path)
        upload = self.session.uploads.add(upload, self._reserved)
        self._file = self._path = self._reserved = None
        self.write({"id": upload.id, "name": upload.name, "size": upload.size, "mime": upload.mime})

    def drop(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._path)
                os.rmdir(os.path.dirname(self._path))  # the upload's own folder (see Uploads.new_path)
            self._path = None
        if self._reserved is not None:
            self.session.uploads.release(self._reserved)
            self._reserved = None
