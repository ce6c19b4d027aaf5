"""Who is asking, in every mode of ``--auth``: the ``Gate`` every handler asks, the signed session cookie of a
signed-in user, and the proxies whose headers are believed.

A sign-in is a cookie, never process memory: ``rc_session`` holds the user's identifier and their sign-in
epoch, signed with the store's secret, so any process on the store can check it, a restart signs nobody out,
and raising the epoch in the store signs the user out everywhere. In ``header`` mode the identity is the
header an authenticating proxy sets, believed only when the request comes from one of ``trusted_proxies``,
on every request and every WebSocket connection.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from tornado.httputil import HTTPServerRequest
from tornado.web import RequestHandler

from reactchat.config import Auth
from reactchat.identity import Identity, anonymous, ensure_user_cookie, user_cookie
from reactchat.passwords import Attempts
from reactchat.records import Account
from reactchat.store import Store

__all__ = ["SESSION_COOKIE", "Gate", "local_path", "parse_proxies"]

log = logging.getLogger("reactchat")

SESSION_COOKIE = "rc_session"
ACCOUNT_TTL = 2.0  # seconds an account's epoch is trusted from memory: "sign out everywhere" takes this long
ACCOUNTS_KEPT = 10_000
MAX_HEADER_VALUE = 320  # characters of a proxy's identity header (an email address is at most 254)
MAX_NEXT = 2000  # characters of a sign-in's ``next`` path kept

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: tuple[str, ...] | list[str]) -> tuple[Network, ...]:
    """The networks of ``--trusted-proxy`` values (an address, or a network like ``10.0.0.0/8``).

    Raises:
        ValueError: naming a value that is neither.
    """
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy takes an address or a network (e.g. 127.0.0.1 or 10.0.0.0/8), got {value!r}"
            ) from None
    return tuple(networks)


def local_path(value: str | None) -> str:
    """``value`` when it is a path on this site, else "/": it must start with one "/" (``//host`` and
    ``/\\host`` are other sites to a browser) and hold no backslash or control character."""
    if (
        not value
        or len(value) > MAX_NEXT
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 or ord(c) == 127 for c in value)
    ):
        return "/"
    return value


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class Gate:
    """Answers "who is this request from?" for every route, by the app's ``Auth``; signs users in and out.

    Thread-safe: handlers ask on the loop, the executor checks passwords on its threads.
    """

    def __init__(self, auth: Auth, store: Store | None) -> None:
        self.auth = auth
        self.store = store
        self.proxies = parse_proxies(auth.trusted_proxies)
        self.attempts = Attempts()
        self._accounts: dict[str, tuple[float, Account | None]] = {}
        self._lock = threading.Lock()

    # --- the request's origin, through trusted proxies only

    def trusted(self, request: HTTPServerRequest) -> bool:
        """Whether the request's peer is one of the trusted proxies."""
        ip = _ip(request.remote_ip or "")
        return ip is not None and any(ip in network for network in self.proxies)

    def client_address(self, request: HTTPServerRequest) -> str:
        """The client's address: the peer's, or, behind trusted proxies, the nearest untrusted address of
        ``X-Forwarded-For`` (the left part of that header is whatever the client wrote)."""
        peer = request.remote_ip or ""
        if not self.trusted(request):
            return peer
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        for hop in reversed(hops):
            ip = _ip(hop)
            if ip is None:
                break
            if not any(ip in network for network in self.proxies):
                return str(ip)
        return peer

    def scheme(self, request: HTTPServerRequest) -> str:
        """``https`` or ``http`` as the user's browser sees it (a trusted proxy's ``X-Forwarded-Proto``)."""
        if self.auth.public_url:
            return "https" if self.auth.public_url.startswith("https:") else "http"
        if self.trusted(request):
            forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            if forwarded in ("http", "https"):
                return forwarded
        return request.protocol

    def public_url(self, request: HTTPServerRequest) -> str:
        """Where users reach the app, without a trailing slash: ``--public-url``, else the request's
        scheme and host (a trusted proxy's ``X-Forwarded-Host``)."""
        if self.auth.public_url:
            return self.auth.public_url.rstrip("/")
        host = request.host
        if self.trusted(request):
            host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or host
        return f"{self.scheme(request)}://{host}"

    # --- who is asking

    def who(self, handler: RequestHandler, *, set_cookie: bool = False) -> Identity | None:
        """The identity of ``handler``'s request: the signed-in user, else (when the app lets anonymous
        visitors in) the browser's anonymous identity, else None. ``set_cookie``: give a browser without
        one its anonymous cookie (the page does; other routes only read it)."""
        request = handler.request
        mode = self.auth.mode
        if mode == "header":
            value = request.headers.get(self.auth.header, "").strip()
            if len(value) > MAX_HEADER_VALUE:
                log.warning("%s of %d characters is refused", self.auth.header, len(value))
                value = ""
            if value and self.trusted(request):
                email = value if "@" in value else None
                return Identity(f"header:{value}", "header", name=value, email=email)
            if value:
                log.warning(
                    "%s from %s is ignored: that address is not a --trusted-proxy",
                    self.auth.header, request.remote_ip,
                )  # fmt: skip
        elif mode != "none":
            signed = self.signed_in(handler)
            if signed is not None:
                return signed
        if self.auth.required:
            return None
        if set_cookie:
            found = ensure_user_cookie(handler, secure=self.scheme(request) == "https")
        else:
            found = user_cookie(handler)
        return anonymous(found) if found else None

    def signed_in(self, handler: RequestHandler) -> Identity | None:
        """The user of the request's valid session cookie (its epoch still the user's), else None."""
        if not handler.application.settings.get("cookie_secret"):
            return None
        raw = handler.get_signed_cookie(SESSION_COOKIE, max_age_days=self.auth.session_days)
        if raw is None:
            return None
        try:
            identifier, epoch = json.loads(raw)
        except (ValueError, TypeError):
            return None
        if not isinstance(identifier, str) or not isinstance(epoch, int):
            return None
        account = self.account(identifier)
        if account is None or account.epoch != epoch:
            return None
        if account.user.provider == "password" and account.password_hash is None:
            return None  # removed with `reactchat users remove`
        user = account.user
        return Identity(user.identifier, user.provider, user.name, user.email, user.claims or {})

    def account(self, identifier: str) -> Account | None:
        """The store's account for ``identifier``, remembered for ``ACCOUNT_TTL`` seconds."""
        if self.store is None:
            return None
        now = time.monotonic()
        with self._lock:
            kept = self._accounts.get(identifier)
        if kept is not None and kept[0] > now:
            return kept[1]
        account = self.store.account(identifier)
        with self._lock:
            self._accounts[identifier] = (now + ACCOUNT_TTL, account)
            if len(self._accounts) > ACCOUNTS_KEPT:
                self._accounts = {k: v for k, v in self._accounts.items() if v[0] > now}
        return account

    def forget(self, identifier: str) -> None:
        """Drop the remembered account of ``identifier`` (its epoch or password changed here)."""
        with self._lock:
            self._accounts.pop(identifier, None)

    # --- signing in and out

    def sign_in(
        self,
        handler: RequestHandler,
        identifier: str,
        provider: str,
        *,
        name: str | None = None,
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> Identity:
        """Sign the browser of ``handler`` in as ``identifier``: save the user, give them the browser's
        anonymous conversations, and set the session cookie.

        Raises:
            StoreError: the store cannot be reached. RuntimeError: the app has no store.
        """
        store = self.store
        if store is None or not handler.application.settings.get("cookie_secret"):
            raise RuntimeError("signing in needs a store (it keeps the users and the signing secret)")
        owner = store.user(
            identifier, provider=provider, name=name, email=email, claims=dict(claims) if claims else None
        )
        browser = user_cookie(handler)
        if browser:
            found = store.account(browser)
            if found is not None:
                moved = store.claim(found.user.id, owner)
                if moved:
                    log.info("%s signed in and took %d conversations of their browser", identifier, moved)
        self.forget(identifier)
        account = self.account(identifier)
        epoch = account.epoch if account is not None else 0
        handler.set_signed_cookie(
            SESSION_COOKIE,
            json.dumps([identifier, epoch]),
            expires_days=self.auth.session_days,
            httponly=True,
            samesite="Lax",
            secure=self.scheme(handler.request) == "https",
        )
        kept = account.user if account is not None else None
        return Identity(
            identifier,
            provider,
            kept.name if kept else name,
            kept.email if kept else email,
            dict(claims or {}),
        )

    def sign_out(self, handler: RequestHandler, *, everywhere: bool = False) -> Identity | None:
        """Clear the session cookie; ``everywhere``: also end the user's other sign-ins (every browser,
        every process) by raising their epoch. Returns who was signed in (None: nobody)."""
        signed = self.signed_in(handler)
        handler.clear_cookie(SESSION_COOKIE)
        if everywhere and signed is not None and self.store is not None:
            self.store.raise_epoch(signed.id)
            self.forget(signed.id)
        return signed
