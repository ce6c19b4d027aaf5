"""OpenID Connect's protocol against a real provider started by the test: discovery, a whole login, and each
way a login must fail (state, age, the provider's refusal, an ID token for someone else or forged)."""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.parse
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from reactchat.oidc import MAX_AGE, OidcError, OidcSettings, Provider, identifier, profile
from tests.oidc_provider import OidcProvider, s256

T = TypeVar("T")
CALLBACK = "http://127.0.0.1:8700/_rc/oidc/callback"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as started:
        yield started


def client(provider: OidcProvider, auth_method: str = "client_secret_basic", **kwargs: Any) -> Provider:
    client_id, secret = provider.register(CALLBACK, auth_method)
    return Provider(OidcSettings(provider.issuer, client_id, secret), **kwargs)


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def login(provider: OidcProvider, rp: Provider, sub: str | None = "ann") -> tuple[dict[str, str], str]:
    """A browser's trip to the provider and back: the callback's query arguments and ``begin``'s string."""
    url, blob = run(rp.begin(CALLBACK))
    return query(provider.authorize(url, sub)), blob


def fails(rp: Provider, arguments: dict[str, str], blob: str, match: str) -> OidcError:
    with pytest.raises(OidcError, match=match) as refused:
        run(rp.finish(arguments, blob))
    return refused.value


def test_discovery_is_fetched_once_and_checked(provider: OidcProvider) -> None:
    rp = Provider(OidcSettings(provider.issuer + "/", "id", "secret"))
    found = run(rp.metadata())
    assert found["issuer"] == provider.issuer and found["token_endpoint"] == provider.issuer + "/oauth2/token"
    run(rp.metadata())
    assert provider.paths.count("/.well-known/openid-configuration") == 1
    nowhere = Provider(OidcSettings(provider.issuer + "/nothing", "id", "secret"))
    with pytest.raises(OidcError, match=r"discovery document at http://127\.0\.0\.1:\d+/nothing/\.well-known/"
                                        r"openid-configuration answered 404 without a JSON object"):  # fmt: skip
        run(nowhere.metadata())


def test_an_unreachable_provider_is_named() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rp = Provider(OidcSettings(f"http://127.0.0.1:{port}", "id", "secret"), timeout=5)
    with pytest.raises(OidcError, match=f"could not reach .* at http://127.0.0.1:{port}/.well-known"):
        run(rp.begin(CALLBACK))


def test_a_whole_login(provider: OidcProvider) -> None:
    rp = client(provider)
    provider.set_user("ann-42", {"email": "ann@example.com", "name": "Ann Lee", "email_verified": True})
    url, blob = run(rp.begin(CALLBACK))
    sent = query(url)
    assert url.startswith(provider.issuer + "/oauth2/authorize?")
    assert sent["response_type"] == "code" and sent["scope"] == "openid email profile"
    assert sent["redirect_uri"] == CALLBACK and sent["client_id"] == rp.settings.client_id
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32 and sent["state"] != sent["nonce"]
    assert len(blob) < 1024
    back = query(provider.authorize(url, "ann-42"))
    assert back["state"] == sent["state"]
    claims = run(rp.finish(back, blob))
    assert claims["sub"] == "ann-42" and claims["iss"] == provider.issuer and claims["nonce"] == sent["nonce"]
    assert claims["email"] == "ann@example.com" and claims["name"] == "Ann Lee"
    assert identifier(claims, claims["iss"]) == f"oidc:{provider.issuer}|ann-42"
    assert profile(claims) == ("Ann Lee", "ann@example.com")
    # The provider checked the secret (sent with HTTP Basic, as its discovery document asks by default) and
    # the PKCE verifier against the challenge (the test server refuses a mismatch).
    [token_request] = provider.token_requests
    assert (
        "client_secret" not in token_request
        and s256(token_request["code_verifier"]) == sent["code_challenge"]
    )
    assert token_request["redirect_uri"] == CALLBACK
    # A second login reuses the discovery document and keys.
    run(rp.finish(*login(provider, rp, "ann-42")))
    assert (
        provider.paths.count("/jwks") == 1 and provider.paths.count("/.well-known/openid-configuration") == 1
    )


def test_the_secret_goes_in_the_form_when_the_provider_asks_so() -> None:
    with OidcProvider(token_auth="client_secret_post") as provider:
        rp = client(provider, "client_secret_post")
        assert run(rp.finish(*login(provider, rp)))["sub"] == "ann"
        assert provider.token_requests[0]["client_secret"] == rp.settings.client_secret


def test_a_wrong_secret_is_refused_by_the_provider(provider: OidcProvider) -> None:
    client_id, _ = provider.register(CALLBACK)
    rp = Provider(OidcSettings(provider.issuer, client_id, "not-the-secret"))
    error = fails(
        rp,
        *login(provider, rp),
        match=r"token endpoint at .*/oauth2/token refused the sign-in \(invalid_client",
    )
    assert "not-the-secret" not in str(error)


def test_state_must_match(provider: OidcProvider) -> None:
    rp = client(provider)
    arguments, blob = login(provider, rp)
    _, other_blob = run(rp.begin(CALLBACK))  # another login of the same browser, or an attacker's
    fails(rp, arguments, other_blob, match="state does not match")
    fails(rp, {**arguments, "state": ""}, blob, match="state does not match")
    fails(rp, {k: v for k, v in arguments.items() if k != "state"}, blob, match="state does not match")
    assert provider.token_requests == []  # the code was never spent
    fails(rp, arguments, "not a blob", match="could not be matched to this browser")
    fails(rp, arguments, "", match="could not be matched to this browser")
    assert run(rp.finish(arguments, blob))["sub"] == "ann"


def test_a_login_is_finished_once(provider: OidcProvider) -> None:
    rp = client(provider)
    arguments, blob = login(provider, rp)
    run(rp.finish(arguments, blob))
    fails(rp, arguments, blob, match=r"refused the sign-in \(invalid_grant")


def test_a_login_expires(provider: OidcProvider) -> None:
    clock = Clock()
    rp = client(provider, clock=clock)
    arguments, blob = login(provider, rp)
    clock.now += MAX_AGE + 1
    fails(rp, arguments, blob, match="took longer than 10 minutes")
    clock.now -= 2
    assert run(rp.finish(arguments, blob))["sub"] == "ann"


def test_a_refusal_by_the_provider_is_told(provider: OidcProvider) -> None:
    rp = client(provider)
    arguments, blob = login(provider, rp, sub=None)  # the user presses "Deny"
    assert arguments["error"] == "access_denied" and "state" not in arguments  # this provider sends none
    fails(rp, arguments, blob, match=r"^the OpenID provider refused the sign-in \(access_denied\)$")
    # Without the state, the free text of the answer is not repeated (anyone can link to the callback).
    said = {**arguments, "error_description": "Call 555-0100 to unlock your account"}
    fails(rp, said, blob, match=r"^the OpenID provider refused the sign-in \(access_denied\)$")
    fails(rp, {**said, "error": "Call 555-0100"}, blob, match="state does not match")
    state = query(run(rp.begin(CALLBACK))[0])["state"]
    fails(rp, {**said, "state": state}, blob, match="state does not match")
    # With the state, it is, cut short.
    url, blob = run(rp.begin(CALLBACK))
    state = query(url)["state"]
    long = {"error": "access_denied", "error_description": "<b>" + "x" * 5000, "state": state}
    assert len(str(fails(rp, long, blob, match=r"\(access_denied: <b>xxx"))) < 500
    fails(rp, {"state": state}, blob, match="holds no authorization code")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda c: {**c, "aud": "another-client"}, "wrong or missing 'aud'"),
        (lambda c: {**c, "aud": ["another-client"]}, "wrong or missing 'aud'"),
        (lambda c: {**c, "nonce": "replayed"}, "wrong or missing 'nonce'"),
        (lambda c: {k: v for k, v in c.items() if k != "nonce"}, "wrong or missing 'nonce'"),
        (lambda c: {**c, "iss": "https://evil.example"}, "wrong or missing 'iss'"),
        (lambda c: {k: v for k, v in c.items() if k != "sub"}, "wrong or missing 'sub'"),
        (lambda c: {**c, "exp": int(time.time()) - 3600}, "ID token has expired"),
        (lambda c: {**c, "at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "wrong or missing 'at_hash'"),
    ],
)
def test_an_id_token_for_someone_else_is_refused(
    provider: OidcProvider, edit: Callable[[dict[str, Any]], dict[str, Any]], match: str
) -> None:
    rp = client(provider)
    provider.edit_id_token = lambda claims: claims
    assert run(rp.finish(*login(provider, rp)))["sub"] == "ann"  # re-signing alone changes nothing
    provider.edit_id_token = edit
    fails(rp, *login(provider, rp), match=match)


def test_a_forged_signature_is_refused_after_fetching_the_keys_again(provider: OidcProvider) -> None:
    from joserfc.jwk import RSAKey

    rp = client(provider)
    provider.edit_id_token = lambda claims: {**claims, "sub": "admin"}
    provider.signing_key = RSAKey.generate_key(2048, {"kid": "edited"})  # same key id, not the served key
    fails(rp, *login(provider, rp), match="bad signature")
    assert provider.paths.count("/jwks") == 2


def test_rotated_keys_are_fetched_again_once() -> None:
    with OidcProvider(registration=False) as provider:  # any client id: it outlives the rotation
        rp = Provider(OidcSettings(provider.issuer, "app", "secret"))
        run(rp.finish(*login(provider, rp)))
        provider.rotate_keys()
        assert run(rp.finish(*login(provider, rp, "bob")))["sub"] == "bob"
        assert provider.paths.count("/jwks") == 2
        run(rp.finish(*login(provider, rp, "bob")))
        assert provider.paths.count("/jwks") == 2


def test_userinfo_of_another_subject_is_refused(provider: OidcProvider) -> None:
    rp = client(provider)
    provider.edit_id_token = lambda claims: {**claims, "sub": "bob"}  # userinfo still says "ann"
    fails(rp, *login(provider, rp), match="userinfo endpoint at .* answered for another subject")


def test_the_user_s_name_and_email() -> None:
    assert profile({"sub": "x", "preferred_username": "ann", "email": "a@x"}) == ("ann", "a@x")
    assert profile({"sub": "x", "given_name": "Ann", "family_name": "Lee"}) == ("Ann Lee", None)
    assert profile({"sub": "x", "email": "a@x", "name": "  "}) == ("a@x", "a@x")
    assert profile({"sub": "x", "email": 3}) == ("x", None)
    assert profile({"sub": "x", "email": "a@x", "email_verified": True}) == ("a@x", "a@x")
    for unverified in (False, "false"):
        assert profile({"sub": "x", "email": "a@x", "email_verified": unverified}) == ("x", None)
    with pytest.raises(OidcError, match="no subject"):
        identifier({"sub": ""}, "https://id.example")
    assert repr(OidcSettings("https://id.example", "app", "s3cret")).count("s3cret") == 0
