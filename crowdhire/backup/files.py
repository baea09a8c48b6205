"""Archive files: concatenated BSON documents, gzip-compressed, optionally encrypted.

The SHA-256 covers the bytes on disk, so `backup verify` checks an encrypted archive without a key.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from crowdhire.backup.crypto import DecryptingReader, EncryptingWriter
from crowdhire.backup.errors import BackupError

COMPRESS_LEVEL = 3  # level 3 of 9: most of the size gain at a fraction of level 6's CPU
SUFFIX = ".bson.gz"
ENCRYPTED_SUFFIX = ".bson.gz.enc"


def data_suffix(encrypted: bool) -> str:
    """The file ending of a data file."""
    return ENCRYPTED_SUFFIX if encrypted else SUFFIX


class _HashingFile(io.RawIOBase):
    """Counts and hashes what passes through to the real file."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        self._raw.write(data)
        return len(data)


@dataclass(frozen=True)
class Written:
    """What a finished data file holds."""

    count: int
    size: int
    sha256: str


class BsonWriter:
    """Appends raw BSON documents to `path` (written under a temporary name, renamed on close)."""

    def __init__(self, path: Path, key: bytes | None) -> None:
        self.path = path
        self._partial = path.with_name(path.name + ".partial")
        self._file = self._partial.open("wb")
        self._hashing = _HashingFile(self._file)
        self._sealer = EncryptingWriter(self._hashing, key) if key else None
        target: BinaryIO = self._sealer if self._sealer else self._hashing  # type: ignore[assignment]
        self._gzip = gzip.GzipFile(fileobj=target, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0)
        self.count = 0

    def write(self, document: bytes | memoryview) -> None:
        """One BSON document, as its raw bytes."""
        self._gzip.write(document)
        self.count += 1

    def close(self) -> Written:
        """Finish the file, flush it to disk and move it into place."""
        self._gzip.close()
        if self._sealer:
            self._sealer.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._partial.rename(self.path)
        return Written(self.count, self._hashing.size, self._hashing.sha256.hexdigest())

    def discard(self) -> None:
        """Drop a file that will not be finished."""
        self._file.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.discard()


def read_documents(path: Path, key: bytes | None) -> Iterator[bytes]:
    """The raw BSON documents of a data file, one at a time."""
    name = path.name
    with path.open("rb") as raw:
        source: BinaryIO = raw
        if path.name.endswith(ENCRYPTED_SUFFIX):
            if key is None:
                raise BackupError(f"{name} is encrypted: set BACKUP_ENCRYPTION_KEY to its key")
            source = io.BufferedReader(DecryptingReader(raw, key, name), CHUNK_READ)
        try:
            with gzip.GzipFile(fileobj=source, mode="rb") as stream:
                while header := stream.read(4):
                    if len(header) < 4:
                        raise BackupError(f"{name} ends in the middle of a document")
                    length = struct.unpack("<i", header)[0]
                    body = stream.read(length - 4)
                    if len(body) != length - 4:
                        raise BackupError(f"{name} ends in the middle of a document")
                    yield header + body
        except (OSError, EOFError, zlib.error) as error:
            raise BackupError(f"{name} is damaged: {error}") from None


CHUNK_READ = 1 << 16


def file_sha256(path: Path) -> str:
    """SHA-256 of the bytes on disk."""
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
