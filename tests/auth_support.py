"""A real loopback token issuer for tests: RSA keys, a JWKS HTTP server, signed tokens."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt

ISSUER_PATH = "/"
AUDIENCE = "https://api.crowdhire.test"


class SigningKey:
    """An RSA key pair with a kid, able to sign tokens and publish its JWK."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwk(self) -> dict[str, Any]:
        """The public JWK as a JWKS endpoint publishes it."""
        key: dict[str, Any] = jwk.construct(self.public_pem, "RS256").to_dict()
        key.update(kid=self.kid, use="sig", alg="RS256")
        return key


def _ec_jwk(kid: str) -> dict[str, Any]:
    """A public EC key: published next to ours, it must never verify an RS256 token."""
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key: dict[str, Any] = jwk.construct(pem, "ES256").to_dict()
    key.update(kid=kid, use="sig")
    return key


class JwksServer:
    """A real HTTP server on loopback publishing a JWKS that tests can rotate or take down."""

    def __init__(self) -> None:
        self.keys: list[SigningKey] = []
        self.extra_jwks: list[dict[str, Any]] = [_ec_jwk("ec-key-1")]
        self.fetches = 0
        self.down = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                if server.down or self.path != "/.well-known/jwks.json":
                    self.send_response(503 if server.down else 404)
                    self.end_headers()
                    return
                keys = [k.jwk() for k in server.keys] + server.extra_jwks
                body = json.dumps({"keys": keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet."""

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        """The issuer URL (Auth0 style, trailing slash)."""
        return f"http://127.0.0.1:{self._http.server_address[1]}/"

    @property
    def jwks_url(self) -> str:
        """Where the key set is published."""
        return f"{self.issuer}.well-known/jwks.json"

    def start(self) -> JwksServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._http.shutdown()
        self._http.server_close()


def sign(
    key: SigningKey,
    claims: dict[str, Any],
    *,
    headers: dict[str, Any] | None = None,
    algorithm: str = "RS256",
    secret: str | bytes | None = None,
) -> str:
    """A JWT signed with `key` (or `secret` for algorithm-confusion attacks)."""
    all_headers = {"kid": key.kid, **(headers or {})}
    token: str = jwt.encode(
        claims, secret if secret is not None else key.private_pem, algorithm=algorithm,
        headers=all_headers,
    )  # fmt: skip
    return token


def claims_for(issuer: str, sub: str, **overrides: Any) -> dict[str, Any]:
    """Valid Auth0-shaped claims for `sub`; overrides replace or (with None) remove claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": sub,
        "iat": now,
        "exp": now + 600,
        "permissions": [],
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


class Issuer:
    """The test suite's identity provider: sign tokens as anyone."""

    def __init__(self, server: JwksServer) -> None:
        self.server = server
        self.key = SigningKey("test-key-1")
        server.keys.append(self.key)

    def token(self, sub: str, permissions: list[str] | None = None, **overrides: Any) -> str:
        """A valid bearer token for `sub`."""
        claims = claims_for(self.server.issuer, sub, permissions=permissions or [], **overrides)
        return sign(self.key, claims)

    def admin_token(self) -> str:
        """A token with the admin:all permission."""
        return self.token("auth0|test-admin", ["admin:all"])
