"""The OpenID Connect routes on a real Tornado server, a browser (urllib with cookies, following redirects)
going to a real OpenID provider started by the test and back."""

from __future__ import annotations

import asyncio
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import tornado.httpserver
import tornado.testing
import tornado.web
from tornado.ioloop import IOLoop

from reactchat.config import Config
from reactchat.handler import Handler
from reactchat.oidc import OidcSettings, Provider
from reactchat.oidc_route import CALLBACK_PATH, COOKIE, OidcCallbackHandler, OidcLoginHandler
from tests.oidc_provider import OidcProvider

SECRET = "a secret both processes share"


class Landing(tornado.web.RequestHandler):
    def get(self, path: str) -> None:
        self.write(f"landed on {self.request.uri}")


class Site:
    """The two routes on a Tornado server in a thread; ``signed_in`` records each call of ``complete``."""

    def __init__(
        self, provider: OidcProvider, client_id: str, secret: str, public: str | None = None
    ) -> None:
        self.signed_in: list[tuple[str, dict[str, Any], str]] = []
        self.public = public
        self.rp = Provider(OidcSettings(provider.issuer, client_id, secret))
        sock, self.port = tornado.testing.bind_unused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            self.loop = IOLoop.current()
            routes = {"config": Config(), "provider": self.rp, "public_url": self.public_url}
            app = tornado.web.Application(
                [
                    (r"/_rc/oidc/login", OidcLoginHandler, routes),
                    (r"/_rc/oidc/callback", OidcCallbackHandler, {**routes, "complete": self.complete}),
                    (r"/(.*)", Landing),
                ],
                cookie_secret=SECRET,
            )
            self.server = tornado.httpserver.HTTPServer(app)
            self.server.add_sockets([sock])
            ready.set()
            self.loop.start()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def public_url(self, handler: Handler) -> str:
        return self.public or self.url

    def complete(self, handler: Handler, identifier: str, claims: dict[str, Any], next_path: str) -> None:
        self.signed_in.append((identifier, claims, next_path))
        handler.redirect(next_path)

    def close(self) -> None:
        def stop() -> None:
            self.server.stop()
            self.loop.stop()

        self.loop.add_callback(stop)
        self.thread.join(5)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


class Browser:
    """Cookies, and two ways to open a URL: following redirects, or stopping at the first one."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.stop = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def redirected(self, url: str) -> tuple[str, Any]:
        """Where ``url`` redirects to, and the answer's headers."""
        with pytest.raises(urllib.error.HTTPError) as answer:
            self.stop.open(url)
        assert answer.value.code == 302, answer.value.read()
        return answer.value.headers["Location"], answer.value.headers

    def get(self, url: str) -> tuple[int, str]:
        """The status and text at the end of ``url``'s redirects."""
        try:
            with self.follow.open(url) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == name), None)


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as started:
        yield started


@pytest.fixture
def sites(provider: OidcProvider) -> Iterator[list[Site]]:
    started: list[Site] = []
    yield started
    for site in started:
        site.close()


def site(provider: OidcProvider, sites: list[Site], public: str | None = None) -> Site:
    """A site whose client is registered at the provider with its callback."""
    first = Site(provider, "", "", public)
    client_id, secret = provider.register((public or first.url) + CALLBACK_PATH)
    first.rp.settings = OidcSettings(provider.issuer, client_id, secret)
    sites.append(first)
    return first


def test_a_whole_login_lands_on_next(provider: OidcProvider, sites: list[Site]) -> None:
    app = site(provider, sites)
    provider.set_user("ann", {"email": "ann@example.com", "name": "Ann"})
    browser = Browser()
    to_provider, headers = browser.redirected(f"{app.url}/_rc/oidc/login?next=/c/42%3Fq%3D1")
    assert to_provider.startswith(provider.issuer + "/oauth2/authorize?")
    sent = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(to_provider).query))
    assert sent["redirect_uri"] == app.url + CALLBACK_PATH
    set_cookie = headers["Set-Cookie"]
    assert set_cookie.startswith(f"{COOKIE}=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Max-Age=600" in set_cookie and "Path=/_rc/oidc/" in set_cookie and "Secure" not in set_cookie
    assert len(set_cookie) < 1024 and "no-store" in headers["Cache-Control"]
    callback = provider.authorize(to_provider, "ann")
    assert callback.startswith(app.url + CALLBACK_PATH + "?")
    assert browser.get(callback) == (200, "landed on /c/42?q=1")
    [(identifier, claims, next_path)] = app.signed_in
    assert identifier == f"oidc:{provider.issuer}|ann" and next_path == "/c/42?q=1"
    assert claims["email"] == "ann@example.com" and claims["name"] == "Ann"
    assert browser.cookie(COOKIE) is None  # used once
    # The same answer again (a replay, or the back button): refused, and no second sign-in.
    status, page = browser.get(callback)
    assert status == 400 and "no sign-in in progress" in page and len(app.signed_in) == 1


def test_a_login_begun_on_one_process_finishes_on_another(provider: OidcProvider, sites: list[Site]) -> None:
    one = site(provider, sites)
    # Another process of the same app behind the same public address (a load balancer): its own Provider,
    # nothing shared but the cookie secret.
    other = Site(provider, one.rp.settings.client_id, one.rp.settings.client_secret, public=one.url)
    sites.append(other)
    browser = Browser()
    to_provider, _ = browser.redirected(f"{one.url}/_rc/oidc/login?next=/here")
    callback = provider.authorize(to_provider, "bob")
    assert browser.get(callback.replace(one.url, other.url)) == (200, "landed on /here")
    assert [s[0] for s in other.signed_in] == [f"oidc:{provider.issuer}|bob"] and one.signed_in == []


def test_a_forged_or_missing_cookie_is_refused(provider: OidcProvider, sites: list[Site]) -> None:
    app = site(provider, sites)
    browser = Browser()
    to_provider, _ = browser.redirected(f"{app.url}/_rc/oidc/login")
    callback = provider.authorize(to_provider, "ann")
    signed = browser.cookie(COOKIE)
    assert signed is not None
    raw = signed.value.strip('"')  # Tornado quotes it (it holds "=")
    payload = tornado.web.decode_signed_value(SECRET, COOKIE, raw)
    assert payload is not None
    other_cookie = tornado.web.create_signed_value(SECRET, "rc_user", payload).decode()  # other name
    malformed = tornado.web.create_signed_value(SECRET, COOKIE, "3").decode()
    changed = raw[:-1] + ("0" if raw[-1] != "0" else "1")
    # An unsigned value, a changed signature, another cookie's signed value, a signed value not ours, nothing.
    for value in ['["/", "e30"]', changed, other_cookie, malformed, ""]:
        signed.value = value
        browser.jar.set_cookie(signed)
        status, page = browser.get(callback)
        assert status == 400 and "no sign-in in progress" in page, page
    stranger = Browser()  # the same answer in a browser that began no login
    status, page = stranger.get(callback)
    assert status == 400 and 'data-testid="sign-in-error"' in page and 'href="login?next=%2F"' in page
    assert app.signed_in == []


def test_an_answer_meant_for_another_browser_is_refused(provider: OidcProvider, sites: list[Site]) -> None:
    app = site(provider, sites)
    victim, attacker = Browser(), Browser()
    attacker_url, _ = attacker.redirected(f"{app.url}/_rc/oidc/login")
    victim.redirected(f"{app.url}/_rc/oidc/login")  # the victim has a login of their own in progress
    # The attacker's code, planted in the victim's browser (login CSRF): the state is not the victim's.
    status, page = victim.get(provider.authorize(attacker_url, "attacker"))
    assert status == 400 and "state does not match" in page and app.signed_in == []


def test_the_provider_s_refusal_is_shown_escaped(provider: OidcProvider, sites: list[Site]) -> None:
    app = site(provider, sites)
    browser = Browser()
    to_provider, _ = browser.redirected(f"{app.url}/_rc/oidc/login?next=/x")
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(to_provider).query))["state"]
    refusal = urllib.parse.urlencode(
        {"state": state, "error": "access_denied", "error_description": "<script>alert(1)</script>"}
    )
    status, page = browser.get(f"{app.url}{CALLBACK_PATH}?{refusal}")
    assert status == 400 and "access_denied: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page and 'href="login?next=%2Fx"' in page and app.signed_in == []


def test_an_unreachable_provider_is_a_502_naming_it(provider: OidcProvider, sites: list[Site]) -> None:
    app = site(provider, sites)
    app.rp.settings = OidcSettings(provider.issuer + "/nothing", "id", "secret")
    status, page = Browser().get(f"{app.url}/_rc/oidc/login")
    assert status == 502 and f"{provider.issuer}/nothing/.well-known/openid-configuration" in page


def test_behind_an_https_proxy_the_cookie_is_secure_and_the_callback_public(
    provider: OidcProvider, sites: list[Site]
) -> None:
    app = site(provider, sites, public="https://chat.example/team/")
    to_provider, headers = Browser().redirected(f"{app.url}/_rc/oidc/login")
    sent = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(to_provider).query))
    assert sent["redirect_uri"] == "https://chat.example/team/_rc/oidc/callback"
    assert "Secure" in headers["Set-Cookie"] and "Path=/team/_rc/oidc/" in headers["Set-Cookie"]
