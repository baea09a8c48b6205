"""Dev mode: crowdhire is its own token issuer (impossible outside CROWDHIRE_ENV=dev).

The RSA key lives under DATA_DIR; `crowdhire token` signs with it and the app verifies with it
and publishes its public half at /.well-known/jwks.json.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

from crowdhire.settings import Settings

DEV_ISSUER = "https://crowdhire.dev.invalid/"
DEV_AUDIENCE = "https://api.crowdhire.dev.invalid"
KEY_FILE = "dev-jwt-key.pem"


def _refuse_outside_dev(settings: Settings) -> None:
    if not settings.dev_issuer:
        raise RuntimeError("the dev token issuer only exists with CROWDHIRE_ENV=dev and no Auth0")


def dev_private_key(settings: Settings) -> bytes:
    """The dev signing key (PEM), created on first use under DATA_DIR."""
    _refuse_outside_dev(settings)
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return path.read_bytes()


def dev_public_jwk(settings: Settings) -> dict[str, Any]:
    """The public JWK (with a stable kid) of the dev signing key."""
    pem = dev_private_key(settings)
    public = serialization.load_pem_private_key(pem, password=None).public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key: dict[str, Any] = jwk.construct(public_pem, "RS256").to_dict()
    key.update(kid=hashlib.sha256(public_pem).hexdigest()[:16], use="sig", alg="RS256")
    return key


def mint_dev_token(
    settings: Settings, sub: str, permissions: list[str], *, ttl_seconds: int = 8 * 3600
) -> str:
    """A dev bearer token for `sub`, shaped like Auth0's (RBAC permissions array)."""
    now = int(time.time())
    claims = {
        "iss": DEV_ISSUER,
        "aud": [DEV_AUDIENCE],
        "sub": sub,
        "iat": now,
        "exp": now + ttl_seconds,
        "permissions": permissions,
    }
    kid = dev_public_jwk(settings)["kid"]
    token: str = jwt.encode(
        claims, dev_private_key(settings).decode(), algorithm="RS256", headers={"kid": kid}
    )
    return token
