"""``/_rc/sign-in`` (the sign-in page, and the password form it posts) and ``/_rc/sign-out``.

A failed password sign-in answers the same for an unknown user as for a wrong password, after the same
argon2 work; failures are limited per user name and per client address (``passwords.Attempts``).
"""

from __future__ import annotations

import logging
import math
import os
import urllib.parse
from typing import TYPE_CHECKING, Any

import tornado.ioloop
import tornado.web

from reactchat.auth import Gate, local_path
from reactchat.config import Config
from reactchat.handler import Handler
from reactchat.page import theme_parts
from reactchat.passwords import MAX_NAME, check, valid_name
from reactchat.sign_in_page import sign_in_html

if TYPE_CHECKING:
    from reactchat.runner import Script
    from reactchat.sessions import Sessions

__all__ = ["SIGN_IN_CSP", "SignInHandler", "SignOutHandler", "oidc_routes"]

log = logging.getLogger("reactchat")

SIGN_IN_CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)
WRONG = "Wrong user name or password."


class SignInHandler(Handler):
    """``GET /_rc/sign-in``: the sign-in page (a password form, or the OpenID provider's button);
    ``POST``: check a user name and password and sign the browser in."""

    open_to_all = True

    def initialize(self, config: Config, script: Script) -> None:
        self.config = config
        self.script = script

    def prepare(self) -> None:
        super().prepare()
        if self.gate.auth.mode not in ("password", "oidc"):
            raise tornado.web.HTTPError(404)

    def get(self) -> None:
        next_path = local_path(self.get_query_argument("next", "/"))
        if self.gate.signed_in(self) is not None:
            self.redirect(next_path)
            return
        self.page(next_path)

    async def post(self) -> None:
        if self.gate.auth.mode != "password":
            raise tornado.web.HTTPError(405)
        # No user has a longer name: the limiter's keys stay small whatever a client sends.
        name = self.get_body_argument("username", "").strip()[: MAX_NAME + 1]
        password = self.get_body_argument("password", "")
        next_path = local_path(self.get_body_argument("next", "/"))
        gate = self.gate
        user_key, address_key = f"user:{name.lower()}", f"address:{gate.client_address(self.request)}"
        wait = gate.attempts.wait(user_key, address_key)
        if wait > 0:
            self.set_status(429)
            self.set_header("Retry-After", str(math.ceil(wait)))
            self.page(next_path, name, f"Too many failed attempts: try again in {math.ceil(wait)} seconds.")
            return
        identifier = f"password:{name}"
        account = gate.account(identifier) if valid_name(name) is None else None
        password_hash = account.password_hash if account is not None else None
        # argon2 takes tens of milliseconds of CPU on purpose: not on the loop's thread.
        ok = await tornado.ioloop.IOLoop.current().run_in_executor(None, check, password, password_hash)
        if not ok:
            gate.attempts.fail(user_key, address_key)
            log.info("a sign-in as %r from %s failed", name[:64], address_key[8:])
            self.set_status(401)
            self.page(next_path, name, WRONG)
            return
        gate.attempts.forget(user_key)
        gate.sign_in(self, identifier, "password", name=name)
        self.redirect(next_path)

    def page(self, next_path: str, username: str = "", error: str | None = None) -> None:
        """The sign-in page: the password form, or the OpenID provider's button."""
        self.set_header("Content-Security-Policy", SIGN_IN_CSP)
        self.set_header("Cache-Control", "no-store")
        oidc = self.gate.auth.mode == "oidc"
        self.finish(
            sign_in_html(
                title=os.path.splitext(os.path.basename(self.script.path))[0],
                **theme_parts(self.script),  # type: ignore[arg-type]
                xsrf_input=self.xsrf_form_html(),
                username=username,
                error=error,
                password=not oidc,
                oidc_label=provider_label(self.gate.auth.oidc_issuer) if oidc else None,
                oidc_href="/_rc/oidc/login?" + urllib.parse.urlencode({"next": next_path}) if oidc else None,
                next_path=next_path,
            )
        )


def provider_label(issuer: str) -> str:
    """A short name for an OpenID provider's button: its issuer's host (``accounts.google.com``)."""
    host = issuer.split("://", 1)[-1].split("/", 1)[0]
    return host or "your provider"


class SignOutHandler(Handler):
    """``POST /_rc/sign-out`` (with the XSRF token, as every POST): clear the sign-in; ``everywhere=1``
    also ends the user's sign-ins in every other browser."""

    open_to_all = True

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    def post(self) -> None:
        everywhere = self.get_body_argument("everywhere", "") in ("1", "true")
        signed = self.gate.sign_out(self, everywhere=everywhere)
        if signed is not None:
            # Their open tabs in this process (this browser's others share the cleared cookie; with
            # "everywhere", every browser's) go to the sign-in page now, not at their next reconnect.
            self.sessions.sign_out(signed.id)
        self.set_header("Cache-Control", "no-store")
        self.set_status(204)


def oidc_routes(config: Config, gate: Gate) -> list[tuple[str, type[Handler], dict[str, Any]]]:
    """The OpenID Connect login and callback routes, with one ``Provider`` for the process (its discovery
    document and keys are fetched once and kept). Imported only in ``oidc`` mode: authlib is an extra."""
    from reactchat.oidc import OidcSettings, Provider, profile
    from reactchat.oidc_route import CALLBACK_PATH, LOGIN_PATH, OidcCallbackHandler, OidcLoginHandler

    auth = config.auth
    provider = Provider(OidcSettings(auth.oidc_issuer, auth.oidc_client_id, auth.oidc_client_secret,
                                     auth.oidc_scopes))  # fmt: skip

    def public_url(handler: Handler) -> str:
        return gate.public_url(handler.request)

    def complete(handler: Handler, identifier: str, claims: dict[str, Any], next_path: str) -> None:
        name, email = profile(claims)
        gate.sign_in(handler, identifier, "oidc", name=name, email=email, claims=claims)
        handler.redirect(next_path)

    given = {"config": config, "provider": provider, "public_url": public_url}
    return [
        (LOGIN_PATH, OidcLoginHandler, given),
        (CALLBACK_PATH, OidcCallbackHandler, {**given, "complete": complete}),
    ]
