"""OpenID Connect sign-in, the protocol only: discovery, the authorization URL (code flow with PKCE S256,
state and nonce), and the callback's checks (state, the code exchange, the ID token's signature and claims).

Nothing is kept in process memory between the two halves of a login: ``Provider.begin`` returns a small
string the caller keeps in a short-lived signed cookie and hands back to ``Provider.finish``, so any process
of the app (several replicas, a restart in between) can finish a login another one began.

The JOSE work (JWKS, signature, claims) is authlib's: its ``CodeIDToken`` claims rules on top of joserfc, the
JOSE library authlib 1.7+ is built on (``authlib.jose`` is deprecated in its favour). The provider is reached
with Tornado's own HTTP client.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

__all__ = [
    "MAX_AGE",
    "OidcError",
    "OidcSettings",
    "Provider",
    "identifier",
    "profile",
]

MAX_AGE = 600  # seconds a login may take between begin() and finish()
TIMEOUT = 10.0  # seconds for each request to the provider
MAX_RESPONSE_BYTES = 1 << 20  # a discovery document, a key set or a token answer is a few kilobytes
LEEWAY = 60  # seconds of clock skew allowed between us and the provider (exp, iat)
DISCOVERY_SECONDS = 3600  # how long a discovery document is believed before it is fetched again
# Public-key signatures only: "none" never, and HMAC (keyed with the client secret) is not offered.
SIGNING_ALGORITHMS = "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA".split()
# The error codes of an authorization answer (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6).
OAUTH_ERRORS = frozenset(
    "invalid_request unauthorized_client access_denied unsupported_response_type invalid_scope server_error "
    "temporarily_unavailable interaction_required login_required account_selection_required consent_required "
    "invalid_request_uri invalid_request_object request_not_supported request_uri_not_supported "
    "registration_not_supported".split()
)
MAX_ERROR_TEXT = 200  # characters of a provider's error description repeated to the user


class OidcError(Exception):
    """A sign-in that cannot go on; the message is fit to show the user (it names the URL or claim that was
    wrong and never holds a secret, a code or a token)."""


@dataclass(frozen=True)
class OidcSettings:
    """How to reach the OpenID provider.

    Attributes:
        issuer: The provider's issuer URL; its discovery document is at
            ``<issuer>/.well-known/openid-configuration``.
        client_id: This app's client id at the provider.
        client_secret: This app's client secret at the provider.
        scopes: The scopes asked for, space-separated; "openid" is added when missing.
    """

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"

    def __repr__(self) -> str:  # the secret stays out of logs and tracebacks
        return f"OidcSettings(issuer={self.issuer!r}, client_id={self.client_id!r}, scopes={self.scopes!r})"


def identifier(claims: dict[str, Any], issuer: str) -> str:
    """The user identifier of a signed-in user: ``"oidc:<issuer>|<sub>"`` (``sub`` is only unique within its
    issuer, so both are kept)."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise OidcError("the provider's ID token has no subject ('sub' claim)")
    return f"oidc:{issuer}|{sub}"


def profile(claims: dict[str, Any]) -> tuple[str, str | None]:
    """A user's display name and email from their claims: the name is the first of ``name``,
    ``preferred_username``, given and family name, ``email`` and ``sub`` that is set; the email is None when
    the provider gave none or says it is not verified (``email_verified`` false: anyone may have typed it, so
    an app deciding by it, e.g. "anyone at example.com", must not see it)."""
    verified = claims.get("email_verified", True) not in (False, "false")  # some providers send a string
    email = claims.get("email") if isinstance(claims.get("email"), str) and verified else None
    joined = " ".join(str(claims[k]) for k in ("given_name", "family_name") if isinstance(claims.get(k), str))
    for value in (claims.get("name"), claims.get("preferred_username"), joined, email, claims.get("sub")):
        if isinstance(value, str) and value.strip():
            return value.strip(), email
    return "", email


def _pack(flow: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(flow, separators=(",", ":")).encode()).decode().rstrip("=")


def _unpack(blob: str) -> dict[str, Any]:
    try:
        flow = json.loads(base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4)))
    except ValueError:
        flow = None
    keys: dict[str, type | tuple[type, ...]] = {"s": str, "n": str, "v": str, "r": str, "t": (int, float)}
    if not isinstance(flow, dict) or any(not isinstance(flow.get(k), t) for k, t in keys.items()):
        raise OidcError("the sign-in could not be matched to this browser; please sign in again")
    return flow


def _said(error: object, description: object) -> str:
    """A provider's ``error`` and ``error_description``, cut short, for a message."""
    said = str(error)[:MAX_ERROR_TEXT]
    if isinstance(description, str) and description:
        said += f": {description[:MAX_ERROR_TEXT]}"
    return said


class Provider:
    """One OpenID provider: its discovery document and keys (fetched when first needed and kept), and the two
    halves of a login.

    Args:
        settings: Where the provider is and who this app is to it.
        timeout: Seconds for each request to the provider.
        clock: The current time in seconds (``time.time``; tests pass their own).
    """

    def __init__(
        self, settings: OidcSettings, *, timeout: float = TIMEOUT, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.clock = clock
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    @property
    def discovery_url(self) -> str:
        return self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"

    async def _fetch(self, what: str, request: HTTPRequest) -> Any:
        """The JSON object a provider's endpoint answers; OidcError naming ``what`` and its URL otherwise.

        An error answer in OAuth's form (``{"error": ...}``) is returned for the caller to word."""
        request.connect_timeout = request.request_timeout = self.timeout
        request.headers.setdefault("Accept", "application/json")
        # An instance of its own for the size cap (the shared client's cap is the process-wide default).
        client = AsyncHTTPClient(force_instance=True, max_body_size=MAX_RESPONSE_BYTES)
        url = request.url.split("?", 1)[0]
        try:
            # raise_error=False: an answer with an error status is still read (OAuth errors come as 400s).
            response = await client.fetch(request, raise_error=False)
        except (OSError, HTTPClientError, ValueError) as error:  # refused, timed out, too large, bad URL
            raise OidcError(f"could not reach the OpenID provider's {what} at {url}: {error}") from None
        finally:
            client.close()
        if response.code == 599 or (response.error and not isinstance(response.error, HTTPClientError)):
            raise OidcError(f"could not reach the OpenID provider's {what} at {url}: {response.error}")
        try:
            data = json.loads(response.body or b"")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise OidcError(
                f"the OpenID provider's {what} at {url} answered {response.code} without a JSON object"
            )
        if response.code >= 400 and "error" not in data:
            raise OidcError(f"the OpenID provider's {what} at {url} answered {response.code}")
        return data

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked for the fields a login needs (kept for an hour)."""
        if self._metadata is not None and self.clock() - self._metadata_at < DISCOVERY_SECONDS:
            return self._metadata
        url = self.discovery_url
        found: dict[str, Any] = await self._fetch("discovery document", HTTPRequest(url))
        if "error" in found:
            raise OidcError(f"the OpenID provider's discovery document at {url} is an error: "
                            f"{_said(found['error'], found.get('error_description'))}")  # fmt: skip
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(found.get(key), str) or not found[key]:
                raise OidcError(f"the OpenID provider's discovery document at {url} has no {key!r}")
        if found["issuer"].rstrip("/") != self.settings.issuer.rstrip("/"):
            raise OidcError(
                f"the OpenID provider's discovery document at {url} names the issuer {found['issuer']!r}, "
                f"not the configured {self.settings.issuer!r}"
            )
        self._metadata, self._metadata_at = found, self.clock()
        return found

    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (kept until a token names a key they lack: ``refresh``)."""
        if self._keys is not None and not refresh:
            return self._keys
        url = (await self.metadata())["jwks_uri"]
        found = await self._fetch("key set", HTTPRequest(url))
        try:
            self._keys = KeySet.import_key_set(found)
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise OidcError(f"the OpenID provider's key set at {url} holds no usable key ({error})") from None
        return self._keys

    async def begin(self, redirect_uri: str) -> tuple[str, str]:
        """Start a login: the provider's authorization URL to send the browser to, and an opaque string (a
        few hundred bytes) to keep in a signed cookie until the callback hands it to ``finish``."""
        metadata = await self.metadata()
        flow = {
            "s": secrets.token_urlsafe(24),  # state: ties the callback to this browser
            "n": secrets.token_urlsafe(24),  # nonce: ties the ID token to this login
            "v": secrets.token_urlsafe(48),  # PKCE code verifier (64 characters)
            "r": redirect_uri,
            "t": int(self.clock()),
        }
        scopes = self.settings.scopes.split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": flow["s"],
            "nonce": flow["n"],
            "code_challenge": create_s256_code_challenge(flow["v"]),
            "code_challenge_method": "S256",
        }
        endpoint = metadata["authorization_endpoint"]
        joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
        return endpoint + joiner + urllib.parse.urlencode(query), _pack(flow)

    async def finish(self, arguments: dict[str, str], blob: str) -> dict[str, Any]:
        """Finish a login from the callback's query ``arguments`` and ``begin``'s string: check the state and
        the login's age, exchange the code, check the ID token, and return its claims (with the userinfo
        endpoint's, when the provider has one).

        Raises:
            OidcError: for any failure, with a message fit to show the user.
        """
        flow = _unpack(blob)
        age = self.clock() - flow["t"]
        if not -LEEWAY <= age <= MAX_AGE:
            raise OidcError(f"the sign-in took longer than {MAX_AGE // 60} minutes; please sign in again")
        error = arguments.get("error")
        if error in OAUTH_ERRORS and "state" not in arguments:
            # Some providers leave the state out of a refusal. Its code is told, but not its description: that
            # is free text anyone could put in a link to the callback.
            raise OidcError(f"the OpenID provider refused the sign-in ({error})")
        if not hmac.compare_digest(arguments.get("state", "").encode(), flow["s"].encode()):
            raise OidcError("the sign-in's state does not match this browser's; please sign in again")
        if error is not None:
            said = _said(error, arguments.get("error_description"))
            raise OidcError(f"the OpenID provider refused the sign-in ({said})")
        code = arguments.get("code", "")
        if not code:
            raise OidcError("the OpenID provider's answer holds no authorization code")
        tokens = await self._exchange(code, flow)
        claims = await self._id_token(tokens, flow)
        return await self._with_userinfo(claims, tokens)

    async def _exchange(self, code: str, flow: dict[str, Any]) -> dict[str, Any]:
        metadata = await self.metadata()
        url = metadata["token_endpoint"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": flow["r"],
                "code_verifier": flow["v"]}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        client_id, secret = self.settings.client_id, self.settings.client_secret
        if "client_secret_basic" in methods:
            # RFC 6749 §2.3.1: each part form-encoded before they are joined and base64-encoded.
            pair = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        elif "client_secret_post" in methods:
            form |= {"client_id": client_id, "client_secret": secret}
        else:
            raise OidcError(
                f"the OpenID provider's token endpoint at {url} takes none of client_secret_basic and "
                f"client_secret_post (it takes {', '.join(map(str, methods))})"
            )
        request = HTTPRequest(url, method="POST", headers=headers, body=urllib.parse.urlencode(form))
        tokens: dict[str, Any] = await self._fetch("token endpoint", request)
        if "error" in tokens:
            raise OidcError(
                f"the OpenID provider's token endpoint at {url} refused the sign-in "
                f"({_said(tokens['error'], tokens.get('error_description'))})"
            )
        if not isinstance(tokens.get("id_token"), str):
            raise OidcError(f"the OpenID provider's token endpoint at {url} answered without an ID token")
        return tokens

    async def _id_token(self, tokens: dict[str, Any], flow: dict[str, Any]) -> dict[str, Any]:
        metadata = await self.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(
            algorithms=[a for a in SIGNING_ALGORITHMS if a in offered] or ["RS256"],
            strict_check_header=False,  # providers add headers of their own (x5t, ...)
        )
        keys = await self.keys()
        try:
            try:
                token = jwt.decode(tokens["id_token"], keys, registry=registry)
            except (InvalidKeyIdError, BadSignatureError):
                # The provider may have rotated its keys since they were fetched: fetch them again, once.
                token = jwt.decode(tokens["id_token"], await self.keys(refresh=True), registry=registry)
            claims = CodeIDToken(
                token.claims,
                token.header,
                options={
                    "iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": self.settings.client_id},
                },
                params={
                    "nonce": flow["n"],
                    "client_id": self.settings.client_id,
                    "access_token": tokens.get("access_token"),
                },
            )
            claims.validate(now=int(self.clock()), leeway=LEEWAY)
        except ExpiredTokenError:
            raise OidcError(
                "the OpenID provider's ID token has expired (is this server's clock right?)"
            ) from None
        except ClaimError as error:
            wrong = f"a wrong or missing {error.claim!r} claim"
            raise OidcError(f"the OpenID provider's ID token has {wrong}") from None
        except BadSignatureError:
            raise OidcError("the OpenID provider's ID token has a bad signature") from None
        except (JoseError, ValueError) as error:
            raise OidcError(f"the OpenID provider's ID token could not be read ({error})") from None
        return dict(claims)

    async def _with_userinfo(self, claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
        url = (await self.metadata()).get("userinfo_endpoint")
        access_token = tokens.get("access_token")
        if not isinstance(url, str) or not url or not isinstance(access_token, str):
            return claims
        info = await self._fetch(
            "userinfo endpoint", HTTPRequest(url, headers={"Authorization": f"Bearer {access_token}"})
        )
        if "error" in info:
            raise OidcError(f"the OpenID provider's userinfo endpoint at {url} refused the access token "
                            f"({_said(info['error'], info.get('error_description'))})")  # fmt: skip
        if info.get("sub") != claims["sub"]:  # OIDC Core §5.3.2: else the answer is not about this user
            raise OidcError(f"the OpenID provider's userinfo endpoint at {url} answered for another subject")
        # The ID token's claims win: they are signed, and say who issued them to whom.
        return {**info, **claims}
