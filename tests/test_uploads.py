"""Attachments: which files an input accepts, and the per-session upload folder (headless)."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest
from reactchat.uploads import Upload, UploadRefused, Uploads, accepts, clean_name
from tests.serving import MULTIMODAL


@pytest.mark.parametrize(
    ("types", "name", "mime", "ok"),
    [
        (None, "a.exe", "application/x-msdownload", True),
        (["image"], "cat.PNG", "image/png", True),
        (["image"], "notes.txt", "text/plain", False),
        ([".pdf"], "REPORT.PDF", "application/pdf", True),
        (["text/csv"], "t.csv", "text/csv", True),
        (["text/csv"], "t.csv", "text/plain", False),
        (["audio/*"], "a.ogg", "audio/ogg", True),
        (["*"], "x", "", True),
    ],
)
def test_accepts(types: list[str] | None, name: str, mime: str, ok: bool) -> None:
    assert accepts(types, name, mime) is ok


def test_headless_multimodal_submit_returns_text_and_paths(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(MULTIMODAL))
    t.send("look", files=[("a.txt", b"hello", "text/plain")])
    got = t.session.state["got"]
    assert got["text"] == "look" and len(got["files"]) == 1
    assert pathlib.Path(got["files"][0]).read_bytes() == b"hello"
    assert t.nodes("file")[0][2]["name"] == "a.txt"  # the saved file keeps its own name
    with pytest.raises(ValueError, match="not an accepted file type"):
        t.send("x", files=[("a.pdf", b"%PDF", "application/pdf")])
    with pytest.raises(ValueError, match="the limit is 1000 bytes"):
        t.send("x", files=[("big.txt", b"x" * 2000, "text/plain")])
    folder = t.session.uploads.folder
    assert folder is not None and os.path.isdir(folder)
    t.close()
    assert not os.path.exists(folder)  # removed when the session ends


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("cat.png", "cat.png"),
        ("a\x00b\r\nc\td.txt", "abcd.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # would show as "invoiceexe.pdf"
        ("\u2066x\u2069\u200f\u061c.txt\u2028", "x.txt"),
        ("\x7f\x85", "file"),
        ("  ", "file"),
        ("naïve résumé 📄.pdf", "naïve résumé 📄.pdf"),
        ("x" * 300, "x" * 255),
    ],
)
def test_clean_name(name: str, clean: str) -> None:
    assert clean_name(name) == clean


def test_headless_uploads_keep_clean_names_too(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(MULTIMODAL))
    upload_id = t.upload("a\r\nb\u202e.txt", b"hi", "text/plain")
    assert t.session.uploads.get(upload_id).name == "ab.txt"  # type: ignore[union-attr]
    t.close()


def test_an_upload_reserves_its_room_when_it_starts() -> None:
    uploads = Uploads(1000)
    uploads.reserve(600, max_in_progress=3)
    with pytest.raises(UploadRefused, match="600 bytes asked for, 400 of 1000 left") as err:
        uploads.reserve(600, max_in_progress=3)
    assert not err.value.busy
    uploads.reserve(400, max_in_progress=3)
    assert uploads.room == 0 and uploads.in_progress == 2
    uploads.release(400)  # refused or cut: its room is free again
    kept = uploads.add(Upload("u1", "a\x00.txt", "text/plain", 550, "/nowhere"), reserved=600)
    assert kept.name == "a.txt" and uploads.total == 550 and uploads.reserved == 0 and uploads.room == 450
    uploads.reserve(1, max_in_progress=1)
    with pytest.raises(UploadRefused, match="already has 1 uploads in progress") as err:
        uploads.reserve(1, max_in_progress=1)
    assert err.value.busy
