"""Per-request loaders: built fresh for every request, never shared between viewers."""

from __future__ import annotations

from dataclasses import dataclass

from crowdhire.cache import ObjectCache
from crowdhire.loaders.candidacies import CandidaciesByCandidateIdLoader
from crowdhire.loaders.candidates import (
    CandidateByIdLoader,
    CandidateCountByRecruiterIdLoader,
    CandidatesByRecruiterIdLoader,
)
from crowdhire.loaders.companies import CompanyByIdLoader
from crowdhire.loaders.documents import DocumentsByCandidateIdLoader
from crowdhire.loaders.jobs import JobByIdLoader, JobCountByCompanyIdLoader, JobsByCompanyIdLoader
from crowdhire.loaders.payments import EarningsByRecruiterIdLoader
from crowdhire.loaders.placements import (
    PlacementByIdLoader,
    PlacementCountByCandidateIdLoader,
    PlacementCountByJobIdLoader,
    PlacementCountByRecruiterIdLoader,
    PlacementsByCandidateIdLoader,
    PlacementsByJobIdLoader,
    PlacementsByRecruiterIdLoader,
    RecruiterFeesByRecruiterIdLoader,
)
from crowdhire.loaders.recruiters import RecruiterByIdLoader
from crowdhire.loaders.roles import RolesBySubLoader
from crowdhire.loaders.submissions import (
    SubmissionByIdLoader,
    SubmissionCountByCandidateIdLoader,
    SubmissionCountByJobIdLoader,
    SubmissionCountByRecruiterIdLoader,
    SubmissionsByCandidateIdLoader,
    SubmissionsByJobIdLoader,
    SubmissionsByRecruiterIdLoader,
    SubmissionStatsByRecruiterIdLoader,
)


@dataclass
class Loaders:
    """Every loader one request may use."""

    company_by_id: CompanyByIdLoader
    recruiter_by_id: RecruiterByIdLoader
    candidate_by_id: CandidateByIdLoader
    job_by_id: JobByIdLoader
    submission_by_id: SubmissionByIdLoader
    placement_by_id: PlacementByIdLoader
    jobs_by_company_id: JobsByCompanyIdLoader
    job_count_by_company_id: JobCountByCompanyIdLoader
    candidates_by_recruiter_id: CandidatesByRecruiterIdLoader
    candidate_count_by_recruiter_id: CandidateCountByRecruiterIdLoader
    submissions_by_job_id: SubmissionsByJobIdLoader
    submissions_by_candidate_id: SubmissionsByCandidateIdLoader
    submissions_by_recruiter_id: SubmissionsByRecruiterIdLoader
    submission_count_by_job_id: SubmissionCountByJobIdLoader
    submission_count_by_candidate_id: SubmissionCountByCandidateIdLoader
    submission_count_by_recruiter_id: SubmissionCountByRecruiterIdLoader
    placements_by_job_id: PlacementsByJobIdLoader
    placements_by_candidate_id: PlacementsByCandidateIdLoader
    placements_by_recruiter_id: PlacementsByRecruiterIdLoader
    placement_count_by_job_id: PlacementCountByJobIdLoader
    placement_count_by_candidate_id: PlacementCountByCandidateIdLoader
    placement_count_by_recruiter_id: PlacementCountByRecruiterIdLoader
    roles_by_sub: RolesBySubLoader
    earnings_by_recruiter_id: EarningsByRecruiterIdLoader
    candidacies_by_candidate_id: CandidaciesByCandidateIdLoader
    # recruiter stats (submissions/hires workflow)
    submission_stats_by_recruiter_id: SubmissionStatsByRecruiterIdLoader
    recruiter_fees_by_recruiter_id: RecruiterFeesByRecruiterIdLoader
    documents_by_candidate_id: DocumentsByCandidateIdLoader


def build_loaders(cache: ObjectCache) -> Loaders:
    """Fresh loaders for one request; by-id loaders read through `cache`."""
    return Loaders(
        company_by_id=CompanyByIdLoader(cache),
        recruiter_by_id=RecruiterByIdLoader(cache),
        candidate_by_id=CandidateByIdLoader(cache),
        job_by_id=JobByIdLoader(cache),
        submission_by_id=SubmissionByIdLoader(cache),
        placement_by_id=PlacementByIdLoader(cache),
        jobs_by_company_id=JobsByCompanyIdLoader(),
        job_count_by_company_id=JobCountByCompanyIdLoader(),
        candidates_by_recruiter_id=CandidatesByRecruiterIdLoader(),
        candidate_count_by_recruiter_id=CandidateCountByRecruiterIdLoader(),
        submissions_by_job_id=SubmissionsByJobIdLoader(),
        submissions_by_candidate_id=SubmissionsByCandidateIdLoader(),
        submissions_by_recruiter_id=SubmissionsByRecruiterIdLoader(),
        submission_count_by_job_id=SubmissionCountByJobIdLoader(),
        submission_count_by_candidate_id=SubmissionCountByCandidateIdLoader(),
        submission_count_by_recruiter_id=SubmissionCountByRecruiterIdLoader(),
        placements_by_job_id=PlacementsByJobIdLoader(),
        placements_by_candidate_id=PlacementsByCandidateIdLoader(),
        placements_by_recruiter_id=PlacementsByRecruiterIdLoader(),
        placement_count_by_job_id=PlacementCountByJobIdLoader(),
        placement_count_by_candidate_id=PlacementCountByCandidateIdLoader(),
        placement_count_by_recruiter_id=PlacementCountByRecruiterIdLoader(),
        roles_by_sub=RolesBySubLoader(cache),
        earnings_by_recruiter_id=EarningsByRecruiterIdLoader(),
        candidacies_by_candidate_id=CandidaciesByCandidateIdLoader(),
        submission_stats_by_recruiter_id=SubmissionStatsByRecruiterIdLoader(),
        recruiter_fees_by_recruiter_id=RecruiterFeesByRecruiterIdLoader(),
        documents_by_candidate_id=DocumentsByCandidateIdLoader(),
    )
