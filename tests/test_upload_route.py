"""The upload route: streamed, size-capped, XSRF-protected uploads that leave nothing behind when refused."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import pathlib
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from tests.serving import MULTIMODAL, Client, Served


class Browser:
    """An HTTP client with cookies, and the session's socket, as a page would have them."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(served.url + "/").read()
        self.xsrf = next(c.value for c in self.jar if c.name == "_xsrf")

    def upload(
        self, node_id: int, token: str | None, body: bytes, name: str, mime: str, xsrf: str | None = ""
    ) -> tuple[int, dict]:  # type: ignore[type-arg]
        headers = {"X-File-Name": name, "Content-Type": mime}
        if token is not None:
            headers["X-Reactchat-Session"] = token
        if xsrf is not None:
            headers["X-Xsrftoken"] = xsrf or self.xsrf
        request = urllib.request.Request(
            f"{self.served.url}/_rc/upload/{node_id}", data=body, method="POST", headers=headers
        )
        try:
            with self.opener.open(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


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
    browser = Browser(served)
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
    browser = Browser(served)
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
