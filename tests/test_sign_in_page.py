"""The sign-in and refusal pages: their test ids and fields, the escaping of every value they are given, the
OpenID Connect variant, and no script."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from reactchat.sign_in_page import refused_html, sign_in_html

XSRF = '<input type="hidden" name="_xsrf" value="2|ab12|cd34|1700000000"/>'
EVIL = """<script>alert("x")</script>' & "q" """
COMMON: dict[str, Any] = {"css_href": "/_rc/static/app.css?v=abc", "theme_href": None, "mode_attr": ""}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""


class Parsed(HTMLParser):
    """Every element with its attributes (unescaped, as a browser reads them) and the text directly in it."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.title = ""
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, dict(attrs))
        self.elements.append(el)
        if tag not in ("input", "link", "meta"):
            self.open.append(el)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].text += data

    def by_testid(self, testid: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("data-testid") == testid]

    def one(self, testid: str) -> Element:
        found = self.by_testid(testid)
        assert len(found) == 1, f"{len(found)} elements with data-testid={testid}"
        return found[0]

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


def test_the_password_form_has_its_fields_and_test_ids() -> None:
    page = Parsed(sign_in_html(title="helpdesk", xsrf_input=XSRF, next_path="/c/abc", **COMMON))
    form = page.one("sign-in-form")
    assert form.tag == "form" and form.attrs["method"] == "post" and form.attrs["action"] == "/_rc/sign-in"
    user = page.one("sign-in-username")
    assert user.attrs["name"] == "username" and user.attrs["autocomplete"] == "username"
    assert "autofocus" in user.attrs and "required" in user.attrs
    secret = page.one("sign-in-password")
    assert secret.attrs["name"] == "password" and secret.attrs["type"] == "password"
    assert secret.attrs["autocomplete"] == "current-password"
    submit = page.one("sign-in-submit")
    assert submit.tag == "button" and submit.attrs["type"] == "submit" and submit.text == "Sign in"
    hidden = {
        e.attrs["name"]: e.attrs["value"] for e in page.tags("input") if e.attrs.get("type") == "hidden"
    }
    assert hidden == {"_xsrf": "2|ab12|cd34|1700000000", "next": "/c/abc"}
    # Every field has a label that names it (by id), for screen readers and a click on the label.
    labels = {e.attrs["for"]: e.text for e in page.tags("label")}
    assert labels == {user.attrs["id"]: "Username", secret.attrs["id"]: "Password"}
    assert not page.by_testid("sign-in-error") and not page.by_testid("sign-in-oidc")
    assert page.tags("title")[0].text == "Sign in · helpdesk"
    assert [e.attrs["href"] for e in page.tags("link") if e.attrs["rel"] == "stylesheet"] == [
        COMMON["css_href"]
    ]
    assert not page.tags("script")


def test_an_error_is_an_alert_and_the_username_is_kept() -> None:
    page = Parsed(
        sign_in_html(
            title="t", xsrf_input=XSRF, username="ada", error="Wrong username or password.", **COMMON
        )
    )
    error = page.one("sign-in-error")
    assert error.attrs["role"] == "alert" and error.text == "Wrong username or password."
    assert page.one("sign-in-username").attrs["value"] == "ada"
    assert page.one("sign-in-password").attrs.get("value") is None, "a password is never written back"


def test_every_value_is_escaped() -> None:
    source = sign_in_html(
        title=EVIL,
        css_href=EVIL,
        theme_href=EVIL,
        mode_attr="",
        xsrf_input=XSRF,
        username=EVIL,
        error=EVIL,
        oidc_label=EVIL,
        oidc_href=EVIL,
        action=EVIL,
        next_path=EVIL,
    )
    assert "<script" not in source and '"q"' not in source
    page = Parsed(source)
    assert not page.tags("script")
    # The browser reads back exactly what was given: escaped, not mangled.
    assert page.one("sign-in-username").attrs["value"] == EVIL
    assert page.one("sign-in-error").text == EVIL
    assert page.one("sign-in-form").attrs["action"] == EVIL
    assert page.one("sign-in-oidc").attrs["href"] == EVIL
    assert page.one("sign-in-oidc").text == f"Sign in with {EVIL}"
    assert [e.attrs["value"] for e in page.tags("input") if e.attrs.get("name") == "next"] == [EVIL]
    assert page.tags("h1")[0].text == EVIL and page.tags("title")[0].text == f"Sign in · {EVIL}"
    assert [e.attrs["href"] for e in page.tags("link") if e.attrs["rel"] == "stylesheet"] == [EVIL, EVIL]


def test_the_refusal_page_escapes_too() -> None:
    source = refused_html(
        title=EVIL, css_href=EVIL, theme_href=EVIL, mode_attr="", heading=EVIL, message=EVIL, retry_href=EVIL
    )
    assert "<script" not in source
    page = Parsed(source)
    assert page.one("refused").text == EVIL
    assert [e.text for e in page.tags("p")] == [EVIL, EVIL]
    assert [e.attrs["href"] for e in page.tags("a")] == [EVIL]
    assert page.tags("title")[0].text == f"{EVIL} · {EVIL}"


def test_the_refusal_page_in_the_apps_look() -> None:
    source = refused_html(
        title="helpdesk",
        css_href="/_rc/static/app.css?v=1",
        theme_href="/_rc/theme.css?v=2",
        mode_attr=' data-mode="dark"',
        heading="Not signed in",
        message="This app is reached through the company's sign-in.",
    )
    assert source.startswith('<!doctype html>\n<html lang="en" data-mode="dark">')
    page = Parsed(source)
    assert [e.attrs["href"] for e in page.tags("link") if e.attrs["rel"] == "stylesheet"] == [
        "/_rc/static/app.css?v=1",
        "/_rc/theme.css?v=2",
    ]
    assert page.one("refused").text == "Not signed in"
    assert not page.tags("a") and not page.tags("script") and not page.tags("form")


def test_oidc_only_offers_the_provider() -> None:
    page = Parsed(
        sign_in_html(
            title="t",
            xsrf_input=XSRF,
            password=False,
            oidc_label="Acme SSO",
            oidc_href="/_rc/oidc/start?next=%2Fc%2Fx",
            **COMMON,
        )
    )
    button = page.one("sign-in-oidc")
    assert button.tag == "a" and button.attrs["href"] == "/_rc/oidc/start?next=%2Fc%2Fx"
    assert button.text == "Sign in with Acme SSO"
    # Not a form: the provider is another origin, which the page's form-action 'self' would refuse.
    assert page.one("sign-in-form").tag == "div" and not page.tags("form")
    for absent in ("sign-in-username", "sign-in-password", "sign-in-submit"):
        assert not page.by_testid(absent)


def test_password_and_oidc_together() -> None:
    page = Parsed(sign_in_html(title="t", xsrf_input=XSRF, oidc_href="/_rc/oidc/start", **COMMON))
    assert page.one("sign-in-oidc").text == "Sign in with your provider"
    assert page.one("sign-in-password") and page.one("sign-in-form").tag == "form"


def test_the_page_takes_the_themes_mode() -> None:
    source = sign_in_html(
        title="t", css_href="/a.css", theme_href=None, mode_attr=' data-mode="light"', xsrf_input=XSRF
    )
    assert source.startswith('<!doctype html>\n<html lang="en" data-mode="light">')


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"mode_attr": ' onload="x()"'}, "onload"),
        ({"mode_attr": 'data-mode="dark"'}, "data-mode"),
        ({"xsrf_input": "<script>x()</script>"}, "script"),
        ({"xsrf_input": '<input type="hidden" name="_xsrf" value="a"/><b>'}, "<b>"),
        ({"password": False}, "oidc_href"),
    ],
)
def test_values_inserted_as_they_are_must_be_what_the_server_makes(
    changes: dict[str, Any], named: str
) -> None:
    kwargs: dict[str, Any] = {"title": "t", "xsrf_input": XSRF, **COMMON, **changes}
    with pytest.raises(ValueError, match=named):
        sign_in_html(**kwargs)
