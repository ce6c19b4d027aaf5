"""Sign-in settings from flags, variables and reactchat.toml."""

from __future__ import annotations

import argparse
import pathlib

import pytest

from reactchat.auth_settings import add_arguments, auth_settings


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def script(tmp_path: pathlib.Path) -> str:
    path = tmp_path / "bot.py"
    path.write_text("")
    return str(path)


def test_the_default_is_no_sign_in(script: str) -> None:
    auth = auth_settings(parse(), script, {})
    assert auth.mode == "none" and not auth.required


def test_flags(script: str) -> None:
    auth = auth_settings(
        parse("--auth", "header", "--auth-header", "X-User", "--trusted-proxy", "10.0.0.0/8",
              "--trusted-proxy", "127.0.0.1", "--allow-anonymous"),
        script, {},
    )  # fmt: skip
    assert (auth.mode, auth.header, auth.trusted_proxies) == ("header", "X-User", ("10.0.0.0/8", "127.0.0.1"))
    assert auth.allow_anonymous and not auth.required


def test_the_file_then_variables_then_flags(script: str) -> None:
    pathlib.Path(script).with_name("reactchat.toml").write_text(
        '[auth]\nmode = "oidc"\npublic_url = "https://chat.example.com"\n'
        '[auth.oidc]\nissuer = "https://idp.example.com"\nclient_id = "from-file"\n'
    )
    auth = auth_settings(parse(), script, {"REACTCHAT_OIDC_CLIENT_SECRET": "s3cret"})
    assert (auth.mode, auth.oidc_issuer, auth.oidc_client_id) == (
        "oidc",
        "https://idp.example.com",
        "from-file",
    )
    assert auth.oidc_client_secret == "s3cret" and auth.public_url == "https://chat.example.com"
    assert auth.required
    flagged = auth_settings(
        parse("--oidc-client-id", "from-flag"), script,
        {"REACTCHAT_OIDC_CLIENT_ID": "from-env", "REACTCHAT_OIDC_CLIENT_SECRET": "x"},
    )  # fmt: skip
    assert flagged.oidc_client_id == "from-flag"
    env = auth_settings(
        parse(), script, {"REACTCHAT_OIDC_CLIENT_ID": "from-env", "REACTCHAT_OIDC_CLIENT_SECRET": "x"}
    )
    assert env.oidc_client_id == "from-env"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--auth", "oidc"], "--auth oidc needs --oidc-issuer, --oidc-client-id, --oidc-client-secret"),
        (["--auth", "header"], "--auth header needs --trusted-proxy"),
        (["--auth", "header", "--trusted-proxy", "proxy.local"], "got 'proxy.local'"),
        (["--public-url", "chat.example.com"], "got 'chat.example.com'"),
    ],
)
def test_bad_settings_are_named(script: str, argv: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        auth_settings(parse(*argv), script, {})


def test_bad_file_keys_are_named(script: str) -> None:
    toml = pathlib.Path(script).with_name("reactchat.toml")
    toml.write_text('[auth]\nmood = "password"\n')
    with pytest.raises(ValueError, match="unknown \\[auth\\] key 'mood'"):
        auth_settings(parse(), script, {})
    toml.write_text('[auth]\nmode = "kerberos"\n')
    with pytest.raises(ValueError, match="got 'kerberos'"):
        auth_settings(parse(), script, {})


def test_a_missing_library_is_named_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from reactchat.auth_settings import check_installed
    from reactchat.config import Auth

    check_installed(Auth(mode="password"))  # installed here: nothing to say
    monkeypatch.setitem(sys.modules, "argon2", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "authlib", None)
    with pytest.raises(
        RuntimeError, match=r"--auth password needs argon2-cffi: pip install 'reactchat\[auth\]'"
    ):
        check_installed(Auth(mode="password"))
    with pytest.raises(RuntimeError, match="--auth oidc needs authlib"):
        check_installed(Auth(mode="oidc"))
    check_installed(Auth(mode="header"))
