"""The application: its routes and the health check."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

from tests.serving import ECHO, Served


def test_health(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/health") as response:
        assert b'"ok": true' in response.read()
