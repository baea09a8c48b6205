"""Encryption at rest: AES-256-GCM over 1 MiB chunks, so files of any size stream in bounded memory.

File layout: MAGIC, an 8-byte random prefix, then chunks of (4-byte length, ciphertext + tag).
Chunk n is sealed with nonce = prefix + n and associated data = MAGIC + prefix + n + a final
flag, so a chunk that is altered, reordered, dropped, or a file cut short fails to open.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crowdhire.backup.errors import BackupError

MAGIC = b"CHBKENC1"
CHUNK = 1 << 20


def key_id(key: bytes) -> str:
    """Names a key without revealing it, so a restore can say which key it needs."""
    return hashlib.sha256(b"crowdhire-backup-key-id\x00" + key).hexdigest()[:16]


def _aad(prefix: bytes, index: int, final: bool) -> bytes:
    return MAGIC + prefix + struct.pack(">IB", index, final)


class EncryptingWriter(io.RawIOBase):
    """Write-only stream that seals what it is given, one chunk at a time."""

    def __init__(self, raw: BinaryIO | io.RawIOBase, key: bytes) -> None:
        self._raw, self._aead = raw, AESGCM(key)
        self._prefix = os.urandom(8)
        self._buffer = bytearray()
        self._index = 0
        raw.write(MAGIC + self._prefix)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        sealed = self._aead.encrypt(nonce, plain, _aad(self._prefix, self._index, final))
        self._raw.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """Read-only stream of the plaintext of an EncryptingWriter file."""

    def __init__(self, raw: BinaryIO, key: bytes, name: str) -> None:
        self._raw, self._aead, self._name = raw, AESGCM(key), name
        header = raw.read(len(MAGIC) + 8)
        if header[: len(MAGIC)] != MAGIC:
            raise BackupError(f"{name} is not an encrypted backup file (or it is damaged)")
        self._prefix = header[len(MAGIC) :]
        self._plain = b""
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._plain and not self._done:
            self._open_next()
        size = min(len(target), len(self._plain))
        target[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size

    def _open_next(self) -> None:
        length = self._raw.read(4)
        if len(length) < 4:
            raise BackupError(f"{self._name} is cut short (its last encrypted chunk is missing)")
        sealed = self._raw.read(struct.unpack(">I", length)[0])
        nonce = self._prefix + struct.pack(">I", self._index)
        for final in (False, True):
            try:
                aad = _aad(self._prefix, self._index, final)
                self._plain = self._aead.decrypt(nonce, sealed, aad)
            except InvalidTag:
                continue
            self._done, self._index = final, self._index + 1
            return
        raise BackupError(
            f"{self._name} cannot be decrypted: BACKUP_ENCRYPTION_KEY is not the key it was"
            " written with, or the file is damaged"
        )
