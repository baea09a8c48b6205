"""The subjects each kind of event names, built from the document it is about.

An event names the company and the recruiter it belongs to wherever there is one, so who may
hear about it is decidable from the event alone, also after the objects changed or were erased.
"""

from __future__ import annotations

from bson import ObjectId

from crowdhire.models import Candidate, Job, Placement, Submission
from crowdhire.models.payments import PlacementPayment

Subjects = dict[str, ObjectId | None]


def submission_subjects(submission: Submission, **more: ObjectId | None) -> Subjects:
    """A submission and its job, company, candidate and recruiter (plus `more`)."""
    return {
        "submission": submission.id,
        "job": submission.job_id,
        "company": submission.company_id,
        "candidate": submission.candidate_id,
        "recruiter": submission.recruiter_id,
        **more,
    }


def job_subjects(job: Job) -> Subjects:
    """A job and its company (recruiters are not told about jobs by events)."""
    return {"job": job.id, "company": job.company_id}


def placement_subjects(placement: Placement) -> Subjects:
    """A placement and the deal it came from."""
    return {
        "placement": placement.id,
        "submission": placement.submission_id,
        "job": placement.job_id,
        "company": placement.company_id,
        "candidate": placement.candidate_id,
        "recruiter": placement.recruiter_id,
    }


def payment_subjects(payment: PlacementPayment) -> Subjects:
    """The placement a fee payment belongs to, its company and its recruiter."""
    return {
        "placement": payment.placement_id,
        "company": payment.company_id,
        "recruiter": payment.recruiter_id,
    }


def candidate_subjects(candidate: Candidate) -> Subjects:
    """A candidate and the recruiter who sourced them."""
    return {"candidate": candidate.id, "recruiter": candidate.recruiter_id}
