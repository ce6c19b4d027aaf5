"""The ``Auth`` an app is served with, from ``reactchat run``'s flags, ``REACTCHAT_*`` variables and the
``[auth]`` table of the ``reactchat.toml`` beside the script, in that order of precedence:

    [auth]
    mode = "oidc"                   # none | password | header | oidc
    allow_anonymous = false
    header = "X-Forwarded-Email"    # header mode
    trusted_proxies = ["127.0.0.1"]
    public_url = "https://chat.example.com"

    [auth.oidc]
    issuer = "https://accounts.example.com"
    client_id = "reactchat"
    client_secret = "..."           # better in $REACTCHAT_OIDC_CLIENT_SECRET than in a file
    scopes = "openid email profile"
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from reactchat.auth import parse_proxies
from reactchat.config import AUTH_MODES, Auth, AuthMode
from reactchat.toml_file import FILE, load, path_beside

__all__ = ["add_arguments", "auth_settings", "check_installed"]

OIDC_KEYS = ("issuer", "client_id", "client_secret", "scopes")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sign-in flags to ``reactchat run``'s parser. Each defaults to None: unset, so the variable
    or the file may give it."""
    parser.add_argument(
        "--auth", choices=AUTH_MODES, help="how users sign in (default: none: each browser is anonymous)"
    )
    parser.add_argument(
        "--allow-anonymous",
        action="store_true",
        default=None,
        help="with a sign-in mode, let visitors use the app without signing in (they can sign in from the"
        " sidebar)",
    )
    parser.add_argument(
        "--auth-header", metavar="NAME", help="header mode: the header naming the user (X-Forwarded-Email)"
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDRESS",
        help="a proxy (address or network) whose identity and X-Forwarded-* headers are believed"
        " (repeatable)",
    )
    parser.add_argument(
        "--public-url", metavar="URL", help="where users reach the app (https://chat.example.com), for OpenID"
    )
    parser.add_argument("--oidc-issuer", metavar="URL", help="the OpenID provider (its discovery base URL)")
    parser.add_argument("--oidc-client-id", metavar="ID", help="this app's client id at the provider")
    parser.add_argument("--oidc-client-secret", metavar="SECRET", help="this app's client secret")
    parser.add_argument("--oidc-scopes", metavar="SCOPES", help='default: "openid email profile"')


def check_installed(auth: Auth) -> None:
    """Raise RuntimeError, saying what to install, when ``auth``'s mode needs a library that is missing."""
    needs = {"password": ("argon2", "argon2-cffi"), "oidc": ("authlib", "authlib")}.get(auth.mode)
    if needs is None:
        return
    try:
        __import__(needs[0])
    except ImportError:
        raise RuntimeError(f"--auth {auth.mode} needs {needs[1]}: pip install 'reactchat[auth]'") from None


def _file_table(script_path: str) -> dict[str, Any]:
    path = path_beside(script_path)
    try:
        table = load(path).get("auth", {})
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ValueError(f"{path}: {error}") from None
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [auth] must be a table, got {table!r}")
    return table


def auth_settings(
    args: argparse.Namespace, script_path: str, environ: Mapping[str, str] = os.environ
) -> Auth:
    """The ``Auth`` for ``args`` (parsed with ``add_arguments``), the environment and the script's file.

    Raises:
        ValueError: a bad or missing setting, naming it and where it came from.
    """
    table = _file_table(script_path)
    oidc_table = table.get("oidc", {})
    if not isinstance(oidc_table, dict):
        raise ValueError(f"{FILE}: [auth.oidc] must be a table, got {oidc_table!r}")
    known = {"mode", "allow_anonymous", "header", "trusted_proxies", "public_url", "oidc", "session_days"}
    unknown = sorted(set(table) - known) + sorted(f"oidc.{k}" for k in set(oidc_table) - set(OIDC_KEYS))
    if unknown:
        raise ValueError(f"{FILE}: unknown [auth] key {unknown[0]!r} (known: {', '.join(sorted(known))})")

    def pick(flag: Any, variable: str, key: str, source: Mapping[str, Any] = table) -> Any:
        if flag is not None:
            return flag
        if environ.get(variable):
            return environ[variable]
        return source.get(key)

    mode = pick(args.auth, "REACTCHAT_AUTH", "mode") or "none"
    if mode not in AUTH_MODES:
        raise ValueError(f"auth mode must be one of {', '.join(AUTH_MODES)}, got {mode!r}")
    anonymous = pick(args.allow_anonymous, "REACTCHAT_ALLOW_ANONYMOUS", "allow_anonymous") or False
    if isinstance(anonymous, str):
        anonymous = anonymous.lower() in ("1", "true", "yes")
    proxies = args.trusted_proxy
    if proxies is None:
        raw = environ.get("REACTCHAT_TRUSTED_PROXIES")
        proxies = raw.split(",") if raw else table.get("trusted_proxies", [])
    if not isinstance(proxies, list) or not all(isinstance(p, str) for p in proxies):
        raise ValueError(f"{FILE}: trusted_proxies must be a list of addresses, got {proxies!r}")
    parse_proxies(proxies)
    public_url = pick(args.public_url, "REACTCHAT_PUBLIC_URL", "public_url") or ""
    if public_url and (
        urlsplit(public_url).scheme not in ("http", "https") or not urlsplit(public_url).netloc
    ):
        raise ValueError(
            f"--public-url must be an http(s) address like https://chat.example.com, got {public_url!r}"
        )
    oidc = {
        key: pick(getattr(args, f"oidc_{key}"), f"REACTCHAT_OIDC_{key.upper()}", key, oidc_table) or ""
        for key in OIDC_KEYS
    }
    if mode == "oidc":
        missing = [f"--oidc-{k.replace('_', '-')}" for k in OIDC_KEYS[:3] if not oidc[k]]
        if missing:
            raise ValueError(f"--auth oidc needs {', '.join(missing)} (or REACTCHAT_OIDC_* or [auth.oidc])")
    if mode == "header" and not proxies:
        raise ValueError(
            "--auth header needs --trusted-proxy ADDRESS: the header is believed only from that proxy"
        )
    days = table.get("session_days", 30.0)
    if not isinstance(days, (int, float)) or days <= 0:
        raise ValueError(f"{FILE}: session_days must be a positive number, got {days!r}")
    return Auth(
        mode=cast(AuthMode, mode),
        allow_anonymous=bool(anonymous),
        header=pick(args.auth_header, "REACTCHAT_AUTH_HEADER", "header") or "X-Forwarded-Email",
        trusted_proxies=tuple(p.strip() for p in proxies),
        public_url=public_url,
        oidc_issuer=oidc["issuer"],
        oidc_client_id=oidc["client_id"],
        oidc_client_secret=oidc["client_secret"],
        oidc_scopes=oidc["scopes"] or "openid email profile",
        session_days=float(days),
    )
