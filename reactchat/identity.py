"""Who a browser is, without sign-in: an anonymous user id in a long-lived cookie, signed with the store's
secret (made once and kept in the store, so it survives restarts and every process on the store shares it)."""

from __future__ import annotations

import secrets

from tornado.web import RequestHandler

COOKIE = "rc_user"
DAYS = 400  # the longest a browser keeps a cookie


def user_cookie(handler: RequestHandler) -> str:
    """The browser's user identifier, from its signed cookie; "" when it has none (or it does not verify)."""
    if not handler.application.settings.get("cookie_secret"):
        return ""
    value = handler.get_signed_cookie(COOKIE, max_age_days=DAYS)
    return f"anonymous:{value.decode()}" if value else ""


def ensure_user_cookie(handler: RequestHandler) -> str:
    """The browser's user identifier, setting the cookie (HttpOnly, SameSite=Lax) when it has none."""
    found = user_cookie(handler)
    if found or not handler.application.settings.get("cookie_secret"):
        return found
    value = secrets.token_urlsafe(18)
    handler.set_signed_cookie(
        COOKIE, value, expires_days=DAYS, httponly=True, samesite="Lax",
        secure=handler.request.protocol == "https",
    )  # fmt: skip
    return f"anonymous:{value}"
