"""Company loaders."""

from __future__ import annotations

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.models.companies import Company


class CompanyByIdLoader(ByIdLoader[Company]):
    """Companies by id, read through the cache."""

    model = Company
    kind = CachedKind.COMPANIES
