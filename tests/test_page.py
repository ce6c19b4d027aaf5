"""The page, the static files of the frontend and the highlighting stylesheet."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from reactchat.page import STATIC_DIR, asset_version
from tests.serving import ECHO, Served


def test_page_has_csp_and_one_inline_script_allowed_by_its_hash(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/") as response:
        body = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    scripts = csp.split("script-src")[1].split(";")[0].split()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert '<script type="module" src="/_rc/static/app.js?v=' in body
    inline = re.findall(r"<script>(.*?)</script>", body, re.DOTALL)
    with open(os.path.join(STATIC_DIR, "boot.js"), encoding="utf-8") as f:
        assert inline == [f.read().strip()]  # the boot script, built from frontend/src/boot.ts
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert scripts == ["'self'", f"'sha256-{digest}'"]  # no 'unsafe-inline': no other inline script runs
    assert "frame-ancestors 'none'" in csp  # as X-Frame-Options: DENY says (tests/test_handler.py)


def test_static_files_and_no_path_escape(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/static/app.js") as response:
        assert response.status == 200
    for path in ["/_rc/static/../server.py", "/_rc/static/%2e%2e/server.py", "/_rc/static/..%2fserver.py"]:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served.url + path)
        assert err.value.code in (403, 404)


@pytest.mark.parametrize("path", ["app.js%00.py", "%00", "app.js%00"])
def test_a_nul_in_a_static_path_is_a_404(serve: Callable[..., Served], path: str) -> None:
    served = serve(ECHO)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{served.url}/_rc/static/{path}")
    assert err.value.code == 404  # was a 500 with a traceback in the log


def test_highlight_css(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/_rc/highlight.css") as response:
        css = response.read().decode()
    assert ".highlight .k" in css and "prefers-color-scheme: dark" in css


def test_the_page_is_titled_after_the_script_and_loads_versioned_assets(
    serve: Callable[..., Served], write_app: Callable[..., str]
) -> None:
    served = serve(write_app("import reactchat as rc\n", "my_bot.py"))
    with urllib.request.urlopen(served.url + "/") as response:
        body = response.read().decode()
        assert response.headers["Cache-Control"] == "no-cache"
    assert "<title>my_bot</title>" in body
    version = asset_version("app.js")
    assert f"/_rc/static/app.js?v={version}" in body and version != "missing"
    with urllib.request.urlopen(f"{served.url}/_rc/static/app.js?v={version}") as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with urllib.request.urlopen(f"{served.url}/_rc/static/app.js") as response:
        assert "immutable" not in (response.headers["Cache-Control"] or "")
    assert asset_version("no-such-file.js") == "missing"
