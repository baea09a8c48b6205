"""Job input rules: what createJob and updateJob accept, checked field by field.

Every problem is reported with the path of the input field at fault, all at once, before
anything is written; the checked values are then safe to hand to the `Job` model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pycountry
from bson import ObjectId

from crowdhire.models.candidates import normalize_skills
from crowdhire.models.jobs import EmploymentType, FeeTerms, Job, RemotePolicy, SalaryRange
from crowdhire.resolvers.patches import KEEP, Keep
from crowdhire.resolvers.transactions import MutationRefused, UserErrorData

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_LOCATION = 200
MAX_SKILLS = 50
MAX_SKILL_LENGTH = 60
MAX_OPENINGS = 1000
MAX_GUARANTEE_DAYS = 365
MAX_YEARS = 80
MAX_LANGUAGES = 20
MAX_LANGUAGE_LENGTH = 40


Fail = Callable[[tuple[str, ...], str], None]


@dataclass(frozen=True)
class SalaryInput:
    """A yearly salary range in minor units."""

    min: int
    max: int
    currency: str


@dataclass(frozen=True)
class FeeTermsInput:
    """A percentage of first-year salary XOR a flat amount, in one currency."""

    currency: str
    percent: float | None = None
    flat_amount: int | None = None
    guarantee_days: int = 90
    recruiter_share_percent: float = 70.0


@dataclass(frozen=True)
class JobFields:
    """Everything a job is made of (createJob's input, or a job after an update)."""

    title: str
    fee_terms: FeeTermsInput
    description: str = ""
    location: str = ""
    remote_policy: RemotePolicy = RemotePolicy.ONSITE
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    salary: SalaryInput | None = None
    skills: tuple[str, ...] = ()
    openings: int = 1
    must_have_skills: tuple[str, ...] = ()
    nice_to_have_skills: tuple[str, ...] = ()
    min_years_experience: int | None = None
    max_years_experience: int | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobPatch:
    """updateJob's input: fields left at KEEP do not change; `fee_terms` is replaced whole."""

    title: str | Keep = KEEP
    description: str | Keep = KEEP
    location: str | Keep = KEEP
    remote_policy: RemotePolicy | Keep = KEEP
    employment_type: EmploymentType | Keep = KEEP
    salary: SalaryInput | Keep | None = KEEP
    skills: tuple[str, ...] | Keep = KEEP
    openings: int | Keep = KEEP
    fee_terms: FeeTermsInput | Keep = KEEP
    must_have_skills: tuple[str, ...] | Keep = KEEP
    nice_to_have_skills: tuple[str, ...] | Keep = KEEP
    min_years_experience: int | Keep | None = KEEP
    max_years_experience: int | Keep | None = KEEP
    languages: tuple[str, ...] | Keep = KEEP

    def given(self) -> dict[str, Any]:
        """The fields this patch sets, by model field name."""
        return {name: value for name, value in self.__dict__.items() if value is not KEEP}


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code such as EUR."""
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def fields_of(job: Job) -> JobFields:
    """A stored job as input fields (the base an update applies to)."""
    terms, salary = job.fee_terms, job.salary
    return JobFields(
        title=job.title,
        description=job.description,
        location=job.location,
        remote_policy=job.remote_policy,
        employment_type=job.employment_type,
        salary=SalaryInput(salary.min, salary.max, salary.currency) if salary else None,
        skills=tuple(job.skills),
        openings=job.openings,
        must_have_skills=tuple(job.must_have_skills),
        nice_to_have_skills=tuple(job.nice_to_have_skills),
        min_years_experience=job.min_years_experience,
        max_years_experience=job.max_years_experience,
        languages=tuple(job.languages),
        fee_terms=FeeTermsInput(
            currency=terms.currency,
            percent=terms.percent,
            flat_amount=terms.flat_amount,
            guarantee_days=terms.guarantee_days,
            recruiter_share_percent=terms.recruiter_share_percent,
        ),
    )


def patched(fields: JobFields, patch: JobPatch) -> JobFields:
    """The fields after applying a patch (not yet checked)."""
    return replace(fields, **patch.given())


def checked(fields: JobFields) -> JobFields:
    """The fields trimmed and normalized; MutationRefused naming every field at fault."""
    errors: list[UserErrorData] = []

    def fail(path: tuple[str, ...], message: str) -> None:
        errors.append(UserErrorData(path, "INVALID_INPUT", message))

    title = fields.title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        fail(("title",), f"title must be 1 to {MAX_TITLE} characters")
    if len(fields.description) > MAX_DESCRIPTION:
        fail(("description",), f"description is limited to {MAX_DESCRIPTION:,} characters")
    location = fields.location.strip()
    if len(location) > MAX_LOCATION:
        fail(("location",), f"location is limited to {MAX_LOCATION} characters")
    skills = _checked_skills("skills", fields.skills, fail)
    must = _checked_skills("mustHaveSkills", fields.must_have_skills, fail)
    nice = _checked_skills("niceToHaveSkills", fields.nice_to_have_skills, fail)
    languages = tuple(normalize_skills(list(fields.languages)))
    if len(languages) > MAX_LANGUAGES or any(len(x) > MAX_LANGUAGE_LENGTH for x in languages):
        fail(("languages",), f"at most {MAX_LANGUAGES} languages of up to 40 characters")
    _check_years(fields, fail)
    if not 1 <= fields.openings <= MAX_OPENINGS:
        fail(("openings",), f"openings must be between 1 and {MAX_OPENINGS}")
    salary = _checked_salary(fields.salary, fail)
    terms = _checked_fee_terms(fields.fee_terms, fail)
    if (
        salary is not None
        and terms.percent is not None
        and is_currency(salary.currency)
        and is_currency(terms.currency)
        and terms.currency != salary.currency
    ):
        fail(("feeTerms", "currency"), "a percentage fee is charged in the salary's currency")
    if errors:
        raise MutationRefused(*errors)
    return replace(
        fields, title=title, location=location, skills=skills, salary=salary, fee_terms=terms,
        must_have_skills=must, nice_to_have_skills=nice, languages=languages,
    )  # fmt: skip


def _checked_skills(path: str, given: tuple[str, ...], fail: Fail) -> tuple[str, ...]:
    skills = tuple(normalize_skills(list(given)))
    if len(skills) > MAX_SKILLS:
        fail((path,), f"at most {MAX_SKILLS} skills")
    elif any(len(skill) > MAX_SKILL_LENGTH for skill in skills):
        fail((path,), f"each skill is limited to {MAX_SKILL_LENGTH} characters")
    return skills


def _check_years(fields: JobFields, fail: Fail) -> None:
    low, high = fields.min_years_experience, fields.max_years_experience
    for path, value in (("minYearsExperience", low), ("maxYearsExperience", high)):
        if value is not None and not 0 <= value <= MAX_YEARS:
            fail((path,), f"{path} must be 0 to {MAX_YEARS}")
    if low is not None and high is not None and high < low:
        fail(("maxYearsExperience",), "maxYearsExperience must be at least minYearsExperience")


def _checked_salary(salary: SalaryInput | None, fail: Fail) -> SalaryInput | None:
    if salary is None:
        return None
    currency = salary.currency.strip().upper()
    if not is_currency(currency):
        fail(("salary", "currency"), "salary.currency must be an ISO 4217 code such as EUR")
    if salary.min < 0:
        fail(("salary", "min"), "salary.min cannot be negative")
    if salary.max < salary.min:
        fail(("salary", "max"), "salary.max must be at least salary.min")
    return replace(salary, currency=currency)


def _checked_fee_terms(terms: FeeTermsInput, fail: Fail) -> FeeTermsInput:
    currency = terms.currency.strip().upper()
    if not is_currency(currency):
        fail(("feeTerms", "currency"), "feeTerms.currency must be an ISO 4217 code such as EUR")
    if (terms.percent is None) == (terms.flat_amount is None):
        fail(("feeTerms",), "give exactly one of feeTerms.percent or feeTerms.flatAmount")
    if terms.percent is not None and not 0 < terms.percent <= 100:
        fail(("feeTerms", "percent"), "feeTerms.percent must be above 0 and at most 100")
    if terms.flat_amount is not None and terms.flat_amount <= 0:
        fail(("feeTerms", "flatAmount"), "feeTerms.flatAmount must be positive (minor units)")
    if not 0 <= terms.guarantee_days <= MAX_GUARANTEE_DAYS:
        fail(("feeTerms", "guaranteeDays"), "feeTerms.guaranteeDays must be 0 to 365")
    if not 0 <= terms.recruiter_share_percent <= 100:
        fail(("feeTerms", "recruiterSharePercent"), "recruiterSharePercent must be 0 to 100")
    return replace(terms, currency=currency)


def fee_terms_model(terms: FeeTermsInput) -> FeeTerms:
    """Checked fee terms as the stored model."""
    return FeeTerms(
        percent=terms.percent,
        flat_amount=terms.flat_amount,
        currency=terms.currency,
        guarantee_days=terms.guarantee_days,
        recruiter_share_percent=terms.recruiter_share_percent,
    )


def apply(job: Job, fields: JobFields) -> list[str]:
    """Write checked fields onto a job; the names of the fields whose value changed."""
    salary = fields.salary
    values: dict[str, Any] = {
        "title": fields.title,
        "description": fields.description,
        "location": fields.location,
        "remote_policy": fields.remote_policy,
        "employment_type": fields.employment_type,
        "salary": SalaryRange(min=salary.min, max=salary.max, currency=salary.currency)
        if salary
        else None,
        "skills": list(fields.skills),
        "openings": fields.openings,
        "fee_terms": fee_terms_model(fields.fee_terms),
        "must_have_skills": list(fields.must_have_skills),
        "nice_to_have_skills": list(fields.nice_to_have_skills),
        "min_years_experience": fields.min_years_experience,
        "max_years_experience": fields.max_years_experience,
        "languages": list(fields.languages),
    }
    changed = [name for name, value in values.items() if getattr(job, name) != value]
    for name in changed:
        setattr(job, name, values[name])
    return changed


def new_job(company_id: ObjectId, fields: JobFields) -> Job:
    """A draft job from checked fields."""
    terms = fee_terms_model(fields.fee_terms)
    job = Job(company_id=company_id, title=fields.title, fee_terms=terms)
    apply(job, fields)
    return job
