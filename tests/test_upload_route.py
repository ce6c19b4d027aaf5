"""The upload route: streamed, size-capped, XSRF-protected uploads that leave nothing behind when refused."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import urllib.parse
from collections.abc import Callable

import pytest

from tests.serving import MULTIMODAL, Browser, Client, Served, wait_for


def connect(served: Served) -> Client:
    async def body() -> Client:
        c = await Client.connect(served.ws_url)
        await c.until(lambda c: bool(c.nodes("chat_input")) and c.run_state == "done")
        return c

    return asyncio.run(body())


def folder_files(served: Served, token: str) -> list[str]:
    folder = served.app.sessions[token].uploads.folder
    return sorted(os.listdir(folder)) if folder and os.path.isdir(folder) else []


def test_an_upload_then_a_submit_over_http_and_the_socket(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL))
    browser = Browser(served.url)
    c = connect(served)
    status, body = browser.upload(c.input_id(), c.token, b"\x89PNG\r\n\x1a\nxx", "cat.png", "image/png")
    assert status == 200 and body["name"] == "cat.png" and body["size"] == 10

    async def submit() -> None:
        c2 = await Client.connect(served.ws_url, token=c.token)
        await c2.until(lambda c: c.run_state == "done")
        await c2.submit(c2.input_id(), {"text": "my cat", "files": [body["id"]]}, ev_seq=1)  # type: ignore[arg-type]
        await c2.until(lambda c: bool(c.nodes("image")))

    asyncio.run(submit())
    got = served.app.sessions[c.token].state["got"]
    assert got["text"] == "my cat" and pathlib.Path(got["files"][0]).read_bytes() == b"\x89PNG\r\n\x1a\nxx"


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("too big", 413, "the limit is 1000 bytes"),
        ("wrong type", 415, "is not an accepted file type (image, .txt)"),
        ("forged session", 403, "unknown session"),
        ("no session", 403, "unknown session"),
        ("no xsrf", 403, "'_xsrf' argument missing from POST"),
        ("bad xsrf", 403, "XSRF cookie does not match"),
        ("not a multimodal input", 404, "this input takes no files"),
    ],
)
def test_refused_uploads_leave_nothing_on_disk(
    serve: Callable[..., Served], write_app: Callable[[str], str], case: str, status: int, error: str
) -> None:
    served = serve(write_app(MULTIMODAL))
    browser = Browser(served.url)
    c = connect(served)
    args: dict = {
        "node_id": c.input_id(),
        "token": c.token,
        "body": b"hello",
        "name": "a.txt",
        "mime": "text/plain",
    }  # type: ignore[type-arg]
    if case == "too big":
        args["body"] = b"x" * 5000
    elif case == "wrong type":
        args.update(name="a.pdf", mime="application/pdf")
    elif case == "forged session":
        args["token"] = "not-a-real-session-token"
    elif case == "no session":
        args["token"] = None
    elif case == "no xsrf":
        args["xsrf"] = None
    elif case == "bad xsrf":
        args["xsrf"] = "2|00000000|00000000000000000000000000000000|1"
    elif case == "not a multimodal input":
        args["node_id"] = 0
    got_status, body = browser.upload(**args)
    assert got_status == status
    assert error in body.get("error", "")
    assert folder_files(served, c.token) == []


def test_parallel_uploads_cannot_pass_the_session_cap_together(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL), max_session_upload_bytes=1500)
    browser, c = Browser(served.url), connect(served)
    first = browser.start_upload(c.input_id(), c.token, 800, b"x" * 100)  # under way, 800 bytes announced
    wait_for(lambda: len(folder_files(served, c.token)) == 1)
    second = browser.start_upload(c.input_id(), c.token, 800, b"y" * 800)
    status, _, body = second.response()
    assert (
        status == 413
        and "attachments are full: 800 bytes asked for, 700 of 1500 left" in json.loads(body)["error"]
    )
    first.send(b"x" * 700)
    assert first.response()[0] == 200
    uploads = served.app.sessions[c.token].uploads
    assert uploads.total == 800 and uploads.reserved == 0 and uploads.in_progress == 0


def test_uploads_in_progress_per_session_are_bounded(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL), max_uploads_in_progress=2)
    browser, c = Browser(served.url), connect(served)
    going = [browser.start_upload(c.input_id(), c.token, 10, b"x") for _ in range(2)]
    wait_for(lambda: len(folder_files(served, c.token)) == 2)
    third = browser.start_upload(c.input_id(), c.token, 10, b"z" * 10)
    status, headers, body = third.response()
    assert status == 429 and headers["retry-after"] == "1"
    assert "already has 2 uploads in progress (the limit is 2)" in json.loads(body)["error"]
    for upload in going:
        upload.send(b"x" * 9)
        assert upload.response()[0] == 200
    assert browser.upload(c.input_id(), c.token, b"later", "b.txt", "text/plain")[0] == 200


def test_a_file_name_loses_control_and_bidi_characters(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL))
    browser, c = Browser(served.url), connect(served)
    name = urllib.parse.quote("a\x00b\r\nc\u202egnp\u2066.txt")
    status, body = browser.upload(c.input_id(), c.token, b"hi", name, "text/plain")
    assert status == 200 and body["name"] == "abcgnp.txt"
    assert served.app.sessions[c.token].uploads.get(body["id"]).name == "abcgnp.txt"  # type: ignore[union-attr]


def test_a_refused_body_is_answered_even_to_a_client_that_sends_it_all_first(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL))
    browser, c = Browser(served.url), connect(served)
    # Over the server's 1 MiB cap for bodies too: Tornado alone would close the connection unanswered.
    status, body = browser.upload(c.input_id(), c.token, b"x" * (2 << 20), "big.txt", "text/plain")
    assert status == 413 and "the limit is 1000 bytes" in body["error"]
    assert folder_files(served, c.token) == []
