"""Send one message over SMTP with aiosmtplib, to whatever SMTP_URL names (SES, Postmark, a relay).

`smtp://` upgrades with STARTTLS when the server offers it, `smtp+starttls://` insists on it,
`smtps://` speaks TLS from the first byte. Certificates are always verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib

from crowdhire.observability.stats import observed_call
from crowdhire.settings import Settings

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, read from SMTP_URL."""

    host: str
    port: int
    use_tls: bool
    start_tls: bool | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """Host, port and TLS mode of an smtp://, smtp+starttls:// or smtps:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port, smtp+starttls:// or smtps://")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[parts.scheme],
        use_tls=parts.scheme == "smtps",
        start_tls=True if parts.scheme == "smtp+starttls" else None,
    )


async def send_message(settings: Settings, message: EmailMessage) -> None:
    """Deliver `message` to the configured server; raises on any refusal (the task retries)."""
    if settings.smtp_url is None:
        raise RuntimeError("SMTP_URL is not set")
    target = parse_smtp_url(settings.smtp_url)
    username, password = settings.smtp_username, settings.smtp_password
    with observed_call("smtp"):
        await aiosmtplib.send(
            message,
            hostname=target.host,
            port=target.port,
            use_tls=target.use_tls,
            start_tls=target.start_tls,
            username=username.get_secret_value() if username else None,
            password=password.get_secret_value() if password else None,
            timeout=settings.smtp_timeout_seconds,
        )
