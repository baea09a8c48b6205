"""JSON log lines: one object per record, with the request id of the request that logged it."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from crowdhire.observability.stats import current_stats

ACCESS_LOGGER = "crowdhire.access"


def hash_sub(sub: str | None) -> str | None:
    """A stable, non-reversible stand-in for a viewer's `sub` (logs never carry the sub)."""
    if sub is None:
        return None
    return hashlib.sha256(f"crowdhire-viewer:{sub}".encode()).hexdigest()[:16]


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; `extra={"fields": {...}}` adds structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single JSON line."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        stats = current_stats()
        if stats is not None:
            entry["request_id"] = stats.request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Route every logger (uvicorn's too) through one stderr handler, JSON or text."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each outgoing request (with its URL) at INFO; our per-request line counts them.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
