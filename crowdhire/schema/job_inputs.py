"""Inputs of the job mutations and their conversion to the resolvers' plain values."""

from __future__ import annotations

import strawberry

from crowdhire.models.jobs import EmploymentType, RemotePolicy
from crowdhire.resolvers import job_inputs as rules
from crowdhire.resolvers.patches import Keep
from crowdhire.schema.jobs import JobType  # noqa: F401 - registers the job enums first
from crowdhire.schema.patches import kept_or_nullable, kept_or_required
from crowdhire.schema.payloads import ClientMutationId


@strawberry.input(description="A yearly salary range in minor units (cents).")
class SalaryRangeInput:
    """Salary bounds; min ≤ max."""

    min: int = strawberry.field(description="Lower bound per year, minor units, ≥ 0.")
    max: int = strawberry.field(description="Upper bound per year, minor units, ≥ min.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")

    def plain(self) -> rules.SalaryInput:
        """The resolvers' form."""
        return rules.SalaryInput(min=self.min, max=self.max, currency=self.currency)


@strawberry.input(description="What a hire costs: give exactly one of percent or flatAmount.")
class FeeTermsInput:
    """Fee terms; replaced as a whole by updateJob."""

    currency: str = strawberry.field(description="ISO 4217 code the fee is charged in.")
    percent: float | None = strawberry.field(
        default=None, description="Percent of first-year salary (above 0, at most 100)."
    )
    flat_amount: int | None = strawberry.field(
        default=None, description="Flat fee in minor units (positive)."
    )
    guarantee_days: int = strawberry.field(
        default=90, description="Days a hire is guaranteed (0 to 365)."
    )
    recruiter_share_percent: float = strawberry.field(
        default=70.0, description="Recruiter's share of the fee in percent (0 to 100)."
    )

    def plain(self) -> rules.FeeTermsInput:
        """The resolvers' form."""
        return rules.FeeTermsInput(
            currency=self.currency,
            percent=self.percent,
            flat_amount=self.flat_amount,
            guarantee_days=self.guarantee_days,
            recruiter_share_percent=self.recruiter_share_percent,
        )


@strawberry.input(description="A new job; it starts as a DRAFT.")
class CreateJobInput:
    company_id: strawberry.ID = strawberry.field(description="The company posting the job.")
    title: str = strawberry.field(description="Job title (1 to 200 characters).")
    fee_terms: FeeTermsInput = strawberry.field(description="What a hire costs.")
    description: str = strawberry.field(default="", description="Full description (≤ 20,000).")
    location: str = strawberry.field(default="", description="City or region (≤ 200).")
    remote_policy: RemotePolicy = strawberry.field(
        default=RemotePolicy.ONSITE, description="Onsite, hybrid or remote."
    )
    employment_type: EmploymentType = strawberry.field(
        default=EmploymentType.FULL_TIME, description="Contract form."
    )
    salary: SalaryRangeInput | None = strawberry.field(
        default=None, description="Yearly salary range."
    )
    skills: list[str] = strawberry.field(
        default_factory=list, description="Skills (≤ 50; stored trimmed, lower-case, unique)."
    )
    openings: int = strawberry.field(default=1, description="People to hire (1 to 1000).")
    must_have_skills: list[str] = strawberry.field(
        default_factory=list,
        description="Skills a candidate must have for matching (≤ 50); when both skill lists are"
        " empty, `skills` counts as must-have.",
    )
    nice_to_have_skills: list[str] = strawberry.field(
        default_factory=list, description="Skills that make a candidate stronger (≤ 50)."
    )
    min_years_experience: int | None = strawberry.field(
        default=None, description="Fewest years of experience wanted (0 to 80)."
    )
    max_years_experience: int | None = strawberry.field(
        default=None, description="Most years of experience wanted (0 to 80, ≥ the minimum)."
    )
    languages: list[str] = strawberry.field(
        default_factory=list, description="Languages the work needs (≤ 20; stored lower-case)."
    )
    client_mutation_id: str | None = ClientMutationId

    def plain(self) -> rules.JobFields:
        """The resolvers' form."""
        return rules.JobFields(
            title=self.title,
            fee_terms=self.fee_terms.plain(),
            description=self.description,
            location=self.location,
            remote_policy=self.remote_policy,
            employment_type=self.employment_type,
            salary=self.salary.plain() if self.salary else None,
            skills=tuple(self.skills),
            openings=self.openings,
            must_have_skills=tuple(self.must_have_skills),
            nice_to_have_skills=tuple(self.nice_to_have_skills),
            min_years_experience=self.min_years_experience,
            max_years_experience=self.max_years_experience,
            languages=tuple(self.languages),
        )


@strawberry.input(description="Job fields to change; omitted fields stay as they are.")
class UpdateJobInput:
    """updateJob's input; the status changes through publishJob, pauseJob and closeJob."""

    job_id: strawberry.ID = strawberry.field(description="The job.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    location: str | None = strawberry.field(default=strawberry.UNSET, description="New location.")
    remote_policy: RemotePolicy | None = strawberry.field(
        default=strawberry.UNSET, description="New remote policy."
    )
    employment_type: EmploymentType | None = strawberry.field(
        default=strawberry.UNSET, description="New contract form."
    )
    salary: SalaryRangeInput | None = strawberry.field(
        default=strawberry.UNSET, description="New salary range; null removes it."
    )
    skills: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New skills (replace the old ones)."
    )
    openings: int | None = strawberry.field(
        default=strawberry.UNSET, description="New number of openings."
    )
    fee_terms: FeeTermsInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="New fee terms, replacing the old ones whole; locked once a candidate was "
        "submitted (FEE_TERMS_LOCKED) except for admins.",
    )
    must_have_skills: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New must-have skills (replace the old ones)."
    )
    nice_to_have_skills: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New nice-to-have skills (replace the old ones)."
    )
    min_years_experience: int | None = strawberry.field(
        default=strawberry.UNSET, description="New minimum years of experience; null removes it."
    )
    max_years_experience: int | None = strawberry.field(
        default=strawberry.UNSET, description="New maximum years of experience; null removes it."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New languages (replace the old ones)."
    )
    client_mutation_id: str | None = ClientMutationId

    def plain(self) -> rules.JobPatch:
        """The resolvers' form; an explicit null where a value is required is INVALID_INPUT."""
        salary = kept_or_nullable(self.salary)
        skills = kept_or_required(self.skills, "skills")
        terms = kept_or_required(self.fee_terms, "feeTerms")
        must = kept_or_required(self.must_have_skills, "mustHaveSkills")
        nice = kept_or_required(self.nice_to_have_skills, "niceToHaveSkills")
        languages = kept_or_required(self.languages, "languages")
        return rules.JobPatch(
            title=kept_or_required(self.title, "title"),
            description=kept_or_required(self.description, "description"),
            location=kept_or_required(self.location, "location"),
            remote_policy=kept_or_required(self.remote_policy, "remotePolicy"),
            employment_type=kept_or_required(self.employment_type, "employmentType"),
            salary=salary if isinstance(salary, Keep) or salary is None else salary.plain(),
            skills=skills if isinstance(skills, Keep) else tuple(skills),
            openings=kept_or_required(self.openings, "openings"),
            fee_terms=terms if isinstance(terms, Keep) else terms.plain(),
            must_have_skills=must if isinstance(must, Keep) else tuple(must),
            nice_to_have_skills=nice if isinstance(nice, Keep) else tuple(nice),
            min_years_experience=kept_or_nullable(self.min_years_experience),
            max_years_experience=kept_or_nullable(self.max_years_experience),
            languages=languages if isinstance(languages, Keep) else tuple(languages),
        )
