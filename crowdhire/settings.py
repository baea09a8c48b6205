"""Runtime configuration: one pydantic-settings class, built once at start-up."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    """Where the process runs; production refuses dev conveniences."""

    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting crowdhire reads, typed, with its environment variable name."""

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
    seed_demo: bool = Field(True, description="dev only: seed demo data into an empty database")
    crowdhire_graphiql: bool | None = Field(
        None, description="serve GraphiQL at /graphql; default on except in production"
    )
    stripe_api_key: SecretStr | None = Field(None, description="Stripe secret key")

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Settings:
        if self.crowdhire_env is Environment.PRODUCTION and not self.mongodb_uri:
            raise ValueError("MONGODB_URI is required when CROWDHIRE_ENV=production")
        return self

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is on by default outside production."""
        if self.crowdhire_graphiql is None:
            return self.crowdhire_env is not Environment.PRODUCTION
        return self.crowdhire_graphiql

    @property
    def is_dev(self) -> bool:
        """True when dev conveniences (embedded mongod, demo seed) are allowed."""
        return self.crowdhire_env is Environment.DEV


def load_settings() -> Settings:
    """Read settings from the environment; raises a message naming the bad variable."""
    return Settings()
