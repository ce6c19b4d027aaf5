"""The sign-in pages and the account block in Chromium, against a small stand-in server (plain Tornado, with
its own XSRF checks and the page's CSP): the sign-in form posts under ``form-action 'self'``, sign-out sends
the XSRF header, the sign-in link comes back to the page, and a socket closed with 4401 reloads the page once
and no more. The real server's routes are tested end to end by the sign-in tests; this pins the browser's
half of the contract (``data-account``, the test ids, close code 4401)."""

from __future__ import annotations

import asyncio
import html
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import tornado.web
import tornado.websocket
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.testing import bind_unused_port

from reactchat.page import CSP, STATIC_DIR
from reactchat.sign_in_page import sign_in_html
from tests.serving import wait_for

pytestmark = pytest.mark.browser

SIGN_IN_CSP = CSP.replace("form-action 'none'", "form-action 'self'")


@dataclass
class World:
    """What the stand-in server knows: who is signed in, whether it refuses sockets, what it was asked."""

    user: str | None = "Ada"
    allow_anonymous: bool = False
    refuse_sockets: bool = False
    page_loads: int = 0
    sockets: int = 0
    sign_outs: int = 0
    sign_ins: list[str] = field(default_factory=list)
    open_sockets: list[Socket] = field(default_factory=list)
    loop: IOLoop | None = None

    def end_session(self) -> None:
        """Sign the user out on the server and close their sockets as the server does: with 4401."""

        def end() -> None:
            self.user = None
            for socket in self.open_sockets:
                socket.close(4401, "signed out")

        assert self.loop is not None
        self.loop.add_callback(end)


class Base(tornado.web.RequestHandler):
    def initialize(self, world: World) -> None:
        self.world = world


class AppPage(Base):
    def get(self, _conversation: str | None = None) -> None:
        self.world.page_loads += 1
        user = self.world.user
        if user is None and not self.world.allow_anonymous:
            self.redirect("/_rc/sign-in?next=" + urllib.parse.quote(self.request.path, safe=""))
            return
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie that sign-out echoes
        account = {
            "user": {"name": user, "email": f"{user.lower()}@example.com"} if user else None,
            "signIn": "/_rc/sign-in",
            "signOut": "/_rc/sign-out",
        }
        self.set_header("Content-Security-Policy", CSP)
        self.write(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            '<link rel="stylesheet" href="/_rc/static/app.css"></head>'
            f'<body><div id="rc-root" data-account="{html.escape(json.dumps(account))}"></div>'
            '<script type="module" src="/_rc/static/app.js"></script></body></html>'
        )


class SignIn(Base):
    def page(self, error: str | None = None) -> None:
        self.set_header("Content-Security-Policy", SIGN_IN_CSP)
        self.write(
            sign_in_html(
                title="t",
                css_href="/_rc/static/app.css",
                theme_href=None,
                mode_attr="",
                xsrf_input=self.xsrf_form_html(),
                username=self.get_argument("username", ""),
                error=error,
                next_path=self.get_argument("next", "/"),
            )
        )

    def get(self) -> None:
        self.page()

    def post(self) -> None:  # Tornado has checked the _xsrf field against the cookie before this runs
        name = self.get_body_argument("username")
        if self.get_body_argument("password") != "secret":
            self.page("Wrong username or password.")
            return
        self.world.sign_ins.append(name)
        self.world.user = name
        self.redirect(self.get_body_argument("next"))


class SignOut(Base):
    def post(self) -> None:  # and the X-Xsrftoken header here
        self.world.sign_outs += 1
        self.world.user = None
        self.set_status(204)


class Socket(tornado.websocket.WebSocketHandler):
    def initialize(self, world: World) -> None:
        self.world = world

    def open(self) -> None:
        self.world.sockets += 1
        if self.world.refuse_sockets or self.world.user is None:
            self.close(4401, "sign-in required")
        else:
            self.world.open_sockets.append(self)

    def on_close(self) -> None:
        if self in self.world.open_sockets:
            self.world.open_sockets.remove(self)


@pytest.fixture
def stand_in() -> Iterator[tuple[str, World]]:
    world = World()
    ready = threading.Event()
    box: dict[str, Any] = {}

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application(
            [
                (r"/", AppPage, {"world": world}),
                (r"/c/([\w-]+)", AppPage, {"world": world}),
                (r"/_rc/sign-in", SignIn, {"world": world}),
                (r"/_rc/sign-out", SignOut, {"world": world}),
                (r"/_rc/ws", Socket, {"world": world}),
                (r"/_rc/static/(.*)", tornado.web.StaticFileHandler, {"path": STATIC_DIR}),
            ],
            xsrf_cookies=True,
            cookie_secret="test",
        )
        sock, box["port"] = bind_unused_port()
        box["server"] = server = HTTPServer(app)
        server.add_sockets([sock])
        box["loop"] = world.loop = IOLoop.current()
        ready.set()
        box["loop"].start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10), "the stand-in server did not start"
    yield f"http://127.0.0.1:{box['port']}", world

    def stop() -> None:
        box["server"].stop()
        box["loop"].stop()

    box["loop"].add_callback(stop)
    thread.join(10)


def test_sign_out_then_in_again(page: Any, stand_in: tuple[str, World]) -> None:
    from playwright.sync_api import expect

    url, world = stand_in
    page.goto(url + "/c/abc")
    expect(page.locator('[data-testid="user"]')).to_have_text("Ada")
    expect(page.locator('[data-testid="user"]')).to_have_attribute("title", "ada@example.com")
    page.locator('[data-testid="sign-out"]').click()
    # The POST passed Tornado's XSRF check (a 403 otherwise), and the start page sent us to sign in.
    expect(page.locator('[data-testid="sign-in-form"]')).to_be_visible()
    assert world.sign_outs == 1
    expect(page.locator('[data-testid="sign-in-username"]')).to_be_focused()
    page.locator('[data-testid="sign-in-username"]').fill("Grace")
    page.locator('[data-testid="sign-in-password"]').fill("wrong")
    page.locator('[data-testid="sign-in-submit"]').click()
    expect(page.locator('[data-testid="sign-in-error"]')).to_have_text("Wrong username or password.")
    expect(page.locator('[data-testid="sign-in-username"]')).to_have_value("Grace")
    page.locator('[data-testid="sign-in-password"]').fill("secret")
    page.locator('[data-testid="sign-in-submit"]').click()
    expect(page.locator('[data-testid="user"]')).to_have_text("Grace")
    assert world.sign_ins == ["Grace"]


def test_an_anonymous_visitor_signs_in_from_the_sidebar_and_comes_back(
    page: Any, stand_in: tuple[str, World]
) -> None:
    from playwright.sync_api import expect

    url, world = stand_in
    world.user = None
    world.allow_anonymous = True
    page.goto(url + "/c/abc")
    expect(page.locator('[data-testid="user"]')).to_have_count(0)
    page.locator('[data-testid="sign-in"]').click()
    page.locator('[data-testid="sign-in-username"]').fill("Ada")
    page.locator('[data-testid="sign-in-password"]').fill("secret")
    page.locator('[data-testid="sign-in-submit"]').click()
    expect(page.locator('[data-testid="user"]')).to_have_text("Ada")
    assert urllib.parse.urlsplit(page.url).path == "/c/abc"


def test_a_socket_closed_for_sign_in_reloads_the_page_once(page: Any, stand_in: tuple[str, World]) -> None:
    from playwright.sync_api import expect

    url, world = stand_in
    world.refuse_sockets = True  # the page is served, its socket refused: a reload cannot help
    page.goto(url + "/")
    wait_for(lambda: world.sockets == 2)
    expect(page.locator(".rc-conn")).to_have_text("Signed out — reload the page to sign in.")
    assert (world.page_loads, world.sockets) == (2, 2), "one reload, then it stays put"
    expect(page.locator('[data-testid="user"]')).to_have_text("Ada")


def test_a_session_that_ends_goes_to_the_sign_in_page(page: Any, stand_in: tuple[str, World]) -> None:
    from playwright.sync_api import expect

    url, world = stand_in
    page.goto(url + "/c/abc")
    expect(page.locator('[data-testid="user"]')).to_have_text("Ada")
    wait_for(lambda: len(world.open_sockets) == 1)
    world.end_session()  # signed out elsewhere: the server closes the socket with 4401
    expect(page.locator('[data-testid="sign-in-form"]')).to_be_visible()
    assert page.locator('input[name="next"]').get_attribute("value") == "/c/abc"
