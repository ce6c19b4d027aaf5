"""Test support for sign-in: a visitor with cookies who can sign in with a password, and a store with users."""

from __future__ import annotations

import base64
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from reactchat.passwords import hash_password
from reactchat.store import open_store

PASSWORD = "correct horse battery"


def add_user(store_url: str, name: str, password: str = PASSWORD) -> None:
    """Add a password user to the store at ``store_url`` (a file both the test and the server open)."""
    with open_store(store_url) as store:
        store.set_password(f"password:{name}", hash_password(password), name=name)


def cookie_header(jar: http.cookiejar.CookieJar) -> str:
    """A Cookie header carrying every cookie of ``jar`` (for a WebSocket opened by hand)."""
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def anonymous_id(jar: http.cookiejar.CookieJar) -> str:
    """The anonymous identifier of the browser holding ``jar`` (as the store knows it), read from its signed
    ``rc_user`` cookie: Tornado's v2 format ``2|1:0|10:<ts>|7:rc_user|<len>:<base64 value>|<signature>``."""
    signed = next(c.value for c in jar if c.name == "rc_user" and c.value is not None)
    return "anonymous:" + base64.b64decode(signed.split("|")[4].split(":", 1)[1]).decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Visitor:
    """A browser, as far as HTTP goes: cookies, the XSRF token, and redirects followed or not."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        self.still = urllib.request.build_opener(cookies, _NoRedirect())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def get(
        self, path: str, *, follow: bool = True, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """Status, headers and body of a GET (a redirect's own answer when ``follow`` is False)."""
        return self._open(urllib.request.Request(self.url + path, headers=headers or {}), follow)

    def post(
        self,
        path: str,
        fields: dict[str, str],
        *,
        follow: bool = False,
        xsrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """A form POST, with the XSRF token from the cookie (fetching the sign-in page first for one)."""
        if xsrf and self.cookie("_xsrf") is None:
            self.get("/_rc/sign-in")
        body = dict(fields)
        if xsrf:
            body["_xsrf"] = self.cookie("_xsrf") or ""
        data = urllib.parse.urlencode(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST", headers=headers or {})
        return self._open(request, follow)

    def sign_in(
        self, name: str, password: str = PASSWORD, next_path: str = "/"
    ) -> tuple[int, dict[str, str], str]:
        return self.post("/_rc/sign-in", {"username": name, "password": password, "next": next_path})

    def _open(self, request: urllib.request.Request, follow: bool) -> tuple[int, dict[str, str], str]:
        opener = self.opener if follow else self.still
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
