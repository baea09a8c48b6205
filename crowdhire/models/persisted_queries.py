"""PersistedQuery: a GraphQL document registered under the SHA-256 of its text."""

from __future__ import annotations

import hashlib
from typing import Annotated

from beanie import Indexed
from pydantic import Field

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


def document_hash(query: str) -> str:
    """The Apollo APQ hash: hex SHA-256 of the exact document text (UTF-8)."""
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQuery(StoredDocument):
    """A registered document; `sha256` is unique, so registering twice is harmless."""

    sha256: Annotated[str, Indexed(unique=True)] = Field(pattern=r"^[0-9a-f]{64}$")
    query: str = Field(min_length=1)
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "persisted_queries"
        use_cache = False
