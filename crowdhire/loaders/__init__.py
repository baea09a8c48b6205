"""Per-request loaders: built fresh for every request, never shared between viewers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache
from crowdhire.loaders.base import CachedKind, let_go
from crowdhire.loaders.candidacies import CandidaciesByCandidateIdLoader
from crowdhire.loaders.candidates import CandidateByIdLoader
from crowdhire.loaders.children import ChildLoaders
from crowdhire.loaders.companies import CompanyByIdLoader
from crowdhire.loaders.documents import DocumentsByCandidateIdLoader
from crowdhire.loaders.jobs import JobByIdLoader
from crowdhire.loaders.matching import (
    CandidateProfileByIdLoader,
    JobProfileByIdLoader,
    OwnedCandidateIdsByRecruiterIdLoader,
    RankingByKeyLoader,
    SubmittedCandidateIdsByJobIdLoader,
)
from crowdhire.loaders.members import MembersByCompanyIdLoader
from crowdhire.loaders.payments import EarningsByRecruiterIdLoader
from crowdhire.loaders.placements import PlacementByIdLoader, RecruiterFeesByRecruiterIdLoader
from crowdhire.loaders.recruiters import RecruiterByIdLoader
from crowdhire.loaders.roles import RolesBySubLoader
from crowdhire.loaders.submissions import SubmissionByIdLoader, SubmissionStatsByRecruiterIdLoader


@dataclass
class Loaders:
    """Every loader one request may use."""

    company_by_id: CompanyByIdLoader
    recruiter_by_id: RecruiterByIdLoader
    candidate_by_id: CandidateByIdLoader
    job_by_id: JobByIdLoader
    submission_by_id: SubmissionByIdLoader
    placement_by_id: PlacementByIdLoader
    children: ChildLoaders
    roles_by_sub: RolesBySubLoader
    members_by_company_id: MembersByCompanyIdLoader
    earnings_by_recruiter_id: EarningsByRecruiterIdLoader
    candidacies_by_candidate_id: CandidaciesByCandidateIdLoader
    submission_stats_by_recruiter_id: SubmissionStatsByRecruiterIdLoader
    recruiter_fees_by_recruiter_id: RecruiterFeesByRecruiterIdLoader
    # matching: the rows rankings score, batched across a request's rankings
    candidate_profile_by_id: CandidateProfileByIdLoader
    job_profile_by_id: JobProfileByIdLoader
    open_job_profile_by_id: JobProfileByIdLoader
    owned_candidate_ids_by_recruiter_id: OwnedCandidateIdsByRecruiterIdLoader
    submitted_candidate_ids_by_job_id: SubmittedCandidateIdsByJobIdLoader
    ranking_by_key: RankingByKeyLoader
    # attached files, uncached (see the loader)
    documents_by_candidate_id: DocumentsByCandidateIdLoader

    def cached(self, kind: CachedKind) -> DataLoader[Any, Any]:
        """The loader that holds objects of `kind` in this request (to forget after a write)."""
        by_kind: dict[CachedKind, DataLoader[Any, Any]] = {
            CachedKind.COMPANIES: self.company_by_id,
            CachedKind.RECRUITERS: self.recruiter_by_id,
            CachedKind.CANDIDATES: self.candidate_by_id,
            CachedKind.JOBS: self.job_by_id,
            CachedKind.SUBMISSIONS: self.submission_by_id,
            CachedKind.PLACEMENTS: self.placement_by_id,
            CachedKind.ROLES: self.roles_by_sub,
            CachedKind.MEMBERS: self.members_by_company_id,
        }
        return by_kind[kind]

    def release(self) -> None:
        """Let go of everything this request loaded, once its answer is complete.

        Every loader holds its own bound batch function, and graphql-core's executor (which
        holds the context) its own bound methods: reference cycles, so without this the
        documents, pages and futures of a request (6,400 objects on an uncached jobs page) wait
        for a garbage collection that walks them all. Emptied here, reference counting frees
        them at once and the collector only meets the empty loaders.
        """
        for value in vars(self).values():
            if isinstance(value, DataLoader):
                let_go(value)
            elif isinstance(value, ChildLoaders):
                value.release()


def build_loaders(cache: ObjectCache) -> Loaders:
    """Fresh loaders for one request; by-id loaders read through `cache`."""
    return Loaders(
        company_by_id=CompanyByIdLoader(cache),
        recruiter_by_id=RecruiterByIdLoader(cache),
        candidate_by_id=CandidateByIdLoader(cache),
        job_by_id=JobByIdLoader(cache),
        submission_by_id=SubmissionByIdLoader(cache),
        placement_by_id=PlacementByIdLoader(cache),
        children=ChildLoaders(),
        roles_by_sub=RolesBySubLoader(cache),
        members_by_company_id=MembersByCompanyIdLoader(cache),
        earnings_by_recruiter_id=EarningsByRecruiterIdLoader(),
        candidacies_by_candidate_id=CandidaciesByCandidateIdLoader(),
        submission_stats_by_recruiter_id=SubmissionStatsByRecruiterIdLoader(),
        recruiter_fees_by_recruiter_id=RecruiterFeesByRecruiterIdLoader(),
        candidate_profile_by_id=CandidateProfileByIdLoader(),
        job_profile_by_id=JobProfileByIdLoader(open_only=False),
        open_job_profile_by_id=JobProfileByIdLoader(open_only=True),
        owned_candidate_ids_by_recruiter_id=OwnedCandidateIdsByRecruiterIdLoader(),
        submitted_candidate_ids_by_job_id=SubmittedCandidateIdsByJobIdLoader(),
        ranking_by_key=RankingByKeyLoader(cache),
        documents_by_candidate_id=DocumentsByCandidateIdLoader(),
    )
