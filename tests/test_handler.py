"""The base of every handler: the Host check and the default security headers."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
import tornado.web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from reactchat.config import Config
from reactchat.handler import check_host
from tests.serving import ECHO, Served


def test_unknown_host_header_is_refused_on_loopback(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    request = urllib.request.Request(served.url + "/", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 403


def request(host: str) -> HTTPServerRequest:
    return HTTPServerRequest(
        start_line=RequestStartLine("GET", "/", "HTTP/1.1"), headers=HTTPHeaders({"Host": host})
    )


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8700", "127.0.0.1:80", "[::1]", "[::1]:8700", "LOCALHOST"]
)
def test_loopback_names_pass_on_a_loopback_bind(host: str) -> None:
    check_host(request(host), Config())


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8700", "localhost.evil.example", "10.0.0.1"])
def test_other_names_are_refused_on_a_loopback_bind(host: str) -> None:
    with pytest.raises(tornado.web.HTTPError) as err:
        check_host(request(host), Config())
    assert err.value.status_code == 403 and host.lower() in str(err.value.log_message)


def test_any_name_passes_when_bound_beyond_loopback() -> None:
    check_host(request("chat.example.com"), Config(host="0.0.0.0"))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/_rc/health",
        "/_rc/highlight.css",
        "/_rc/static/app.js",
        "/_rc/static/nope.js",
        "/api",
        "/_rc/media/k/0",
    ],
)
def test_every_route_sends_the_default_security_headers(serve: Callable[..., Served], path: str) -> None:
    served = serve(ECHO)
    try:
        with urllib.request.urlopen(served.url + path) as response:
            headers = response.headers
    except urllib.error.HTTPError as err:  # the refusals carry them too
        headers = err.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
