"""The base of every request handler: the Host check against DNS rebinding and the default security headers.

Every route, the WebSocket and the static files included, derives from ``Handler``, so a new route cannot
forget either.
"""

from __future__ import annotations

from typing import Any

import tornado.httputil
import tornado.web

from reactchat.config import Config

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def check_host(request: tornado.httputil.HTTPServerRequest, config: Config) -> None:
    """On a loopback bind, refuse Host headers that are not loopback names (DNS rebinding).

    Raises:
        tornado.web.HTTPError: 403, naming the Host header.
    """
    if config.host not in LOOPBACK_HOSTS:
        return
    host = request.host.lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name not in LOOPBACK_HOSTS:
        raise tornado.web.HTTPError(403, f"unexpected Host header {host!r}")


class Handler(tornado.web.RequestHandler):
    """Checks the Host header before anything else and sends ``nosniff`` and a same-origin referrer policy.

    Subclasses set ``config`` in their ``initialize``, from the objects their route passes them.
    """

    config: Config

    def prepare(self) -> None:
        check_host(self.request, self.config)

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")

    def error_message(self, **kwargs: Any) -> str:
        """For ``write_error``: the ``HTTPError``'s own message when it has one, else the status reason."""
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            return exc.log_message
        return self._reason
