"""The page and what it loads: the HTML shell with its Content-Security-Policy, the prebuilt frontend's static
files, and the code-highlighting stylesheet."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import logging
import os
import urllib.parse
from typing import TYPE_CHECKING

import tornado.web

from reactchat.handler import Handler
from reactchat.identity import Identity
from reactchat.sign_in_page import refused_html
from reactchat.theme import PageTheme, page_theme
from reactchat.toml_file import FILE

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


@functools.cache
def boot_script() -> str:
    """The page's first script (static/boot.js, built from frontend/src/boot.ts), inline in its head: it opens
    the socket and says hello while app.js still loads, so the session's first run overlaps the page's boot.
    "" when the build has none (the page then connects from app.js alone)."""
    try:
        with open(os.path.join(STATIC_DIR, "boot.js"), encoding="utf-8") as f:
            text = f.read().strip()
    except OSError:
        return ""
    if "</" in text:  # would end the script element early
        raise RuntimeError(f"{STATIC_DIR}/boot.js holds '</': it cannot be inlined in the page")
    return text


@functools.cache
def page_csp() -> str:
    """The page's Content-Security-Policy: scripts from this origin only, and the inline boot script by its
    hash (no other inline script runs)."""
    boot = boot_script()
    digest = base64.b64encode(hashlib.sha256(boot.encode()).digest()).decode()
    return CSP.replace("script-src 'self'", f"script-src 'self' 'sha256-{digest}'") if boot else CSP


PAGE = """<!doctype html>
<html lang="en"{mode}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{boot}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_rc/static/app.css?v={css}">{theme}
</head><body><div id="rc-root"{account}></div>
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

    def refuse(self) -> None:
        # Not signed in: the sign-in page (password, OpenID), or a 401 page when only a proxy can sign in.
        if self.gate.auth.mode == "header":
            self.set_status(401)
            self.set_header("Cache-Control", "no-store")
            self.finish(refused_page(self.script, "Sign in first", REFUSED_HEADER))
            raise tornado.web.Finish()
        self.redirect("/_rc/sign-in?" + urllib.parse.urlencode({"next": self.request.uri or "/"}))
        raise tornado.web.Finish()

    def get(self, conversation_id: str | None = None) -> None:
        who = self.identity or self.gate.who(self, set_cookie=True)
        if conversation_id is not None and (
            self.store is None
            or who is None
            or self.store.get(self.store.user(who.id, provider=who.provider), conversation_id) is None
        ):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Security-Policy", page_csp())
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the upload requests echo back
        title = os.path.splitext(os.path.basename(self.script.path))[0]
        theme = script_theme(self.script)
        self.write(
            PAGE.format(
                title=html.escape(title),
                boot=f"\n<script>{boot_script()}</script>" if boot_script() else "",
                css=asset_version("app.css"),
                js=asset_version("app.js"),
                # The theme of reactchat.toml: linked, never inlined, so its CSS is never read as HTML.
                theme=f'\n<link rel="stylesheet" href="/_rc/theme.css?v={theme.version}">' if theme else "",
                mode=f' data-mode="{theme.mode}"' if theme and theme.mode != "auto" else "",
                account=account_attribute(self.gate.auth.mode, who),
            )
        )

    def head(self, conversation_id: str | None = None) -> None:
        # Health checks and link checkers ask with HEAD: the same answer as GET, without the body (Tornado
        # leaves it out).
        self.get(conversation_id)


REFUSED_HEADER = (
    "This app signs you in through your organisation's sign-in proxy, and this request did not come"
    " through it. Open the app at its usual address."
)


def theme_parts(script: Script) -> dict[str, str | None]:
    """The stylesheet links and mode of a page in the app's look (the sign-in page, a refusal)."""
    theme = script_theme(script)
    return {
        "css_href": f"/_rc/static/app.css?v={asset_version('app.css')}",
        "theme_href": f"/_rc/theme.css?v={theme.version}" if theme else None,
        "mode_attr": f' data-mode="{theme.mode}"' if theme and theme.mode != "auto" else "",
    }


def refused_page(script: Script, heading: str, message: str) -> str:
    """A page in the app's look saying why the visitor cannot come in."""
    return refused_html(
        title=os.path.splitext(os.path.basename(script.path))[0], heading=heading, message=message,
        **theme_parts(script),  # type: ignore[arg-type]
    )  # fmt: skip


def account_attribute(mode: str, who: Identity | None) -> str:
    """The root's ``data-account`` (who is signed in, where to sign in or out) for the sidebar's account
    block; "" when the app has no sign-in."""
    if mode == "none":
        return ""
    signed_in = who is not None and not who.anonymous
    account = {
        "user": {"name": who.name or who.email or who.id, "email": who.email} if signed_in and who else None,
        # A proxy's users sign in and out at the proxy.
        "signIn": "/_rc/sign-in" if not signed_in and mode != "header" else None,
        "signOut": "/_rc/sign-out" if signed_in and mode != "header" else None,
    }
    return f' data-account="{html.escape(json.dumps(account), quote=True)}"'


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

    open_to_all = True  # the sign-in page wears the theme too

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

    open_to_all = True

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

    open_to_all = True  # the app's own files: the sign-in page uses its stylesheet

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
