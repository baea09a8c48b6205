"""Authentication: bearer token → verified claims → Viewer (identity + our roles)."""

from __future__ import annotations

from crowdhire.auth.dev import DEV_AUDIENCE, DEV_ISSUER, dev_public_jwk
from crowdhire.auth.jwks import JwksCache, StaticKeySet
from crowdhire.auth.tokens import TokenVerifier
from crowdhire.auth.viewer import ANONYMOUS, Viewer
from crowdhire.settings import Settings

__all__ = ["ANONYMOUS", "Viewer", "build_verifier"]


def build_verifier(settings: Settings) -> tuple[TokenVerifier | None, JwksCache | None]:
    """The verifier the settings ask for (and its JWKS cache, to close), or None when unset."""
    if settings.dev_issuer:
        jwk = dev_public_jwk(settings)
        keys = StaticKeySet({jwk["kid"]: jwk})
        verifier = TokenVerifier(
            keys,
            issuer=DEV_ISSUER,
            audience=DEV_AUDIENCE,
            leeway=settings.jwt_leeway_seconds,
            remember_seconds=settings.verified_token_seconds,
        )
        return verifier, None
    issuer, jwks_url, audience = settings.token_issuer, settings.jwks_url, settings.auth0_audience
    if not (issuer and jwks_url and audience):
        return None, None
    cache = JwksCache(
        jwks_url,
        ttl=settings.jwks_cache_seconds,
        refetch_seconds=settings.jwks_refetch_seconds,
        timeout=settings.jwks_timeout_seconds,
    )
    verifier = TokenVerifier(
        cache,
        issuer=issuer,
        audience=audience,
        leeway=settings.jwt_leeway_seconds,
        remember_seconds=settings.verified_token_seconds,
    )
    return verifier, cache
