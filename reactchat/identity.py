"""Who a browser or a user is: ``Identity`` (what ``rc.user`` gives a script), and the anonymous identity of
a browser that has not signed in: a random id in a long-lived cookie, signed with the store's secret (made
once and kept in the store, so it survives restarts and every process on the store shares it)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from typing import Any

from tornado.web import RequestHandler

__all__ = ["COOKIE", "DAYS", "Identity", "anonymous", "ensure_user_cookie", "user_cookie"]

COOKIE = "rc_user"
DAYS = 400  # the longest a browser keeps a cookie


@dataclasses.dataclass(frozen=True)
class Identity:
    """A user, as the app sees them (``rc.user``).

    Attributes:
        id: Unique and stable across sign-ins and providers: ``"password:alice"``,
            ``"header:alice@example.com"``, ``"oidc:<issuer>|<subject>"`` (``"anonymous:<random>"`` for a
            browser that has not signed in; scripts never see those: ``rc.user`` is then None).
        provider: How they signed in: ``anonymous``, ``password``, ``header`` or ``oidc``.
        name: What to call them (the user name, the provider's ``name`` claim, the header's value).
        email: Their email address when the provider gave one.
        claims: Everything the OpenID provider said about them (empty for other providers).
    """

    id: str
    provider: str
    name: str | None = None
    email: str | None = None
    claims: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        """A browser that has not signed in."""
        return self.provider == "anonymous"


def anonymous(identifier: str) -> Identity:
    """The identity of the anonymous browser ``identifier`` (``"anonymous:<random>"``)."""
    return Identity(identifier, "anonymous")


def user_cookie(handler: RequestHandler) -> str:
    """The browser's anonymous identifier, from its signed cookie; "" when it has none (or it does not
    verify)."""
    if not handler.application.settings.get("cookie_secret"):
        return ""
    value = handler.get_signed_cookie(COOKIE, max_age_days=DAYS)
    return f"anonymous:{value.decode()}" if value else ""


def ensure_user_cookie(handler: RequestHandler, secure: bool = False) -> str:
    """The browser's anonymous identifier, setting the cookie (HttpOnly, SameSite=Lax, ``secure`` when the
    page is served over HTTPS) when it has none."""
    found = user_cookie(handler)
    if found or not handler.application.settings.get("cookie_secret"):
        return found
    value = secrets.token_urlsafe(18)
    handler.set_signed_cookie(COOKIE, value, expires_days=DAYS, httponly=True, samesite="Lax", secure=secure)
    return f"anonymous:{value}"
