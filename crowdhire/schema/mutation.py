"""The root Mutation type: each domain contributes its mutations."""

from __future__ import annotations

from strawberry.tools import merge_types

from crowdhire.schema.candidate_mutations import CandidateMutations
from crowdhire.schema.companies import CompanyMutations
from crowdhire.schema.company_profiles import CompanyProfileMutations
from crowdhire.schema.consent import ConsentMutations
from crowdhire.schema.document_mutations import DocumentMutations
from crowdhire.schema.hires import HireMutations
from crowdhire.schema.job_mutations import JobMutations
from crowdhire.schema.payments import PaymentMutations
from crowdhire.schema.privacy import PrivacyMutations
from crowdhire.schema.ranking_choice import RankingChoiceMutations
from crowdhire.schema.recruiters import RecruiterMutations
from crowdhire.schema.submission_mutations import SubmissionMutations
from crowdhire.schema.text_screen import screen_mutations
from crowdhire.schema.webhook_mutations import WebhookMutations

Mutation = merge_types(
    "Mutation",
    (
        CompanyMutations,
        CompanyProfileMutations,
        JobMutations,
        RecruiterMutations,
        CandidateMutations,
        ConsentMutations,
        PrivacyMutations,
        RankingChoiceMutations,
        DocumentMutations,
        SubmissionMutations,
        HireMutations,
        PaymentMutations,
        WebhookMutations,
    ),
)
screen_mutations(Mutation)
