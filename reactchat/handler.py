"""The base of every request handler: the Host check against DNS rebinding and the default security headers.

Every route, the WebSocket and the static files included, derives from ``Handler``, so a new route cannot
forget either.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from typing import Any

import tornado.httputil
import tornado.web
from tornado.log import gen_log

from reactchat.auth import Gate
from reactchat.config import Auth, Config
from reactchat.identity import Identity

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})
RETRY_AFTER = "1"  # seconds, for the refusals that say "busy, try again" (429, 503)


def host_name(header: str) -> str:
    """The name in a Host header: lowercased, without its port, IPv6 brackets or a trailing dot."""
    host = header.strip().lower()
    if host.startswith("["):
        name = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        name = host.split(":", 1)[0]
    else:
        name = host  # a bare IPv6 address (not valid in a Host header, but harmless to compare)
    return name.rstrip(".")


@functools.cache
def machine_names() -> frozenset[str]:
    """The machine's own names (computed once: ``getfqdn`` may ask DNS)."""
    names = {socket.gethostname(), socket.getfqdn()}
    return frozenset(host_name(n) for n in names if n)


def local_address(request: tornado.httputil.HTTPServerRequest) -> str | None:
    """The address of this server the request's connection reached (None when unknown)."""
    sock = getattr(getattr(request.connection, "stream", None), "socket", None)
    try:
        return str(sock.getsockname()[0]) if sock is not None else None
    except OSError:
        return None


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
    return ip


def known_host(name: str, config: Config, reached_at: str | None = None) -> bool:
    """Whether ``name`` (from ``host_name``) is a name this server is really reached by: a loopback name or
    address, the address it was bound to, the machine's own names, the address the connection reached
    (``reached_at``), or one of ``config.allowed_hosts``.

    DNS rebinding needs a name the attacker controls resolving to this server; an IP address, the machine's
    own name or a ``.localhost`` name (browsers resolve those themselves) cannot be one.
    """
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    if name in {host_name(h) for h in config.allowed_hosts}:
        return True
    bound = host_name(config.host)
    if bound not in WILDCARD_BINDS and name == bound:
        return True
    ip = _address(name)
    if ip is None:
        return name in machine_names()
    here = _address(reached_at) if reached_at else None
    return ip.is_loopback or ip == here


def check_host(request: tornado.httputil.HTTPServerRequest, config: Config) -> None:
    """Refuse a Host header that is not a name this server is really reached by (DNS rebinding), on every
    bind: loopback, a single address, or all interfaces.

    Raises:
        tornado.web.HTTPError: 403, naming the Host header and the flag that admits it.
    """
    name = host_name(request.host)
    if not known_host(name, config, local_address(request)):
        raise tornado.web.HTTPError(
            403,
            f"unexpected Host header {request.host.lower()!r}; if this server is reached by that name, "
            f"serve it with --allowed-host {name}",
        )


class Handler(tornado.web.RequestHandler):
    """Checks the Host header before anything else, then who is asking (``identity``), and sends
    ``nosniff``, a same-origin referrer policy and ``X-Frame-Options: DENY`` (for browsers older than CSP's
    ``frame-ancestors``).

    Subclasses set ``config`` in their ``initialize``, from the objects their route passes them. A route
    open to everyone (static files, the sign-in page, the health check) sets ``open_to_all``; any other
    refuses a visitor the app does not let in (``refuse``), so a new route cannot forget to.
    """

    config: Config
    open_to_all = False
    identity: Identity | None = None  # who is asking (after prepare); None: nobody the app knows

    @property
    def gate(self) -> Gate:
        """The app's ``Gate`` (an app served without one lets everyone in anonymously)."""
        gate = self.application.settings.get("gate")
        if gate is None:
            gate = self.application.settings["gate"] = Gate(Auth(), None)
        return gate

    def prepare(self) -> None:
        check_host(self.request, self.config)
        if self.open_to_all:
            return
        self.identity = self.gate.who(self)
        if self.identity is None and self.gate.auth.required:
            self.refuse()

    def refuse(self) -> None:
        """A visitor the app does not let in asked: a 401 (the page redirects to the sign-in page instead)."""
        raise tornado.web.HTTPError(401, "sign in first")

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("X-Frame-Options", "DENY")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Plain text naming what was wrong (e.g. the Host header and the flag that admits it), never a
        # traceback; the API and the upload route answer JSON instead.
        self.retry_later(status_code)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: {self.error_message(**kwargs)}\n")

    def error_message(self, **kwargs: Any) -> str:
        """For ``write_error``: the ``HTTPError``'s own message when it has one, else the status reason."""
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            return exc.log_message % exc.args if exc.args else exc.log_message
        return self._reason

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            # Tornado uses the message as a format string: one holding a client's "%" (a Host header, a
            # file name) would break the log line.
            message = self.error_message(exc_info=(typ, value, tb))
            gen_log.warning("%d %s: %s", value.status_code, self._request_summary(), message)
            return
        super().log_exception(typ, value, tb)

    def retry_later(self, status_code: int) -> None:
        """For ``write_error``: a refusal that means "busy now" tells the client when to try again
        (``send_error`` clears headers set before it, so this is set while writing the error)."""
        if status_code in (429, 503):
            self.set_header("Retry-After", RETRY_AFTER)
