"""The base of every handler: the Host check and the default security headers."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
import tornado.web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from reactchat.config import Config
from reactchat.handler import check_host, known_host, machine_names
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


def test_another_loopback_address_refuses_other_names(serve: Callable[..., Served]) -> None:
    served = serve(ECHO, host="127.0.0.2")  # not one of the three loopback names: once not checked at all
    with urllib.request.urlopen(served.url + "/_rc/health") as response:
        assert response.status == 200  # Host: 127.0.0.2:port, the address it is reached at
    for host in ("evil.example", f"evil.example:{served.port}"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(served.url + "/", headers={"Host": host}))
        assert err.value.code == 403
        assert "--allowed-host evil.example" in err.value.read().decode()


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "192.0.2.7", "chat.example.com"])
def test_every_bind_checks_the_host(bind: str) -> None:
    with pytest.raises(tornado.web.HTTPError) as err:
        check_host(request("evil.example"), Config(host=bind))
    assert err.value.status_code == 403 and "--allowed-host evil.example" in str(err.value.log_message)


@pytest.mark.parametrize(
    ("host", "bind", "allowed"),
    [
        ("chat.example.com", "0.0.0.0", ("chat.example.com",)),
        ("CHAT.example.com.:443", "0.0.0.0", ("chat.example.com",)),
        ("chat.example.com", "chat.example.com", ()),  # the name it was bound by
        ("192.0.2.7:8700", "192.0.2.7", ()),
        ("127.0.0.5", "0.0.0.0", ()),  # any loopback address
        ("app.localhost:8700", "127.0.0.1", ()),  # browsers resolve .localhost themselves
    ],
)
def test_names_the_server_is_reached_by_pass(host: str, bind: str, allowed: tuple[str, ...]) -> None:
    check_host(request(host), Config(host=bind, allowed_hosts=allowed))


def test_the_machine_s_own_names_and_the_address_reached_pass() -> None:
    config = Config(host="0.0.0.0")
    for name in machine_names():
        assert known_host(name, config)
    assert known_host("192.0.2.7", config, reached_at="192.0.2.7")
    assert known_host("192.0.2.7", config, reached_at="::ffff:192.0.2.7")  # a dual-stack socket
    assert not known_host("192.0.2.8", config, reached_at="192.0.2.7")
    assert not known_host("192.0.2.7", config)


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
    assert headers["X-Frame-Options"] == "DENY"
