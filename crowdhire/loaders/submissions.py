"""Submission loaders: by id, and pages/counts per job, candidate and recruiter."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, ChildCountLoader, ChildPageLoader
from crowdhire.loaders.pagination import ordering
from crowdhire.models.submissions import Submission

SUBMISSIONS_BY_PARENT_ORDER = ordering("submissions.nested", ("created_at", DESCENDING))


class SubmissionByIdLoader(ByIdLoader[Submission]):
    """Submissions by id, read through the cache."""

    model = Submission
    kind = "submissions"


class SubmissionsByJobIdLoader(ChildPageLoader):
    """A page of each job's submissions, newest first."""

    model = Submission
    foreign_key = "job_id"
    order = SUBMISSIONS_BY_PARENT_ORDER


class SubmissionsByCandidateIdLoader(ChildPageLoader):
    """A page of each candidate's submissions, newest first."""

    model = Submission
    foreign_key = "candidate_id"
    order = SUBMISSIONS_BY_PARENT_ORDER


class SubmissionsByRecruiterIdLoader(ChildPageLoader):
    """A page of each recruiter's submissions, newest first."""

    model = Submission
    foreign_key = "recruiter_id"
    order = SUBMISSIONS_BY_PARENT_ORDER


class SubmissionCountByJobIdLoader(ChildCountLoader):
    """How many submissions each job has."""

    model = Submission
    foreign_key = "job_id"


class SubmissionCountByCandidateIdLoader(ChildCountLoader):
    """How many submissions each candidate has."""

    model = Submission
    foreign_key = "candidate_id"


class SubmissionCountByRecruiterIdLoader(ChildCountLoader):
    """How many submissions each recruiter made."""

    model = Submission
    foreign_key = "recruiter_id"
