"""The GridFS file store: chunks in the same replica set, through PyMongo's async GridFS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.asynchronous.grid_file import AsyncGridIn
from gridfs.errors import NoFile
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "candidate_files"
CHUNK_BYTES = 255 * 1024  # GridFS's default: a chunk document well below the 16 MB limit


class GridFSWriter:
    """An open GridFS upload; AsyncGridIn holds at most one chunk in memory."""

    def __init__(self, grid_in: AsyncGridIn) -> None:
        self._grid_in = grid_in

    async def write(self, chunk: bytes) -> None:
        """Append bytes; full chunks go to MongoDB as they fill."""
        await self._grid_in.write(chunk)

    async def commit(self) -> None:
        """Flush the last chunk and write the files document."""
        await self._grid_in.close()

    async def abort(self) -> None:
        """Delete the chunks written so far (no files document exists yet)."""
        await self._grid_in.abort()


class GridFSStore:
    """Candidate files in the `candidate_files` bucket of the app's database."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._bucket = AsyncGridFSBucket(database, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)
        self._files = database[f"{BUCKET}.files"]
        self._chunks = database[f"{BUCKET}.chunks"]

    def open_writer(self, file_id: ObjectId, filename: str) -> GridFSWriter:
        """A writer for a new file under `file_id`."""
        return GridFSWriter(self._bucket.open_upload_stream_with_id(file_id, filename))

    async def read(self, file_id: ObjectId) -> AsyncIterator[bytes]:
        """The file chunk by chunk (one chunk in memory at a time)."""
        grid_out = await self._bucket.open_download_stream(file_id)
        while chunk := await grid_out.readchunk():
            yield chunk

    async def read_range(self, file_id: ObjectId, offset: int, length: int) -> bytes:
        """Bytes from a position: GridFS seeks to the right chunk."""
        try:
            grid_out = await self._bucket.open_download_stream(file_id)
        except NoFile:
            return b""
        await grid_out.seek(offset)
        data: bytes = await grid_out.read(length)
        return data

    async def delete_many(
        self, file_ids: Sequence[ObjectId], session: AsyncClientSession | None = None
    ) -> None:
        """Two deletes for any number of files, so erasure can run inside its transaction."""
        if not file_ids:
            return
        ids = list(file_ids)
        await self._files.delete_many({"_id": {"$in": ids}}, session=session)
        await self._chunks.delete_many({"files_id": {"$in": ids}}, session=session)
