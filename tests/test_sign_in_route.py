"""Signing in with a password and out again, over real HTTP against a real server and store."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.config import Auth
from reactchat.passwords import MAX_FAILURES, hash_password
from reactchat.sign_in_route import WRONG
from reactchat.store import open_store
from tests.serving import wait_for
from tests.signing import PASSWORD, Visitor, add_user

APP = """
    import reactchat as rc
    rc.chat_input()
"""


@pytest.fixture
def app(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> tuple[str, str]:
    """A password app's URL and its store's URL (alice and bob can sign in)."""
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "alice")
    add_user(store, "bob")
    served = serve(write_app(APP), auth=Auth(mode="password"), store=store)
    return served.url, store


def test_the_page_redirects_to_the_sign_in_page_and_back(app: tuple[str, str]) -> None:
    url, _ = app
    visitor = Visitor(url)
    status, headers, _ = visitor.get("/?x=1", follow=False)
    assert status == 302 and headers["Location"] == "/_rc/sign-in?next=%2F%3Fx%3D1"
    status, headers, body = visitor.get("/_rc/sign-in?next=%2F%3Fx%3D1")
    assert status == 200 and 'data-testid="sign-in-form"' in body and 'value="/?x=1"' in body
    assert "form-action 'self'" in headers["Content-Security-Policy"]
    assert "sign-in-error" not in body
    status, headers, _ = visitor.sign_in("alice", next_path="/?x=1")
    assert status == 302 and headers["Location"] == "/?x=1"
    session = next(c for c in visitor.jar if c.name == "rc_session")
    assert session.has_nonstandard_attr("HttpOnly") and not session.secure
    status, _, body = visitor.get("/", follow=False)
    assert status == 200 and "&quot;name&quot;: &quot;alice&quot;" in body
    assert visitor.get("/_rc/sign-in", follow=False)[1]["Location"] == "/"  # already in


def without_token(body: str) -> str:
    return re.sub(r'name="_xsrf" value="[^"]*"', "", body)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app: tuple[str, str]) -> None:
    url, _ = app
    wrong = Visitor(url).sign_in("alice", "not it")
    unknown = Visitor(url).sign_in("zed", "not it")
    assert wrong[0] == unknown[0] == 401
    assert WRONG in wrong[2] and WRONG in unknown[2]
    assert without_token(wrong[2]).replace("alice", "zed") == without_token(unknown[2])
    assert 'data-testid="sign-in-error"' in wrong[2] and 'value="alice"' in wrong[2]  # the name is kept


def test_next_never_leads_elsewhere(app: tuple[str, str]) -> None:
    url, _ = app
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        status, headers, _ = Visitor(url).sign_in("alice", next_path=target)
        assert (status, headers["Location"]) == (302, "/")


def test_sign_in_needs_the_xsrf_token(app: tuple[str, str]) -> None:
    url, _ = app
    status, _, _ = Visitor(url).post("/_rc/sign-in", {"username": "alice", "password": PASSWORD}, xsrf=False)
    assert status == 403


def test_failed_attempts_are_limited_per_user_and_per_address(app: tuple[str, str]) -> None:
    url, _ = app
    for _ in range(MAX_FAILURES):
        assert Visitor(url).sign_in("alice", "guess")[0] == 401
    status, headers, body = Visitor(url).sign_in("alice")  # even the right password, for now
    assert status == 429 and int(headers["Retry-After"]) > 0 and "Too many failed attempts" in body
    # This address has used its guesses too: another user's sign-in from it waits as well.
    assert Visitor(url).sign_in("bob")[0] == 429


def test_sign_out_and_sign_out_everywhere(app: tuple[str, str]) -> None:
    url, _ = app
    laptop, phone, tablet = Visitor(url), Visitor(url), Visitor(url)
    for visitor in (laptop, phone, tablet):
        assert visitor.sign_in("alice")[0] == 302
    assert laptop.post("/_rc/sign-out", {})[0] == 204
    assert laptop.get("/", follow=False)[0] == 302
    assert phone.get("/", follow=False)[0] == 200  # only the laptop signed out
    assert phone.post("/_rc/sign-out", {"everywhere": "1"})[0] == 204
    assert tablet.get("/", follow=False)[0] == 302


def test_a_new_password_or_removal_ends_sign_ins(app: tuple[str, str]) -> None:
    url, store_url = app
    visitor = Visitor(url)
    visitor.sign_in("bob")
    with open_store(store_url) as store:
        store.set_password("password:bob", hash_password("new one"))
    # Another process changed it: this one notices within the account cache's lifetime.
    wait_for(lambda: visitor.get("/", follow=False)[0] == 302)
    assert visitor.sign_in("bob", "new one")[0] == 302
    with open_store(store_url) as store:
        store.set_password("password:bob", None)
    wait_for(lambda: visitor.get("/", follow=False)[0] == 302)
    assert visitor.sign_in("bob", "new one")[0] == 401


def test_the_sign_in_page_is_not_there_without_password_or_oidc(
    serve: Callable[..., Any], write_app: Callable[[str], str]
) -> None:
    served = serve(write_app(APP))
    assert Visitor(served.url).get("/_rc/sign-in")[0] == 404


def test_behind_a_trusted_https_proxy_the_cookie_is_secure(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "alice")
    served = serve(write_app(APP), auth=Auth(mode="password", trusted_proxies=("127.0.0.1",)), store=store)
    visitor = Visitor(served.url)
    status, headers, _ = visitor.post(
        "/_rc/sign-in", {"username": "alice", "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 302
    assert "secure" in headers["Set-Cookie"].lower() and "rc_session=" in headers["Set-Cookie"]
    plain = Visitor(served.url).post("/_rc/sign-in", {"username": "alice", "password": PASSWORD})
    assert "secure" not in plain[1]["Set-Cookie"].lower()


def test_openid_connect_through_the_served_app(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    from tests.oidc_provider import OidcProvider

    with OidcProvider(registration=False) as provider:
        provider.set_user(
            "bo", {"email": "bo@example.com", "email_verified": True, "name": "Bo", "team": "red"}
        )
        auth = Auth(mode="oidc", oidc_issuer=provider.issuer, oidc_client_id="app", oidc_client_secret="x")
        served = serve(write_app(APP), auth=auth, store=f"sqlite:///{tmp_path}/chats.db")
        visitor = Visitor(served.url)
        status, _, page = visitor.get("/_rc/sign-in?next=%2Fc%2Fabc")
        assert status == 200 and 'data-testid="sign-in-oidc"' in page and "sign-in-password" not in page
        assert "/_rc/oidc/login?next=%2Fc%2Fabc" in page
        assert (
            visitor.post("/_rc/sign-in", {"username": "bo", "password": "x"})[0] == 405
        )  # no passwords here
        status, headers, _ = visitor.get("/_rc/oidc/login?next=%2F", follow=False)
        assert status == 302 and headers["Location"].startswith(provider.issuer)
        callback = provider.authorize(headers["Location"], "bo")
        assert callback.startswith(served.url + "/_rc/oidc/callback?")
        status, headers, _ = visitor.get(callback[len(served.url) :], follow=False)
        assert (status, headers["Location"]) == (302, "/")
        status, _, page = visitor.get("/", follow=False)
        assert status == 200 and "&quot;name&quot;: &quot;Bo&quot;" in page
        with open_store(f"sqlite:///{tmp_path}/chats.db") as store:
            account = store.account(f"oidc:{provider.issuer}|bo")
            assert account is not None and account.user.email == "bo@example.com"
            assert (account.user.claims or {}).get("team") == "red"


def test_an_overlong_user_name_is_a_wrong_one(app: tuple[str, str]) -> None:
    url, _ = app
    status, _, body = Visitor(url).sign_in("a" * 100_000)
    assert status == 401 and WRONG in body and "a" * 66 not in body  # kept short, even in the refilled field
