"""Test support: a real OpenID provider (oidc-provider-mock's Flask app) served on 127.0.0.1 in a thread, and
a browser's part of a login at it (the authorization form, answered as a user would).

The provider checks client secrets and redirect URIs of registered clients itself; it does not check PKCE,
so the server here does: it remembers each code's ``code_challenge`` and refuses a token request whose
``code_verifier`` does not hash to it (RFC 7636 §4.6).

To play a provider that misbehaves (a token for another client, a wrong nonce, a forged signature), a test
sets ``edit_id_token``: the provider's ID tokens are then edited and signed again with ``signing_key``, and
its key set serves ``served_keys`` instead of its own.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import oidc_provider_mock
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Quiet(werkzeug.serving.WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def s256(verifier: str) -> str:
    """RFC 7636's S256 code challenge of ``verifier``."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


class OidcProvider:
    """A running OpenID provider; ``issuer`` is its address. ``token_auth`` set to "client_secret_post" makes
    its discovery document offer only that way of sending the client secret."""

    def __init__(
        self, *, token_auth: str | None = None, require_nonce: bool = True, registration: bool = True
    ) -> None:
        self.token_auth = token_auth
        self.require_nonce = require_nonce
        self.registration = registration
        self.edit_id_token: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.signing_key = RSAKey.generate_key(2048, {"kid": "edited"})
        self.served_keys = KeySet([self.signing_key])
        self.app: WSGIApp = self._new_app()
        self.challenges: dict[str, str] = {}  # authorization code -> its PKCE challenge
        self.token_requests: list[dict[str, str]] = []  # the form of each token request
        self.paths: list[str] = []  # the path of each request, in order
        self.server = werkzeug.serving.make_server(
            "127.0.0.1", 0, self._serve, threaded=True, request_handler=Quiet
        )
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _new_app(self) -> WSGIApp:
        return oidc_provider_mock.app(
            require_client_registration=self.registration, require_nonce=self.require_nonce
        )  # type: ignore[no-any-return]

    def rotate_keys(self) -> None:
        """Replace the provider by a new one at the same address: a new signing key (and no clients, users or
        codes of the old one)."""
        self.app = self._new_app()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _serve(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        self.paths.append(path)
        if path == "/oauth2/token" and method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = dict(urllib.parse.parse_qsl(body.decode()))
            self.token_requests.append(form)
            challenge = self.challenges.pop(form.get("code", ""), None)
            if challenge is not None and s256(form.get("code_verifier", "")) != challenge:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [b'{"error": "invalid_grant", "error_description": "PKCE verification failed"}']
        if path == "/jwks" and self.edit_id_token is not None:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(self.served_keys.as_dict()).encode()]
        if path == "/oauth2/token" and self.edit_id_token is not None:
            status_headers = []
            answer = json.loads(b"".join(self.app(environ, lambda *a: status_headers.extend(a))))
            if "id_token" in answer:
                payload = answer["id_token"].split(".")[1]
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
                header = {"alg": "RS256", "kid": self.signing_key.kid}
                answer["id_token"] = jwt.encode(header, self.edit_id_token(claims), self.signing_key)
            start_response(status_headers[0], [("Content-Type", "application/json")])
            return [json.dumps(answer).encode()]
        if path == "/.well-known/openid-configuration" and self.token_auth:
            status_headers: list[Any] = []
            body = b"".join(self.app(environ, lambda *a: status_headers.extend(a)))
            document = json.loads(body)
            document["token_endpoint_auth_methods_supported"] = [self.token_auth]
            start_response(status_headers[0], [("Content-Type", "application/json")])
            return [json.dumps(document).encode()]
        if path == "/oauth2/authorize" and method == "POST":
            query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))

            def remember(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                location = dict(headers).get("Location", "")
                code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)).get("code")
                if code and "code_challenge" in query:
                    self.challenges[code] = query["code_challenge"]
                return start_response(status, headers, *rest)

            return self.app(environ, remember)
        return self.app(environ, start_response)

    def _request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=10)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def register(self, redirect_uri: str, auth_method: str = "client_secret_basic") -> tuple[str, str]:
        """A new client's id and secret (the provider checks both, and the redirect URI, from then on)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=10)
        body = json.dumps({"redirect_uris": [redirect_uri], "token_endpoint_auth_method": auth_method})
        connection.request("POST", "/oauth2/clients", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        connection.close()
        assert response.status == 201, answer
        return answer["client_id"], answer["client_secret"]

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """The claims the provider gives about the user ``sub``."""
        response = self._request(
            "PUT", f"/users/{urllib.parse.quote(sub, safe='')}", json.dumps(claims).encode(),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        assert response.status == 204, response.status

    def authorize(self, url: str, sub: str | None = None) -> str:
        """What a browser does at the authorization ``url``: load the form, then sign in as ``sub`` (or deny
        when None); returns where the provider redirects the browser (the app's callback)."""
        parts = urllib.parse.urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.issuer, url
        target = f"{parts.path}?{parts.query}"
        shown = self._request("GET", target)
        assert shown.status == 200, shown.status
        form = {"sub": sub} if sub is not None else {"action": "deny"}
        answer = self._request(
            "POST", target, urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert answer.status in (302, 303), answer.status
        return answer.headers["Location"]
