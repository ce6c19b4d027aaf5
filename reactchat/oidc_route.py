"""The OpenID Connect routes: ``/_rc/oidc/login`` sends the browser to the provider, ``/_rc/oidc/callback``
finishes the login there and hands the user to the caller's ``complete``.

What the callback needs (state, nonce, PKCE verifier, where to go next) travels in a signed, HttpOnly cookie
that lives ten minutes, scoped to these two routes: any process of the app sharing the cookie secret can
finish a login another one began, and a restart in between loses nothing.
"""

from __future__ import annotations

import html
import inspect
import json
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from tornado.log import app_log

from reactchat.auth import local_path
from reactchat.config import Config
from reactchat.handler import Handler
from reactchat.oidc import MAX_AGE, OidcError, Provider, identifier

__all__ = [
    "CALLBACK_PATH",
    "COOKIE",
    "LOGIN_PATH",
    "OidcCallbackHandler",
    "OidcLoginHandler",
]

COOKIE = "rc_oidc"
LOGIN_PATH = "/_rc/oidc/login"
CALLBACK_PATH = "/_rc/oidc/callback"

PublicUrl = Callable[[Handler], str]
"""The app's address as the browser sees it (scheme, host and any path prefix), for a request."""
Complete = Callable[[Handler, str, dict[str, Any], str], Awaitable[None] | None]
"""Called with the handler, the user identifier, their claims and the local path to go on to: signs the user
in (sets the session cookie) and answers (e.g. redirects to the path)."""


def cookie_path(public_url: str) -> str:
    """The path the flow cookie is sent to: the two routes, under the app's prefix when it has one."""
    return urllib.parse.urlsplit(public_url).path.rstrip("/") + "/_rc/oidc/"


class OidcLoginHandler(Handler):
    """``GET /_rc/oidc/login?next=/path``: start a login and send the browser to the provider."""

    open_to_all = True  # (reactchat.handler's gate) the way in for visitors not yet signed in

    def initialize(self, config: Config, provider: Provider, public_url: PublicUrl) -> None:
        self.config = config
        self.provider = provider
        self.public_url = public_url

    async def get(self) -> None:
        next_path = local_path(self.get_query_argument("next", None))
        base = self.public_url(self).rstrip("/")
        try:
            url, blob = await self.provider.begin(base + CALLBACK_PATH)
        except OidcError as error:  # the provider is unreachable or misconfigured
            app_log.warning("OpenID Connect sign-in could not start: %s", error)
            refuse(self, 502, str(error), next_path)
            return
        self.set_signed_cookie(
            COOKIE, json.dumps([next_path, blob]), expires_days=None, max_age=MAX_AGE, httponly=True,
            samesite="Lax", secure=base.startswith("https:"), path=cookie_path(base),
        )  # fmt: skip
        self.set_header("Cache-Control", "no-store")
        self.redirect(url)


class OidcCallbackHandler(Handler):
    """``GET /_rc/oidc/callback``: where the provider sends the browser back; finishes the login begun in this
    browser (by its cookie, used once) and calls ``complete``, or answers 400 saying what went wrong."""

    open_to_all = True

    def initialize(
        self, config: Config, provider: Provider, public_url: PublicUrl, complete: Complete
    ) -> None:
        self.config = config
        self.provider = provider
        self.public_url = public_url
        self.complete = complete

    async def get(self) -> None:
        base = self.public_url(self).rstrip("/")
        found = self.get_signed_cookie(COOKIE, max_age_days=1)  # the flow's own age is checked by finish
        self.clear_cookie(COOKIE, path=cookie_path(base))  # used once, whatever happens
        self.set_header("Cache-Control", "no-store")
        next_path = "/"
        try:
            next_path, blob = flow(found)
            arguments = {k: self.get_query_argument(k, strip=False) for k in self.request.query_arguments}
            claims = await self.provider.finish(arguments, blob)
            user = identifier(claims, claims["iss"])
        except OidcError as error:
            app_log.warning("OpenID Connect sign-in failed for %s: %s", self.request.remote_ip, error)
            refuse(self, 400, str(error), next_path)
            return
        done = self.complete(self, user, claims, next_path)
        if inspect.isawaitable(done):
            await done


def flow(cookie: bytes | None) -> tuple[str, str]:
    """The ``next`` path and ``begin``'s string from the flow cookie's verified value."""
    try:
        next_path, blob = json.loads(cookie or b"")
    except (ValueError, TypeError):  # not JSON, or not a pair
        next_path = blob = None
    if not isinstance(next_path, str) or not isinstance(blob, str):
        raise OidcError(
            "this browser has no sign-in in progress (it was begun more than "
            f"{MAX_AGE // 60} minutes ago, in another browser, or cookies are blocked); please sign in again"
        )
    return local_path(next_path), blob


def refuse(handler: Handler, status: int, message: str, next_path: str) -> None:
    """A small HTML page saying why the sign-in failed, with a link to try again."""
    again = "login?" + urllib.parse.urlencode({"next": next_path})  # relative: the app may have a prefix
    shown = html.escape(message[:1].upper() + message[1:])
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f'<h1>Sign-in failed</h1><p data-testid="sign-in-error">{shown}'
        f'.</p><p><a href="{html.escape(again)}">Try again</a></p></body></html>'
    )
