"""The sign-in page and the refusal page, as HTML strings (placeholder until the styled version lands)."""

from __future__ import annotations

from html import escape


def sign_in_html(
    *,
    title: str,
    css_href: str,
    theme_href: str | None,
    mode_attr: str,
    xsrf_input: str,
    username: str = "",
    error: str | None = None,
    password: bool = True,
    oidc_label: str | None = None,
    oidc_href: str | None = None,
    action: str = "/_rc/sign-in",
    next_path: str = "/",
) -> str:
    err = f'<p data-testid="sign-in-error" role="alert">{escape(error)}</p>' if error else ""
    oidc = (
        f'<a data-testid="sign-in-oidc" href="{escape(oidc_href)}">Sign in with {escape(oidc_label or "")}'
        "</a>"
        if oidc_href
        else ""
    )
    fields = (
        f'<input data-testid="sign-in-username" name="username" value="{escape(username)}">'
        '<input data-testid="sign-in-password" name="password" type="password">'
        '<button data-testid="sign-in-submit" type="submit">Sign in</button>'
        if password
        else ""
    )
    return (
        f"<!doctype html><html{mode_attr}><head><title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{escape(css_href)}"></head><body>'
        f'<form data-testid="sign-in-form" method="post" action="{escape(action)}">{xsrf_input}'
        f'<input type="hidden" name="next" value="{escape(next_path)}">{err}{fields}{oidc}</form>'
        "</body></html>"
    )


def refused_html(
    *, title: str, css_href: str, theme_href: str | None, mode_attr: str, heading: str, message: str
) -> str:
    return (
        f"<!doctype html><html{mode_attr}><head><title>{escape(title)}</title></head><body>"
        f"<h1>{escape(heading)}</h1><p>{escape(message)}</p></body></html>"
    )
