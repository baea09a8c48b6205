"""Candidate loaders."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, ChildCountLoader, ChildPageLoader
from crowdhire.loaders.pagination import ordering
from crowdhire.models.candidates import Candidate

CANDIDATES_BY_PARENT_ORDER = ordering("candidates.nested", ("created_at", DESCENDING))


class CandidateByIdLoader(ByIdLoader[Candidate]):
    """Candidates by id, read through the cache."""

    model = Candidate
    kind = "candidates"


class CandidatesByRecruiterIdLoader(ChildPageLoader):
    """A page of each recruiter's candidates, newest first."""

    model = Candidate
    foreign_key = "recruiter_id"
    order = CANDIDATES_BY_PARENT_ORDER


class CandidateCountByRecruiterIdLoader(ChildCountLoader):
    """How many candidates each recruiter holds."""

    model = Candidate
    foreign_key = "recruiter_id"
