"""The page and what it loads: the HTML shell with its Content-Security-Policy, the prebuilt frontend's static
files, and the code-highlighting stylesheet."""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
from typing import TYPE_CHECKING

import tornado.web

from reactchat.handler import Handler
from reactchat.identity import ensure_user_cookie
from reactchat.theme import FILE, PageTheme, page_theme

if TYPE_CHECKING:
    from reactchat.config import Config
    from reactchat.runner import Script
    from reactchat.store import Store

log = logging.getLogger("reactchat")

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # sanitised markdown keeps text-align styles on table cells
        "img-src 'self' data: blob: https: http:",
        "media-src 'self' blob: https: http:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",  # and X-Frame-Options: DENY (Handler) for older browsers: nothing frames us
    ]
)

PAGE = """<!doctype html>
<html lang="en"{mode}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_rc/static/app.css?v={css}">{theme}
</head><body><div id="rc-root"></div>
<script type="module" src="/_rc/static/app.js?v={js}"></script>
</body></html>
"""


@functools.cache
def asset_version(name: str) -> str:
    """A short content hash of a file in the static folder, for cache-busting URLs ("missing" if absent)."""
    try:
        with open(os.path.join(STATIC_DIR, name), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "missing"


class PageHandler(Handler):
    """``/`` and ``/c/<id>``: the HTML shell, titled after the script, which loads the frontend and sets the
    XSRF cookie and the browser's user cookie. ``/c/<id>`` answers 404 unless the conversation is the
    browser's own."""

    def initialize(self, config: Config, script: Script, store: Store | None = None) -> None:
        self.config = config
        self.script = script
        self.store = store

    def get(self, conversation_id: str | None = None) -> None:
        user = ensure_user_cookie(self)
        if conversation_id is not None and (
            self.store is None or not user or self.store.get(self.store.user(user), conversation_id) is None
        ):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the upload requests echo back
        title = os.path.splitext(os.path.basename(self.script.path))[0]
        theme = script_theme(self.script)
        self.write(
            PAGE.format(
                title=html.escape(title),
                css=asset_version("app.css"),
                js=asset_version("app.js"),
                # The theme of reactchat.toml: linked, never inlined, so its CSS is never read as HTML.
                theme=f'\n<link rel="stylesheet" href="/_rc/theme.css?v={theme.version}">' if theme else "",
                mode=f' data-mode="{theme.mode}"' if theme and theme.mode != "auto" else "",
            )
        )

    def head(self, conversation_id: str | None = None) -> None:
        # Health checks and link checkers ask with HEAD: the same answer as GET, without the body (Tornado
        # leaves it out).
        self.get(conversation_id)


def script_theme(script: Script) -> PageTheme | None:
    """The theme of the ``reactchat.toml`` beside the script; one that cannot be read is logged (naming the
    file and the bad value) and left out, so the app still serves."""
    try:
        return page_theme(script.path)
    except (ValueError, TypeError) as error:
        log.error("%s is not used: %s", FILE, error)
        return None


class ThemeCssHandler(Handler):
    """``/_rc/theme.css``: the theme of ``reactchat.toml`` as a stylesheet (empty without one)."""

    def initialize(self, config: Config, script: Script) -> None:
        self.config = config
        self.script = script

    def get(self) -> None:
        theme = script_theme(self.script)
        self.set_header("Content-Type", "text/css; charset=utf-8")
        if self.get_query_argument("v", None):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.set_header("Cache-Control", "no-cache")
        self.write(theme.css if theme else "")


class HighlightCssHandler(Handler):
    """``/_rc/highlight.css``: the stylesheet for highlighted code, fetched only when a message has code."""

    def initialize(self, config: Config) -> None:
        self.config = config

    def get(self) -> None:
        from reactchat.highlight import highlight_css

        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.set_header("Cache-Control", "public, max-age=86400")
        self.write(highlight_css())


class StaticHandler(Handler, tornado.web.StaticFileHandler):
    """``/_rc/static/...``: the prebuilt frontend: only files inside reactchat/static, never a client-chosen
    path elsewhere. A versioned URL (``?v=``) is cached for good."""

    def initialize(self, config: Config, path: str, default_filename: str | None = None) -> None:  # type: ignore[override]
        super().initialize(path, default_filename)
        self.config = config

    def parse_url_path(self, url_path: str) -> str:
        # A NUL (``%00``) makes the path checks raise ValueError, which would be a 500; no file has one.
        if "\x00" in url_path:
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(url_path)

    def set_extra_headers(self, path: str) -> None:
        if self.get_query_argument("v", None):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
