"""Runtime configuration: one pydantic-settings class, built once at start-up."""

from __future__ import annotations

import base64
import binascii
import json
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crowdhire.settings.events import EventSettings
from crowdhire.settings.files import FileSettings
from crowdhire.settings.mail import MailSettings
from crowdhire.settings.matching import MatchingIndexSettings
from crowdhire.settings.read_path import ReadPathSettings
from crowdhire.settings.subscriptions import SubscriptionSettings
from crowdhire.settings.webhooks import WebhookSettings


class Environment(StrEnum):
    """Where the process runs; production refuses dev conveniences."""

    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    """How log lines are written."""

    JSON = "json"
    TEXT = "text"


class Settings(
    EventSettings,
    FileSettings,
    MailSettings,
    MatchingIndexSettings,
    ReadPathSettings,
    SubscriptionSettings,
    WebhookSettings,
    BaseSettings,
):
    """Every setting crowdhire reads, typed, with its environment variable name.

    A domain with several settings of its own keeps them in a base class in its own module here.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    crowdhire_env: Environment = Field(Environment.DEV, description="dev, test or production")
    host: str = Field("127.0.0.1", description="address uvicorn binds")
    port: int = Field(8000, ge=1, le=65535, description="port uvicorn binds")
    data_dir: Path = Field(Path(".data"), description="local state (embedded mongod, dev keys)")
    mongodb_uri: str | None = Field(
        None, description="external MongoDB; unset in dev = start an embedded mongod"
    )
    mongodb_db: str = Field("crowdhire", min_length=1, description="database name")
    mongodb_timeout_ms: int = Field(
        5000, ge=100, description="server selection / connect timeout for MongoDB"
    )
    memcached_url: str | None = Field(
        None, description="memcached host:port (or twemproxy); unset = in-process cache"
    )
    cache_enabled: bool = Field(True, description="false disables the object cache entirely")
    cache_ttl_seconds: int = Field(300, ge=1, le=30 * 24 * 3600, description="object cache TTL")
    cache_timeout_ms: int = Field(
        50, ge=1, le=5000, description="give up on one memcached operation after this long"
    )
    cache_retry_seconds: float = Field(
        1.0, ge=0, description="after a memcached failure, skip it for this long"
    )
    cache_pool_size: int = Field(8, ge=1, le=256, description="memcached connections per process")
    response_cache_enabled: bool = Field(
        True, description="answer repeated queries from ready-to-serve JSON (needs the cache)"
    )
    response_cache_ttl_seconds: int = Field(
        60, ge=1, le=24 * 3600, description="upper bound on a cached answer's age"
    )
    response_cache_max_bytes: int = Field(
        512 * 1024, ge=1024, le=1024 * 1024, description="larger answers are not cached"
    )
    public_cache_max_age_seconds: int = Field(
        30, ge=0, le=3600, description="max-age of anonymous GET answers (the public job board)"
    )
    public_cache_stale_seconds: int = Field(
        30, ge=0, le=3600, description="stale-while-revalidate of anonymous GET answers"
    )
    seed_demo: bool = Field(True, description="dev only: seed demo data into an empty database")
    crowdhire_graphiql: bool | None = Field(
        None, description="serve GraphiQL at /graphql; default on except in production"
    )
    # Authentication (Auth0 or any compatible RS256 issuer)
    auth0_domain: str | None = Field(None, description="Auth0 tenant domain (acme.eu.auth0.com)")
    auth0_audience: str | None = Field(None, description="API identifier tokens must be issued for")
    auth0_issuer: str | None = Field(
        None, description="override the issuer (default https://DOMAIN/)"
    )
    auth0_jwks_url: str | None = Field(
        None, description="override the JWKS URL (default https://DOMAIN/.well-known/jwks.json)"
    )
    jwt_leeway_seconds: int = Field(30, ge=0, le=60, description="clock skew on exp/nbf/iat")
    jwks_cache_seconds: int = Field(600, ge=1, description="how long fetched signing keys are kept")
    verified_token_seconds: int = Field(
        60,
        ge=0,
        le=600,
        description="how long a verified token's claims are remembered, never past its exp "
        "(0: verify every request)",
    )
    jwks_refetch_seconds: float = Field(
        30, ge=0, description="at most one JWKS refetch per this many seconds (unknown kid)"
    )
    jwks_timeout_seconds: float = Field(2, gt=0, le=10, description="JWKS fetch timeout")
    stripe_api_key: SecretStr | None = Field(None, description="Stripe secret key")
    stripe_api_base: str = Field(
        "https://api.stripe.com", description="Stripe API base URL (localstripe in dev and tests)"
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="webhook signing secret(s): one, comma-separated or a JSON list"
    )
    stripe_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="timeout of one call to the Stripe API"
    )
    # Hardening: GraphQL limits, query cost budget, persisted queries, HTTP rules
    max_query_depth: int = Field(10, ge=1, description="deepest field nesting a query may have")
    max_aliases: int = Field(15, ge=0, description="aliases per document (fragments counted)")
    max_tokens: int = Field(2000, ge=10, description="lexical tokens per document")
    max_directives_per_field: int = Field(5, ge=0, description="directives on one field")
    max_list_items: int = Field(100, ge=1, description="items in one list argument or variable")
    max_validation_errors: int = Field(5, ge=1, description="validation stops after this many")
    max_query_cost: int = Field(1000, ge=1, description="static cost one query may request")
    cost_budget_points: int = Field(
        10_000, ge=1, description="cost points per identity per budget window (all replicas)"
    )
    cost_budget_window_seconds: int = Field(60, ge=1, description="length of a budget window")
    cost_budget_unconfirmed_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="share of an identity's points one process may spend before memcached"
        " confirms the replicas' total",
    )
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="largest request body (413)")
    request_timeout_seconds: float = Field(
        10.0, gt=0, description="deadline of one GraphQL request"
    )
    mongodb_operation_timeout_ms: int = Field(
        8000, ge=10, description="PyMongo timeoutMS; keep it below the request deadline"
    )
    crowdhire_introspection: bool | None = Field(
        None, description="allow introspection; default on except in production"
    )
    crowdhire_persisted_only: bool = Field(
        False, description="safelist mode: only registered persisted queries run"
    )
    cors_allow_origins: list[str] = Field(
        default_factory=list, description="origins allowed by CORS (JSON list); never '*'"
    )
    cors_allow_credentials: bool = Field(False, description="let CORS requests carry cookies")
    cors_max_age_seconds: int = Field(
        7200, ge=0, le=86400, description="how long browsers may reuse a preflight answer"
    )
    # Operations: logs, lifecycle, proxy
    log_format: LogFormat = Field(
        LogFormat.JSON, description="json (one object per line) or text log lines"
    )
    mongodb_startup_timeout_seconds: float = Field(
        30, ge=0, description="start-up fails when MongoDB does not answer within this long"
    )
    shutdown_timeout_seconds: int = Field(
        25, ge=0, description="on SIGTERM, wait at most this long for in-flight requests"
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies whose X-Forwarded-* headers uvicorn trusts ('*' = any)"
    )
    # Candidate consent links
    consent_token_secret: SecretStr | None = Field(
        None,
        description="HS256 key of consent links (32+ random bytes); unset outside production ="
        " one generated and kept under DATA_DIR",
    )
    duplicate_answers_per_day: int = Field(
        20, ge=1, description="DUPLICATE_CANDIDATE answers one recruiter gets per UTC day"
    )
    duplicate_answers_per_day_new: int = Field(
        5, ge=1, description="the same for new recruiters (young, or without a placement)"
    )
    new_recruiter_days: int = Field(
        30, ge=0, description="recruiters registered fewer days ago than this count as new"
    )
    cursor_secret: SecretStr | None = Field(
        None,
        description="key sealing pagination cursors (32+ random bytes, the same on every"
        " instance); unset outside production = one generated and kept under DATA_DIR",
    )
    worker_enabled: bool = Field(
        True, description="run the background worker (queued tasks in MongoDB) in this process"
    )
    worker_concurrency: int = Field(2, ge=1, le=64, description="tasks one process runs at once")
    worker_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="how often an idle worker looks for runnable tasks"
    )
    worker_lease_seconds: float = Field(
        120.0, gt=0, description="a claimed task is retaken by others after this long"
    )
    backup_snapshot_hours: float = Field(
        24.0, gt=0, description="`backup follow` takes a snapshot this often"
    )
    backup_keep_days: float = Field(
        7.0, gt=0, description="point-in-time restore window `backup follow` keeps"
    )
    backup_segment_seconds: float = Field(
        60.0, gt=0, le=3600, description="an oplog segment is written at least this often"
    )
    backup_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="how often `backup follow` reads the oplog"
    )
    backup_encryption_key: SecretStr | None = Field(
        None, description="AES-256-GCM key of backups at rest: 32 bytes as 64 hex digits or base64"
    )
    matching_refresh_seconds: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="how often the in-memory vector index reads vectors other instances wrote",
    )
    matching_vector_search: Literal["memory", "atlas"] = Field(
        "memory",
        description="candidate generation: the in-process numpy index, or Atlas $vectorSearch",
    )
    matching_atlas_index: str = Field(
        "embeddings_vector", description="name of the Atlas Vector Search index on embeddings"
    )

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Settings:
        if self.crowdhire_env is Environment.PRODUCTION and not self.mongodb_uri:
            raise ValueError("MONGODB_URI is required when CROWDHIRE_ENV=production")
        if self.crowdhire_env is Environment.PRODUCTION and not (
            self.auth0_audience
            and (self.auth0_domain or (self.auth0_issuer and self.auth0_jwks_url))
        ):
            raise ValueError(
                "AUTH0_DOMAIN and AUTH0_AUDIENCE (or AUTH0_ISSUER, AUTH0_JWKS_URL and"
                " AUTH0_AUDIENCE) are required when CROWDHIRE_ENV=production"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_consent_secret(self) -> Settings:
        if self.crowdhire_env is Environment.PRODUCTION and self.consent_token_secret is None:
            raise ValueError("CONSENT_TOKEN_SECRET is required when CROWDHIRE_ENV=production")
        if self.crowdhire_env is Environment.PRODUCTION and not self.public_base_url:
            raise ValueError("PUBLIC_BASE_URL is required when CROWDHIRE_ENV=production")
        # The consent page's cookie is Secure only behind https, and the link is a credential.
        https_only = self.crowdhire_env is Environment.PRODUCTION
        schemes = ("https://",) if https_only else ("https://", "http://")
        if self.public_base_url and not self.public_base_url.startswith(schemes):
            scheme = "https://" if https_only else "http:// or https://"
            raise ValueError(f"PUBLIC_BASE_URL must start with {scheme}")
        if self.crowdhire_env is Environment.PRODUCTION and self.cursor_secret is None:
            raise ValueError("CURSOR_SECRET is required when CROWDHIRE_ENV=production")
        return self

    @field_validator(
        "public_base_url", "privacy_notice_url", "smtp_url", "smtp_username", "smtp_password",
        mode="before",
    )  # fmt: skip
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        # Compose passes `${SMTP_URL:-}` as an empty string: that is "not configured".
        return None if value == "" else value

    @model_validator(mode="after")
    def _smtp_url_is_readable(self) -> Settings:
        schemes = ("smtp://", "smtp+starttls://", "smtps://")
        if self.smtp_url is not None and not self.smtp_url.startswith(schemes):
            raise ValueError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
        return self

    @property
    def public_origin(self) -> str:
        """Where links in emails point: PUBLIC_BASE_URL, else this process's own address."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def token_issuer(self) -> str | None:
        """The `iss` tokens must carry (Auth0's has a trailing slash)."""
        if self.auth0_issuer:
            return self.auth0_issuer
        return f"https://{self.auth0_domain}/" if self.auth0_domain else None

    @property
    def jwks_url(self) -> str | None:
        """Where the issuer publishes its signing keys."""
        if self.auth0_jwks_url:
            return self.auth0_jwks_url
        return f"https://{self.auth0_domain}/.well-known/jwks.json" if self.auth0_domain else None

    @property
    def dev_issuer(self) -> bool:
        """Dev mode without Auth0 settings: the app signs and verifies its own tokens."""
        return self.is_dev and not (self.auth0_domain or self.auth0_issuer or self.auth0_jwks_url)

    @model_validator(mode="after")
    def _hardening_is_consistent(self) -> Settings:
        if "*" in self.cors_allow_origins and self.cors_allow_credentials:
            raise ValueError("CORS_ALLOW_ORIGINS may not contain '*' with CORS_ALLOW_CREDENTIALS")
        if self.mongodb_operation_timeout_ms >= self.request_timeout_seconds * 1000:
            raise ValueError("MONGODB_OPERATION_TIMEOUT_MS must be below REQUEST_TIMEOUT_SECONDS")
        return self

    @property
    def introspection_enabled(self) -> bool:
        """Introspection is on by default outside production (hardening)."""
        if self.crowdhire_introspection is None:
            return self.crowdhire_env is not Environment.PRODUCTION
        return self.crowdhire_introspection

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is on by default outside production."""
        if self.crowdhire_graphiql is None:
            return self.crowdhire_env is not Environment.PRODUCTION
        return self.crowdhire_graphiql

    @property
    def stripe_webhook_secrets(self) -> list[str]:
        """Every accepted webhook signing secret (several during a rotation)."""
        raw: SecretStr | str | None = self.stripe_webhook_secret  # a str after model_copy(update)
        if raw is None:
            return []
        return _split_secrets(raw.get_secret_value() if isinstance(raw, SecretStr) else raw)

    @model_validator(mode="after")
    def _stripe_secrets_parse(self) -> Settings:
        self.stripe_webhook_secrets  # noqa: B018 - raises (naming the variable) when malformed
        return self

    @property
    def backup_key(self) -> bytes | None:
        """The decoded BACKUP_ENCRYPTION_KEY (None: backups are written unencrypted)."""
        raw: SecretStr | str | None = self.backup_encryption_key
        if raw is None:
            return None
        return _decode_key(raw.get_secret_value() if isinstance(raw, SecretStr) else raw)

    @model_validator(mode="after")
    def _backup_key_decodes(self) -> Settings:
        self.backup_key  # noqa: B018 - raises (naming the variable) when malformed
        return self

    @property
    def is_dev(self) -> bool:
        """True when dev conveniences (embedded mongod, demo seed) are allowed."""
        return self.crowdhire_env is Environment.DEV


def _split_secrets(raw: str) -> list[str]:
    """Webhook secrets from one string: a JSON list, or comma-separated."""
    text = raw.strip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            values = None
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("STRIPE_WEBHOOK_SECRET must be a JSON list of strings")
    else:
        values = text.split(",")
    return [value.strip() for value in values if value.strip()]


def _decode_key(text: str) -> bytes:
    """32 bytes from 64 hex digits or base64."""
    raw = text.strip()
    try:
        key = bytes.fromhex(raw) if len(raw) == 64 else base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ValueError(
            "BACKUP_ENCRYPTION_KEY must be 32 random bytes as 64 hex digits or base64"
            " (openssl rand -hex 32)"
        )
    return key


def load_settings() -> Settings:
    """Read settings from the environment; raises a message naming the bad variable."""
    return Settings()
