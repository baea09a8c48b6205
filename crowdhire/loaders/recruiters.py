"""Recruiter loaders."""

from __future__ import annotations

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.models.recruiters import Recruiter


class RecruiterByIdLoader(ByIdLoader[Recruiter]):
    """Recruiters by id, read through the cache."""

    model = Recruiter
    kind = CachedKind.RECRUITERS
