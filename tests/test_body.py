"""Request bodies read as they arrive (uploads and the HTTP API): a body that comes too slowly is cut with a 408
and leaves nothing behind."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable

from tests.serving import MULTIMODAL, Browser, Served
from tests.test_upload_route import connect, folder_files


def test_a_body_that_drips_is_cut_and_leaves_nothing(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(MULTIMODAL), min_body_rate=200, body_rate_window=0.2)
    browser, c = Browser(served.url), connect(served)
    upload = browser.start_upload(c.input_id(), c.token, 900, b"x")
    answered = threading.Event()

    def drip() -> None:  # a byte every 20 ms: 50 bytes a second, a quarter of the minimum
        with contextlib.suppress(OSError):
            while not answered.wait(0.02):
                upload.send(b"x")

    dripper = threading.Thread(target=drip)
    dripper.start()
    try:
        status, _, body = upload.response(timeout=5)
    finally:
        answered.set()
        dripper.join()
    assert status == 408 and "under 200 bytes per second over 0.2 s" in json.loads(body)["error"]
    assert folder_files(served, c.token) == []
    uploads = served.app.sessions[c.token].uploads
    assert uploads.reserved == 0 and uploads.in_progress == 0
