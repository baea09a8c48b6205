"""File types from their bytes (a small magic table), and zip checks for DOCX and ODT.

A table rather than a library: six types, each with a fixed signature; DOCX and ODT need their
zip entries looked at anyway, which no magic-number library does safely on a bomb.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Awaitable, Callable

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
ZIP = "application/zip"  # an intermediate answer: DOCX, ODT or refused once the entries are read
ALLOWED_TYPES = (PDF, DOCX, ODT, TXT, PNG, JPEG)
TEXT_TYPES = frozenset({PDF, DOCX, ODT, TXT})
HEAD_BYTES = 512

_MAGIC = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"PK\x03\x04", ZIP),
)
_ODT_MIMETYPE = b"mimetype" + ODT.encode()
# Control characters other than tab, newline, form feed and carriage return mean "not text".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 64 * 1024 * 1024
MAX_CENTRAL_DIRECTORY = 1024 * 1024
_EOCD = b"PK\x05\x06"
_CENTRAL = struct.Struct("<4s6H3I5H2I")


class ZipRefused(Exception):  # noqa: N818 - a verdict about the input
    """The archive is not an acceptable DOCX/ODT; the message says why (no file content)."""


class TextProbe:
    """Whether a stream of chunks is UTF-8 text without control characters, chunk by chunk."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_text = True

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        """Look at the next chunk (a character split across chunks is fine)."""
        if not self.is_text:
            return
        try:
            decoded = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.is_text = False
            return
        if _CONTROL.search(decoded):
            self.is_text = False


def sniff(head: bytes, *, is_text: bool) -> str | None:
    """The type the first bytes announce: a binary signature, else text, else None."""
    for signature, content_type in _MAGIC:
        if head.startswith(signature):
            return content_type
    return TXT if is_text and head else None


def odt_mimetype_first(head: bytes) -> bool:
    """ODT stores an uncompressed `mimetype` entry first: its bytes follow the local header."""
    return head[30 : 30 + len(_ODT_MIMETYPE)] == _ODT_MIMETYPE


ReadRange = Callable[[int, int], Awaitable[bytes]]


async def zip_document_type(read_range: ReadRange, size: int, head: bytes) -> str:
    """DOCX or ODT from the central directory; refuses bombs and anything else zipped."""
    tail_length = min(size, 22 + 65535)
    tail = await read_range(size - tail_length, tail_length)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise ZipRefused("the archive has no end of central directory")
    _, _, _, entries, directory_size, directory_offset = struct.unpack_from("<4H2I", tail, at + 4)
    if entries == 0xFFFF or directory_offset == 0xFFFFFFFF:
        raise ZipRefused("zip64 archives are not accepted")
    if entries > MAX_ZIP_ENTRIES:
        raise ZipRefused(f"the archive has more than {MAX_ZIP_ENTRIES} entries")
    if directory_size > MAX_CENTRAL_DIRECTORY or directory_offset + directory_size > size:
        raise ZipRefused("the archive's central directory is malformed")
    directory = await read_range(directory_offset, directory_size)
    names, total = _entries(directory, entries)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise ZipRefused("the archive expands past the allowed size")
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return DOCX
    if "content.xml" in names and odt_mimetype_first(head):
        return ODT
    raise ZipRefused("the archive is neither a DOCX nor an ODT document")


def _entries(directory: bytes, expected: int) -> tuple[set[str], int]:
    names: set[str] = set()
    total = position = 0
    for _ in range(expected):
        if position + _CENTRAL.size > len(directory):
            raise ZipRefused("the archive's central directory is malformed")
        fields = _CENTRAL.unpack_from(directory, position)
        if fields[0] != b"PK\x01\x02":
            raise ZipRefused("the archive's central directory is malformed")
        uncompressed, name_length, extra_length, comment_length = fields[9:13]
        start = position + _CENTRAL.size
        names.add(directory[start : start + name_length].decode("utf-8", "replace"))
        total += uncompressed
        position = start + name_length + extra_length + comment_length
    return names, total
