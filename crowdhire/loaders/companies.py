"""Company loaders."""

from __future__ import annotations

from crowdhire.loaders.base import ByIdLoader
from crowdhire.models.companies import Company


class CompanyByIdLoader(ByIdLoader[Company]):
    """Companies by id, read through the cache."""

    model = Company
    kind = "companies"
