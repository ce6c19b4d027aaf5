"""The Gate: who a request is from in each mode, through trusted proxies only, on a real server."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.websocket import websocket_connect

from reactchat.auth import Gate, local_path, parse_proxies
from reactchat.config import Auth
from reactchat.protocol import VERSION
from tests.serving import Client, run
from tests.signing import Visitor, add_user, cookie_header

WHO = """
    import reactchat as rc
    rc.conversation()
    rc.markdown(f"user: {rc.user.id if rc.user else 'anonymous'}")
    rc.chat_input()
"""


def request(peer: str, **headers: str) -> HTTPServerRequest:
    made = HTTPServerRequest(
        start_line=RequestStartLine("GET", "/", "HTTP/1.1"),
        headers=HTTPHeaders({"Host": "app.local", **headers}),
    )
    made.remote_ip = peer
    return made


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    gate = Gate(Auth(trusted_proxies=("10.0.0.0/8",)), None)
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.0.0.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "chat.example.com"}  # fmt: skip
    behind = request("10.0.0.2", **forwarded)
    assert gate.trusted(behind)
    assert (
        gate.client_address(behind) == "203.0.113.9"
    )  # the nearest untrusted hop, not what the client wrote
    assert gate.scheme(behind) == "https"
    assert gate.public_url(behind) == "https://chat.example.com"
    direct = request("198.51.100.1", **forwarded)
    assert not gate.trusted(direct)
    assert gate.client_address(direct) == "198.51.100.1"
    assert gate.scheme(direct) == "http"
    assert gate.public_url(direct) == "http://app.local"


def test_the_public_url_setting_wins() -> None:
    gate = Gate(Auth(public_url="https://chat.example.com/", trusted_proxies=("10.0.0.1",)), None)
    behind = request("10.0.0.1", **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
    assert gate.public_url(behind) == "https://chat.example.com"
    assert gate.scheme(behind) == "https"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/c/abc?x=1", "/c/abc?x=1"), ("//evil.example/", "/"), ("https://evil.example", "/"), ("/\\evil", "/"),
     ("", "/"), (None, "/"), ("/a\nb", "/")],
)  # fmt: skip
def test_local_path(value: str | None, expected: str) -> None:
    assert local_path(value) == expected


def test_parse_proxies_names_a_bad_value() -> None:
    assert len(parse_proxies(["127.0.0.1", "10.0.0.0/8", "::1"])) == 3
    with pytest.raises(ValueError, match=r"got 'proxy\.internal'"):
        parse_proxies(["proxy.internal"])


async def connect(url: str, cookies: str = "", **headers: str) -> Client:
    origin = url.replace("ws://", "http://").split("/_rc")[0]
    conn = await websocket_connect(HTTPRequest(url, headers={"Origin": origin, "Cookie": cookies, **headers}))
    client = Client(conn)
    await client.send(["hello", VERSION, None, -1])
    return client


def shown(c: Client) -> str:
    """Everything the tab's tree holds, as text (enough to find a line the script wrote)."""
    return repr(c.tree)


def test_header_mode_believes_a_trusted_proxy(
    serve: Callable[..., Any], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(WHO), auth=Auth(mode="header", trusted_proxies=("127.0.0.1",), header="X-User"))
    visitor = Visitor(served.url)
    status, _, body = visitor.get("/", headers={"X-User": "ann@example.com"})
    assert status == 200 and "ann@example.com" in body  # data-account names her
    status, _, body = visitor.get("/")
    assert status == 401 and "sign-in proxy" in body
    assert visitor.get("/", headers={"X-User": "a" * 321 + "@example.com"})[0] == 401  # no such identity

    async def go() -> None:
        c = await connect(served.ws_url, **{"X-User": "ann@example.com"})
        await c.until(lambda c: "user: header:ann@example.com" in shown(c))
        refused = await connect(served.ws_url)
        while await refused.recv() is not None:
            pass
        assert refused.conn.close_code == 4401

    run(go())


def test_header_mode_ignores_the_header_from_elsewhere(
    serve: Callable[..., Any], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(WHO), auth=Auth(mode="header", trusted_proxies=("10.9.9.9",), header="X-User"))
    status, _, _ = Visitor(served.url).get("/", headers={"X-User": "ann@example.com"})
    assert status == 401


def test_routes_refuse_a_visitor_who_has_not_signed_in(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    served = serve(write_app(WHO), auth=Auth(mode="password"), store=store)
    visitor = Visitor(served.url)
    status, headers, _ = visitor.get("/c/0123", follow=False)
    assert status == 302 and headers["Location"] == "/_rc/sign-in?next=%2Fc%2F0123"
    for path in ("/_rc/files/abc", "/_rc/export/abc.json", "/api", "/v1/models"):
        assert visitor.get(path)[0] == 401, path
    for path in ("/_rc/health", "/_rc/static/app.css", "/_rc/theme.css", "/_rc/sign-in"):
        assert visitor.get(path)[0] == 200, path


def test_a_signed_in_tab_is_its_user_and_a_signed_out_one_is_refused(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "alice")
    served = serve(write_app(WHO), auth=Auth(mode="password"), store=store)
    visitor = Visitor(served.url)
    assert visitor.sign_in("alice")[0] == 302

    async def go() -> None:
        c = await connect(served.ws_url, cookie_header(visitor.jar))
        await c.until(lambda c: "user: password:alice" in shown(c))
        token = c.token
        c.close()
        assert visitor.post("/_rc/sign-out", {})[0] == 204
        # The old tab's resume token does not bring alice's session back to a signed-out browser.
        again = await websocket_connect(
            HTTPRequest(served.ws_url, headers={"Origin": served.url, "Cookie": cookie_header(visitor.jar)})
        )
        after = Client(again)
        await after.send(["hello", VERSION, token, -1])
        while await after.recv() is not None:
            pass
        assert again.close_code == 4401

    run(go())


def test_next_is_a_local_path_or_home() -> None:
    for kept in ["/", "/c/42", "/c/42?q=1#end", "/a//b"]:
        assert local_path(kept) == kept
    for refused in [None, "", "c/42", "//evil.example", "/\\evil.example", "/a\\b", "https://evil.example",
                    "javascript:alert(1)", "/\r\nSet-Cookie: x=1", "/\x7f", "/" + "a" * 3000]:  # fmt: skip
        assert local_path(refused) == "/", refused
