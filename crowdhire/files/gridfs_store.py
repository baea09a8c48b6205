"""The GridFS file store: chunks in the same replica set, read through PyMongo's async GridFS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from bson import Binary, ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "candidate_files"
CHUNK_BYTES = 255 * 1024  # GridFS's default: a chunk document well below the 16 MB limit


class GridFSWriter:
    """An open upload in GridFS's own layout, one chunk document per 255 KiB as it fills.

    PyMongo's AsyncGridIn batches up to 32 MB of chunks before inserting them, which would hold
    a whole 10 MB file in memory; this writer holds at most one chunk, and the files document
    written at commit makes the file readable through AsyncGridFSBucket like any other.
    """

    def __init__(self, store: GridFSStore, file_id: ObjectId, filename: str) -> None:
        self._store, self._file_id, self._filename = store, file_id, filename
        self._buffer = bytearray()
        self._chunk_number = self._length = 0

    async def write(self, chunk: bytes) -> None:
        """Append bytes; every full chunk is inserted at once."""
        self._buffer += chunk
        while len(self._buffer) >= CHUNK_BYTES:
            await self._flush(bytes(self._buffer[:CHUNK_BYTES]))
            del self._buffer[:CHUNK_BYTES]

    async def _flush(self, data: bytes) -> None:
        if self._chunk_number == 0:
            await self._store.ensure_indexes()
        document = {"files_id": self._file_id, "n": self._chunk_number, "data": Binary(data)}
        await self._store.chunks.insert_one(document)
        self._chunk_number += 1
        self._length += len(data)

    async def commit(self) -> None:
        """Flush the last chunk and write the files document."""
        if self._buffer or self._chunk_number == 0:
            await self._flush(bytes(self._buffer))
            self._buffer.clear()
        await self._store.files.insert_one({
            "_id": self._file_id, "length": self._length, "chunkSize": CHUNK_BYTES,
            "uploadDate": datetime.now(UTC), "filename": self._filename,
        })  # fmt: skip

    async def abort(self) -> None:
        """Delete the chunks written so far (no files document exists yet)."""
        self._buffer.clear()
        await self._store.chunks.delete_many({"files_id": self._file_id})


class GridFSStore:
    """Candidate files in the `candidate_files` bucket of the app's database."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._bucket = AsyncGridFSBucket(database, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)
        self.files = database[f"{BUCKET}.files"]
        self.chunks = database[f"{BUCKET}.chunks"]

    async def ensure_indexes(self) -> None:
        """GridFS's unique chunk index (a no-op once it exists)."""
        await self.chunks.create_index([("files_id", 1), ("n", 1)], unique=True)

    def open_writer(self, file_id: ObjectId, filename: str) -> GridFSWriter:
        """A writer for a new file under `file_id`."""
        return GridFSWriter(self, file_id, filename)

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
        await self.files.delete_many({"_id": {"$in": ids}}, session=session)
        await self.chunks.delete_many({"files_id": {"$in": ids}}, session=session)
