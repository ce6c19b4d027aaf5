"""Sign-in in Chromium: the password page, the app as the signed-in user, sign-out; an anonymous visitor
who signs in from the sidebar keeps what they wrote; and two users who never see each other's chats."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from reactchat.config import Auth
from tests.browser.ui import APP, ASSISTANT, EXAMPLES, USER, contents, open_app, send
from tests.signing import PASSWORD, add_user

FORM = '[data-testid="sign-in-form"]'
ITEM = '[data-testid="conversation"]'


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.locator('[data-testid="sign-in-username"]').fill(name)
    page.locator('[data-testid="sign-in-password"]').fill(password)
    page.locator('[data-testid="sign-in-submit"]').click()


def test_password_sign_in_and_out(page: Page, serve: Callable[..., Any], tmp_path: Any) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "alice")
    served = serve(str(EXAMPLES / "conversations.py"), store=store, auth=Auth(mode="password"))
    page.goto(served.url)
    expect(page.locator(FORM)).to_be_visible()
    sign_in(page, "alice", "wrong")
    expect(page.locator('[data-testid="sign-in-error"]')).to_contain_text("Wrong user name or password")
    expect(page.locator('[data-testid="sign-in-username"]')).to_have_value("alice")
    sign_in(page, "alice")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(page.locator('[data-testid="user"]')).to_contain_text("alice")
    send(page, "only for alice")
    expect(page.locator(ASSISTANT)).to_contain_text("only for alice")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    address = page.url
    page.locator('[data-testid="sign-out"]').click()
    expect(page.locator(FORM)).to_be_visible()
    page.goto(address)  # the conversation's address, signed out: the sign-in page, then back to it
    expect(page.locator(FORM)).to_be_visible()
    sign_in(page, "alice")
    expect(page).to_have_url(address)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["only for alice"]


def test_two_users_never_see_each_others_chats(
    page: Page, browser: Any, serve: Callable[..., Any], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "alice")
    add_user(store, "bob")
    served = serve(str(EXAMPLES / "conversations.py"), store=store, auth=Auth(mode="password"))
    page.goto(served.url)
    sign_in(page, "alice")
    open_app(page, page.url)
    send(page, "alice's secret")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    address = page.url
    other = browser.new_context()
    try:
        bob = other.new_page()
        bob.goto(served.url)
        sign_in(bob, "bob")
        expect(bob.locator('[data-testid="user"]')).to_contain_text("bob")
        expect(bob.locator(ITEM)).to_have_count(0)
        response = bob.goto(address)
        assert response is not None and response.status == 404
    finally:
        other.close()


def test_an_anonymous_visitor_signs_in_from_the_sidebar_and_keeps_their_chat(
    page: Page, serve: Callable[..., Any], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "carol")
    served = serve(
        str(EXAMPLES / "conversations.py"), store=store, auth=Auth(mode="password", allow_anonymous=True)
    )
    open_app(page, served.url)
    send(page, "tried it first")
    expect(page.locator(ASSISTANT)).to_contain_text("tried it first")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    address = page.url
    page.locator('[data-testid="sign-in"]').click()
    sign_in(page, "carol")
    expect(page).to_have_url(address)
    expect(page.locator('[data-testid="user"]')).to_contain_text("carol")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["tried it first"]
    expect(page.locator(ITEM)).to_have_count(1)


def test_signing_out_sends_the_browsers_other_tabs_to_the_sign_in_page(
    page: Page, serve: Callable[..., Any], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "dora")
    served = serve(str(EXAMPLES / "conversations.py"), store=store, auth=Auth(mode="password"))
    page.goto(served.url)
    sign_in(page, "dora")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    other = page.context.new_page()
    open_app(other, served.url)
    expect(other.locator('[data-testid="user"]')).to_contain_text("dora")
    page.locator('[data-testid="sign-out"]').click()
    expect(page.locator(FORM)).to_be_visible()
    expect(other.locator(FORM)).to_be_visible()  # its socket closed with 4401: it reloaded to sign in


def test_signing_out_everywhere_ends_the_users_other_browsers(
    page: Page, browser: Any, serve: Callable[..., Any], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    add_user(store, "erin")
    served = serve(str(EXAMPLES / "conversations.py"), store=store, auth=Auth(mode="password"))
    page.goto(served.url)
    sign_in(page, "erin")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    laptop = browser.new_context()
    try:
        other = laptop.new_page()
        other.goto(served.url)
        sign_in(other, "erin")
        expect(other.locator('[data-testid="user"]')).to_contain_text("erin")
        page.locator('[data-testid="sign-out-everywhere"]').click()
        expect(page.locator(FORM)).to_be_visible()
        expect(other.locator(FORM)).to_be_visible()  # its tab was closed with 4401 and its cookie is stale
        other.reload()
        expect(other.locator(FORM)).to_be_visible()
    finally:
        laptop.close()


def test_openid_connect_sign_in_against_a_real_provider(
    page: Page, serve: Callable[..., Any], tmp_path: Any
) -> None:
    from tests.oidc_provider import OidcProvider

    with OidcProvider(registration=False) as provider:
        provider.set_user(
            "ann-42", {"email": "ann@example.com", "email_verified": True, "name": "Ann Example"}
        )
        auth = Auth(mode="oidc", oidc_issuer=provider.issuer, oidc_client_id="reactchat",
                    oidc_client_secret="s3cret")  # fmt: skip
        served = serve(str(EXAMPLES / "conversations.py"), store=f"sqlite:///{tmp_path}/chats.db", auth=auth)
        page.goto(served.url)
        page.locator('[data-testid="sign-in-oidc"]').click()
        page.locator('input[name="sub"]').fill("ann-42")  # the provider's own page: who signs in
        page.get_by_role("button", name="Authorize").click()
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
        expect(page.locator('[data-testid="user"]')).to_contain_text("Ann Example")
        send(page, "hello from ann")
        expect(page.locator(ASSISTANT)).to_contain_text("hello from ann")
        assert "/oauth2/token" in provider.paths  # the code was exchanged by the server, not the browser
