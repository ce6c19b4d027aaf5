"""The anonymous user cookie: set by the page, signed with the store's secret, HttpOnly and SameSite=Lax, so a
restarted server (or another process on the same store) knows the browser again."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

APP = "import reactchat as rc\nrc.chat_input()\n"


def opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def test_the_page_sets_a_signed_http_only_lax_cookie_once(
    serve: Callable[..., Any], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(APP))
    browser, jar = opener()
    with browser.open(served.url + "/") as response:
        header = [v for k, v in response.headers.items() if k.lower() == "set-cookie" and "rc_user=" in v]
    assert len(header) == 1 and "HttpOnly" in header[0] and "SameSite=Lax" in header[0]
    value = next(c.value for c in jar if c.name == "rc_user")
    assert "|" in value  # signed: a value, a timestamp and a signature
    with browser.open(served.url + "/") as response:  # known now: not set again
        assert not [v for k, v in response.headers.items() if k.lower() == "set-cookie" and "rc_user=" in v]


def test_a_restarted_server_on_the_same_store_accepts_the_cookie(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    path = write_app(APP)
    first = serve(path, store=store)
    browser, jar = opener()
    browser.open(first.url + "/").close()
    value = next(c.value for c in jar if c.name == "rc_user")
    first.close()
    second = serve(path, store=store)
    with browser.open(second.url + "/") as response:  # the same secret: the cookie verifies, none is set
        assert not [v for k, v in response.headers.items() if k.lower() == "set-cookie" and "rc_user=" in v]
    assert next(c.value for c in jar if c.name == "rc_user") == value


def test_an_unknown_conversation_address_is_a_404(
    serve: Callable[..., Any], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(APP))
    try:
        urllib.request.urlopen(served.url + "/c/01NOSUCHCONVERSATION")
    except urllib.error.HTTPError as err:
        assert err.code == 404
    else:
        raise AssertionError("an unknown conversation was served")
