"""Email the platform sends (consent requests): where links point, the SMTP server, how often."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class MailSettings(BaseSettings):
    """The SMTP server and the limits that keep consent emails from becoming spam."""

    public_base_url: str | None = Field(
        None,
        description="origin the emailed links point at (https://api.example.com); unset ="
        " http://HOST:PORT; required in production",
    )
    privacy_notice_url: str | None = Field(
        None, description="the privacy notice the consent page links to; unset = /privacy"
    )
    smtp_url: str | None = Field(
        None,
        description="smtp://host:port (STARTTLS when offered), smtp+starttls:// (required) or"
        " smtps:// (implicit TLS); unset = consent requests answer EMAIL_UNAVAILABLE",
    )
    smtp_from: str = Field(
        "crowdhire <no-reply@crowdhire.invalid>", description="From header of outgoing email"
    )
    smtp_username: SecretStr | None = Field(None, description="SMTP AUTH user name")
    smtp_password: SecretStr | None = Field(None, description="SMTP AUTH password")
    smtp_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="timeout of one SMTP conversation"
    )
    consent_email_interval_seconds: int = Field(
        600, ge=0, description="at most one consent email per candidate this often"
    )
    consent_emails_per_day: int = Field(
        5, ge=1, description="consent emails per candidate per rolling 24 hours"
    )
