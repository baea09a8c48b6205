"""Limits of candidate file uploads, downloads and text extraction."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class FileSettings(BaseSettings):
    """How big, how many and how long: the bounds every uploaded file is held to."""

    max_upload_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="largest candidate file; refused while streaming"
    )
    max_documents_per_candidate: int = Field(20, ge=1, le=1000, description="files per candidate")
    upload_url_ttl_seconds: int = Field(
        900, ge=10, le=24 * 3600, description="how long a one-time upload URL accepts bytes"
    )
    upload_sweep_seconds: float = Field(
        3600, ge=0, description="unfinished uploads (and their chunks) are removed after this long"
    )
    download_url_ttl_seconds: int = Field(
        300, ge=5, le=3600, description="how long a signed download URL works"
    )
    text_extract_timeout_seconds: float = Field(
        20, gt=0, le=300, description="text extraction of one file is stopped after this long"
    )
    text_extract_max_chars: int = Field(
        200_000, ge=1000, description="extracted text kept per file (longer text is cut)"
    )
