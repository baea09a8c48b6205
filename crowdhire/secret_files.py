"""Server secrets outside production: generated once under DATA_DIR and kept there.

Instances that share a DATA_DIR (the dev cluster, a restart) then agree on them; production
takes each secret from its environment variable and refuses to start without it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from crowdhire.settings import Environment, Settings


def kept_secret(settings: Settings, name: str) -> str:
    """The secret stored as DATA_DIR/<name> (mode 0600), created on first use."""
    if settings.crowdhire_env is Environment.PRODUCTION:
        raise RuntimeError(f"{name} must come from the environment in production")
    path = Path(settings.data_dir).resolve() / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: instances starting together never read it half-done.
    draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another instance won: use its secret
    finally:
        draft.unlink()
    return path.read_text().strip()


def cursor_secret(settings: Settings) -> str:
    """CURSOR_SECRET, or (outside production) the one kept under DATA_DIR."""
    if settings.cursor_secret is not None:
        return settings.cursor_secret.get_secret_value()
    return kept_secret(settings, "cursor-secret")
