"""The pages a visitor sees before the app when sign-in is on: the sign-in form (a password form, a provider
button, or both) and the page that refuses a visitor (header mode without a trusted header, a failed OpenID
Connect login). Pure functions returning HTML in the app's look: they link the app's stylesheet and theme,
hold no script (the page's CSP allows none inline) and escape every value they are given."""

from __future__ import annotations

import html
import re

__all__ = ["refused_html", "sign_in_html"]

# The two values inserted as they are, so each must be exactly what the server makes: page.py's data-mode
# attribute, and Tornado's xsrf_form_html() (its value already escaped by Tornado).
_MODE_ATTR = re.compile(r'(?: data-mode="(?:light|dark|auto)")?')
_XSRF_INPUT = re.compile(r'<input type="hidden" name="_xsrf" value="[^"<>&]*"/>')

_PAGE = """<!doctype html>
<html lang="en"{mode}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{page_title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">{theme}
</head><body><main class="rc-signin">
<div class="rc-signin-card">
{body}
</div>
</main></body></html>
"""


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def _page(*, page_title: str, css_href: str, theme_href: str | None, mode_attr: str, body: str) -> str:
    if not _MODE_ATTR.fullmatch(mode_attr):
        raise ValueError(f'mode_attr must be "" or \' data-mode="light|dark"\', not {mode_attr!r}')
    theme = f'\n<link rel="stylesheet" href="{_esc(theme_href)}">' if theme_href else ""
    return _PAGE.format(
        mode=mode_attr, page_title=_esc(page_title), css=_esc(css_href), theme=theme, body=body.strip()
    )


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
    """The sign-in page of the app called ``title``.

    With ``password``, a form (``[data-testid=sign-in-form]``) that POSTs ``username``, ``password``,
    ``next`` (``next_path``, which the server must check again: it comes from the visitor) and the XSRF
    field ``xsrf_input`` (Tornado's ``xsrf_form_html()``, inserted as it is) to ``action``. With
    ``oidc_href``, a link "Sign in with ``oidc_label``" (``[data-testid=sign-in-oidc]``): a link, not a
    form, because the provider is on another origin and the page's ``form-action 'self'`` would stop a form
    redirected there. ``error`` (the last attempt's failure) shows above the form as an alert; ``username``
    refills its field.
    """
    if not password and not oidc_href:
        raise ValueError("sign_in_html needs a way to sign in: password=True or an oidc_href")
    if not _XSRF_INPUT.fullmatch(xsrf_input):
        raise ValueError(f"xsrf_input must be Tornado's xsrf_form_html() output, not {xsrf_input!r}")
    parts = [
        f'<h1 class="rc-signin-title">{_esc(title)}</h1>',
        '<p class="rc-signin-lead">Sign in to continue.</p>',
    ]
    if error is not None:
        parts.append(f'<p class="rc-signin-error" role="alert" data-testid="sign-in-error">{_esc(error)}</p>')
    oidc = ""
    if oidc_href:
        label = oidc_label or "your provider"
        oidc = (
            f'<a class="rc-btn rc-signin-oidc{"" if password else " rc-primary"}" href="{_esc(oidc_href)}" '
            f'data-testid="sign-in-oidc">Sign in with {_esc(label)}</a>'
        )
    if password:
        fields = [
            f'<form class="rc-signin-form" method="post" action="{_esc(action)}" data-testid="sign-in-form">',
            xsrf_input,
            f'<input type="hidden" name="next" value="{_esc(next_path)}">',
            '<label class="rc-signin-label" for="rc-signin-username">Username</label>',
            '<input class="rc-field" id="rc-signin-username" name="username" type="text" required autofocus '
            'autocomplete="username" autocapitalize="none" spellcheck="false" '
            f'data-testid="sign-in-username" value="{_esc(username)}">',
            '<label class="rc-signin-label" for="rc-signin-password">Password</label>',
            '<input class="rc-field" id="rc-signin-password" name="password" type="password" required '
            'autocomplete="current-password" data-testid="sign-in-password">',
            '<button class="rc-btn rc-primary rc-signin-submit" type="submit" data-testid="sign-in-submit">'
            "Sign in</button>",
        ]
        if oidc:
            fields += ['<p class="rc-signin-or"><span>or</span></p>', oidc]
        fields.append("</form>")
        parts.append("\n".join(fields))
    else:
        parts.append(f'<div class="rc-signin-form" data-testid="sign-in-form">\n{oidc}\n</div>')
    return _page(
        page_title=f"Sign in · {title}",
        css_href=css_href,
        theme_href=theme_href,
        mode_attr=mode_attr,
        body="\n".join(parts),
    )


def refused_html(
    *,
    title: str,
    css_href: str,
    theme_href: str | None,
    mode_attr: str,
    heading: str,
    message: str,
    retry_href: str | None = None,
) -> str:
    """A page that turns the visitor away (a 401 in header mode, a failed OpenID Connect login): ``heading``
    and ``message`` in the app's look, with a "Try again" link to ``retry_href`` when one is given."""
    parts = [
        f'<p class="rc-signin-app">{_esc(title)}</p>',
        f'<h1 class="rc-signin-title" data-testid="refused">{_esc(heading)}</h1>',
        f'<p class="rc-signin-lead">{_esc(message)}</p>',
    ]
    if retry_href:
        parts.append(f'<a class="rc-btn rc-primary rc-signin-retry" href="{_esc(retry_href)}">Try again</a>')
    return _page(
        page_title=f"{heading} · {title}",
        css_href=css_href,
        theme_href=theme_href,
        mode_attr=mode_attr,
        body="\n".join(parts),
    )
