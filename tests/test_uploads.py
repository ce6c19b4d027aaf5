"""Attachments: which files an input accepts, and the per-session upload folder (headless)."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest
from reactchat.uploads import accepts
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
