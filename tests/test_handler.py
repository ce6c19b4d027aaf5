"""The base of every handler: the Host check and the default security headers."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from tests.serving import ECHO, Served


def test_unknown_host_header_is_refused_on_loopback(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    request = urllib.request.Request(served.url + "/", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 403
