"""Receiving an upload: stream the body into the store, refusing as soon as a rule is broken.

Nothing is ever held whole in memory (the head for sniffing is 512 bytes), and a refused or
interrupted upload aborts its write, so no chunk stays behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial

from bson import ObjectId

from crowdhire.files.sniff import (
    HEAD_BYTES,
    ZIP,
    TextProbe,
    ZipRefused,
    sniff,
    zip_document_type,
)
from crowdhire.files.store import FileStore


@dataclass(frozen=True)
class Received:
    """A stored file's facts, established from its bytes."""

    size: int
    sha256: str
    content_type: str


class IntakeRefused(Exception):  # noqa: N818 - a verdict about the input
    """Why the bytes were refused: a stable code, a message and the HTTP status to answer."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Expected:
    """What the upload was declared as when it was created."""

    size: int
    content_type: str
    max_bytes: int


async def receive(
    store: FileStore,
    chunks: AsyncIterator[bytes],
    file_id: ObjectId,
    filename: str,
    expected: Expected,
) -> Received:
    """Write the stream under `file_id` and return what it turned out to be, or refuse."""
    writer = store.open_writer(file_id, filename)
    committed = False
    try:
        head, total, digest, probe = b"", 0, hashlib.sha256(), TextProbe()
        async for chunk in chunks:
            if not chunk:
                continue
            total += len(chunk)
            _check_length(total, expected)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
                probe.feed(chunk)
                if len(head) == HEAD_BYTES and sniff(head, is_text=probe.is_text) is None:
                    raise _unsupported()
            else:
                probe.feed(chunk)
            digest.update(chunk)
            await writer.write(chunk)
        probe.feed(b"", final=True)
        if total != expected.size:
            message = f"received {total} bytes but the upload was declared as {expected.size}"
            raise IntakeRefused("SIZE_MISMATCH", message, 400)
        detected = sniff(head, is_text=probe.is_text)
        if detected is None:
            raise _unsupported()
        await writer.commit()
        committed = True
        if detected == ZIP:
            try:
                detected = await zip_document_type(partial(store.read_range, file_id), total, head)
            except ZipRefused as refused:
                raise IntakeRefused("UNSUPPORTED_TYPE", str(refused), 415) from None
        if detected != expected.content_type:
            message = f"the bytes are {detected}, not the declared {expected.content_type}"
            raise IntakeRefused("CONTENT_TYPE_MISMATCH", message, 415)
        return Received(size=total, sha256=digest.hexdigest(), content_type=detected)
    except BaseException:
        # Refused, failed or cut off (client gone, task cancelled): leave nothing behind.
        if committed:
            await store.delete_many([file_id])
        else:
            await writer.abort()
        raise


def _check_length(total: int, expected: Expected) -> None:
    if total > expected.max_bytes:
        message = f"files are limited to {expected.max_bytes} bytes"
        raise IntakeRefused("TOO_LARGE", message, 413)
    if total > expected.size:
        message = f"more bytes than the declared size of {expected.size}"
        raise IntakeRefused("SIZE_MISMATCH", message, 413)


def _unsupported() -> IntakeRefused:
    message = "only PDF, DOCX, ODT, plain UTF-8 text, PNG and JPEG files are accepted"
    return IntakeRefused("UNSUPPORTED_TYPE", message, 415)
