"""Dev bearer tokens for the seeded identities the benchmarks act as."""

from __future__ import annotations

from pathlib import Path

from crowdhire.auth.dev import mint_dev_token
from crowdhire.settings import Environment, Settings


class Tokens:
    """One dev token per subject, minted once (the variants verify them with the same key)."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings(crowdhire_env=Environment.DEV, data_dir=data_dir)
        self.minted: dict[str, str] = {}

    def __call__(self, sub: str) -> str:
        """The bearer token of `sub`."""
        if sub not in self.minted:
            self.minted[sub] = mint_dev_token(self.settings, sub, [])
        return self.minted[sub]
