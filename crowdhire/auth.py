"""Who is calling: the Viewer the request context carries (token verification lands later)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """The caller; anonymous until an Auth0 bearer token is verified."""

    sub: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        """True when no verified token came with the request."""
        return self.sub is None


ANONYMOUS = Viewer()
