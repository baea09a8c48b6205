"""The file store interface: where candidate files' bytes live (GridFS by default, S3 possible).

Writes stream in chunks and either commit or abort (an aborted write leaves nothing behind);
reads stream chunks back. See docs/deploy.md for an S3 implementation of the same interface.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession


class FileWriter(Protocol):
    """One file being written; nothing is readable until `commit`."""

    async def write(self, chunk: bytes) -> None:
        """Append bytes (the backend flushes whole chunks as they fill)."""

    async def commit(self) -> None:
        """Make the file readable under its id."""

    async def abort(self) -> None:
        """Drop everything written so far."""


class FileStore(Protocol):
    """Streams files in and out by id."""

    def open_writer(self, file_id: ObjectId, filename: str) -> FileWriter:
        """Start writing a file under a caller-chosen id (so cleanup knows it up front)."""

    def read(self, file_id: ObjectId) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk."""

    async def read_range(self, file_id: ObjectId, offset: int, length: int) -> bytes:
        """`length` bytes from `offset` (for a zip's central directory at the end)."""

    async def delete_many(
        self, file_ids: Sequence[ObjectId], session: AsyncClientSession | None = None
    ) -> None:
        """Remove files and any partial chunks under these ids (missing ids are fine)."""
