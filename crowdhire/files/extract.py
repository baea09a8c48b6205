"""Text of PDF, DOCX, ODT and TXT files, extracted in a child process with a time limit.

A child process because parsers of hostile files can loop or balloon: the parent kills it at the
deadline and the child runs under a memory limit, so neither reaches the API process. The child
prints JSON on stdout and nothing else; the text never goes to a log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from bson import ObjectId

from crowdhire.files.sniff import DOCX, ODT, PDF, TXT
from crowdhire.files.store import FileStore

CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
MAX_XML_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Extracted:
    """Plain text, cut at the limit (`truncated` says whether it was)."""

    text: str
    truncated: bool


class ExtractionFailed(Exception):  # noqa: N818 - a verdict about the file
    """The file gave no text in time; the message names the reason, never content."""


async def extract_text(
    store: FileStore, file_id: ObjectId, content_type: str, *, limit_seconds: float, max_chars: int
) -> Extracted:
    """Copy the file to a temporary file chunk by chunk, then parse it in a child process."""
    with tempfile.NamedTemporaryFile(prefix="crowdhire-extract-") as spool:
        async for chunk in store.read(file_id):
            spool.write(chunk)
        spool.flush()
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, spool.name, content_type, str(max_chars),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            async with asyncio.timeout(limit_seconds):
                output, _ = await child.communicate()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
            raise ExtractionFailed(f"no text within {limit_seconds} s") from None
    if child.returncode != 0:
        raise ExtractionFailed(f"the parser exited with status {child.returncode}")
    result = json.loads(output)
    return Extracted(text=result["text"], truncated=result["truncated"])


def _pdf_text(path: str) -> list[str]:
    from pypdf import PdfReader  # noqa: PLC0415 - only the child process parses

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _docx_text(path: str) -> list[str]:
    import docx  # noqa: PLC0415 - only the child process parses

    document = docx.Document(path)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return parts


def _odt_text(path: str) -> list[str]:
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        xml = content.read(MAX_XML_BYTES + 1)
    if len(xml) > MAX_XML_BYTES:
        raise ValueError("content.xml is too large")
    root = ElementTree.fromstring(xml)
    text_ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    blocks = [e for e in root.iter() if e.tag in (f"{text_ns}p", f"{text_ns}h")]
    return ["".join(block.itertext()) for block in blocks]


def _txt_text(path: str, max_chars: int) -> list[str]:
    with open(path, "rb") as file:
        return [file.read(max_chars * 4 + 4).decode("utf-8", "ignore")]


def child_main(path: str, content_type: str, max_chars: int) -> None:
    """Parse one file under a memory limit and print {"text", "truncated"} as JSON."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    readers = {PDF: _pdf_text, DOCX: _docx_text, ODT: _odt_text}
    parts = _txt_text(path, max_chars) if content_type == TXT else readers[content_type](path)
    text = "\n".join(part.strip() for part in parts if part.strip())
    sys.stdout.write(json.dumps({"text": text[:max_chars], "truncated": len(text) > max_chars}))


if __name__ == "__main__":
    child_main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
