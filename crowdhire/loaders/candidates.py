"""Candidate loaders."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import ordering
from crowdhire.models.candidates import Candidate

CANDIDATES_BY_PARENT_ORDER = ordering("candidates.nested", ("created_at", DESCENDING))


class CandidateByIdLoader(ByIdLoader[Candidate]):
    """Candidates by id, read through the cache."""

    model = Candidate
    kind = CachedKind.CANDIDATES


CANDIDATES_BY_RECRUITER_ID = ChildRelation(Candidate, "recruiter_id", CANDIDATES_BY_PARENT_ORDER)
