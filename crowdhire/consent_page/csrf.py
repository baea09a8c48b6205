"""Same-site form tokens: a double-submit cookie, and a form field HMAC-bound to it and the link.

The cookie is random, HttpOnly and SameSite=Strict, so another site can neither read it nor make
the browser send it; the form field is HMAC(key, cookie, link) under a key derived from the
consent secret, so it is good for one cookie and one link only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from crowdhire.resolvers.consent_links import consent_secret
from crowdhire.settings import Settings

COOKIE_NAME = "consent_csrf"
COOKIE_PATH = "/consent/"
_COOKIE_LENGTH = 43  # token_urlsafe(32)


def new_cookie_value() -> str:
    """A fresh random cookie value."""
    return secrets.token_urlsafe(32)


def is_cookie_value(value: str | None) -> bool:
    """True for a value this module could have issued."""
    return value is not None and len(value) == _COOKIE_LENGTH and value.isascii()


def _key(settings: Settings) -> bytes:
    return hmac.new(consent_secret(settings).encode(), b"crowdhire:consent-csrf", "sha256").digest()


def form_token(settings: Settings, cookie: str, link_token: str) -> str:
    """The hidden field's value for this cookie and link."""
    link_digest = hashlib.sha256(link_token.encode()).hexdigest()
    mac = hmac.new(_key(settings), f"{cookie}\x00{link_digest}".encode(), "sha256")
    return mac.hexdigest()


def form_token_is_valid(
    settings: Settings, cookie: str | None, link_token: str, submitted: str | None
) -> bool:
    """True when the submitted field matches the request's cookie and this link."""
    if not is_cookie_value(cookie) or not submitted or len(submitted) != 64:
        return False
    assert cookie is not None
    return hmac.compare_digest(form_token(settings, cookie, link_token), submitted)
