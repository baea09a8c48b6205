"""Placement loaders: by id, and pages/counts per job, candidate and recruiter."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, ChildCountLoader, ChildPageLoader
from crowdhire.loaders.pagination import ordering
from crowdhire.models.placements import Placement

PLACEMENTS_BY_PARENT_ORDER = ordering("placements.nested", ("created_at", DESCENDING))


class PlacementByIdLoader(ByIdLoader[Placement]):
    """Placements by id, read through the cache."""

    model = Placement
    kind = "placements"


class PlacementsByJobIdLoader(ChildPageLoader):
    """A page of each job's placements, newest first."""

    model = Placement
    foreign_key = "job_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementsByCandidateIdLoader(ChildPageLoader):
    """A page of each candidate's placements, newest first."""

    model = Placement
    foreign_key = "candidate_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementsByRecruiterIdLoader(ChildPageLoader):
    """A page of each recruiter's placements, newest first."""

    model = Placement
    foreign_key = "recruiter_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementCountByJobIdLoader(ChildCountLoader):
    """How many placements each job has."""

    model = Placement
    foreign_key = "job_id"


class PlacementCountByCandidateIdLoader(ChildCountLoader):
    """How many placements each candidate has."""

    model = Placement
    foreign_key = "candidate_id"


class PlacementCountByRecruiterIdLoader(ChildCountLoader):
    """How many placements each recruiter has."""

    model = Placement
    foreign_key = "recruiter_id"
