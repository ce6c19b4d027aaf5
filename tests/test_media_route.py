"""The media route: registered media by id only, with safe headers and HTTP ranges."""

from __future__ import annotations

import asyncio
import pathlib
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from reactchat.media_route import byte_range
from tests.serving import Client, Served

BLOB = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def media_app(write_app: Callable[[str], str], tmp_path: pathlib.Path) -> str:
    (tmp_path / "clip.wav").write_bytes(b"RIFF" + b"\x00" * 4 + b"WAVE" + BLOB)
    return write_app(f"""
        import reactchat as rc
        rc.audio({str(tmp_path / "clip.wav")!r})
        rc.file({BLOB!r}, name="data.bin")
        rc.file(b"<svg onload=alert(1)></svg>", name="x.svg")
        rc.file(b"<script>alert(1)</script>", name="page.html")
        rc.chat_input()
    """)


def media_urls(served: Served) -> list[str]:
    async def body() -> list[str]:
        c = await Client.connect(served.ws_url)
        await c.until(lambda c: bool(c.nodes("chat_input")))
        return [served.url + n[2]["src"] for kind in ("audio", "file") for n in c.nodes(kind)]

    return asyncio.run(body())


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), b""


def test_registered_media_is_served_with_safe_headers(serve: Callable[..., Served], media_app: str) -> None:
    served = serve(media_app)
    audio, blob, svg, page = media_urls(served)
    status, headers, body = get(audio)
    assert status == 200
    assert headers["Content-Type"].startswith("audio/") and "wav" in headers["Content-Type"]
    assert body.startswith(b"RIFF") and headers["Accept-Ranges"] == "bytes"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    status, headers, body = get(blob)
    assert body == BLOB and headers["Content-Disposition"].startswith("attachment")
    for url in (svg, page):  # never rendered from our origin
        status, headers, _ = get(url)
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Content-Disposition"].startswith("attachment")


def test_http_ranges(serve: Callable[..., Served], media_app: str) -> None:
    served = serve(media_app)
    _, blob, _, _ = media_urls(served)
    status, headers, body = get(blob, {"Range": "bytes=10-19"})
    assert status == 206 and body == BLOB[10:20] and headers["Content-Range"] == f"bytes 10-19/{len(BLOB)}"
    status, _, body = get(blob, {"Range": "bytes=-5"})
    assert status == 206 and body == BLOB[-5:]
    status, _, body = get(blob, {"Range": "bytes=10000-"})
    assert status == 206 and body == BLOB[10000:]
    status, headers, _ = get(blob, {"Range": "bytes=99999-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(BLOB)}"
    audio = media_urls(served)[0]
    status, _, body = get(audio, {"Range": "bytes=0-3"})
    assert status == 206 and body == b"RIFF"  # files on disk too


def test_ids_cannot_be_guessed_or_used_to_reach_other_files(
    serve: Callable[..., Served], media_app: str
) -> None:
    served = serve(media_app)
    blob = media_urls(served)[1]
    base, media_id = blob.rsplit("/", 1)
    key = base.rsplit("/", 1)[1]
    attempts = [
        f"{base}/{'0' * len(media_id)}",
        f"{base}/{media_id[:-1]}",
        f"{served.url}/_rc/media/{'A' * len(key)}/{media_id}",
        f"{base}/../../../etc/passwd",
        f"{base}/..%2f..%2fetc%2fpasswd",
        f"{served.url}/_rc/media/{key}/%2e%2e/%2e%2e/server.py",
        f"{served.url}/_rc/media/{key}/{media_id}/../../static/app.js",
        f"{served.url}/_rc/media/..%2F..%2Fetc/passwd",
        f"{served.url}/_rc/media/{key}",
    ]
    for url in attempts:
        status, _, body = get(url)
        assert status == 404, url
        assert b"root:" not in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 10)),
        ("bytes=10-", (10, 100)),
        ("bytes=-5", (95, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=90-500", (90, 100)),
        (" bytes = 1-1", (1, 2)),
        ("bytes=100-", None),  # starts past the end
        ("bytes=5-4", None),
        ("bytes=0-1,5-6", None),  # several ranges are not served
        ("items=0-9", None),
        ("bytes=a-b", None),
        ("bytes=-0", None),
    ],
)
def test_byte_range(header: str, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


def test_a_kept_file_is_served_to_its_owner_only(serve: Callable[..., Served], media_app: str) -> None:
    import tornado.web

    from tests.serving import Browser

    served = serve(media_app)
    ann, bob = Browser(served.url), Browser(served.url)
    store = served.app.store
    assert store is not None
    signed = next(c.value for c in ann.jar if c.name == "rc_user")
    value = tornado.web.decode_signed_value(store.secret().hex(), "rc_user", signed)
    assert value is not None
    owner = store.user(f"anonymous:{value.decode()}")
    conversation = store.create(owner, "app")
    kept = store.add_file(owner, conversation.id, data=BLOB, name="chart.png", mime="image/png")
    url = f"{served.url}/_rc/files/{kept.id}"
    with ann.opener.open(url) as response:
        assert response.status == 200 and response.read() == BLOB
        assert response.headers["Content-Type"] == "image/png"
        assert "immutable" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    with ann.opener.open(urllib.request.Request(url, headers={"Range": "bytes=0-9"})) as response:
        assert response.status == 206 and response.read() == BLOB[:10]
    for opener in (bob.opener, urllib.request.build_opener()):  # another browser, or none: a missing file
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(url)
        assert refused.value.code == 404
    store.delete(owner, conversation.id)
    with pytest.raises(urllib.error.HTTPError) as gone:
        ann.opener.open(url)
    assert gone.value.code == 404
