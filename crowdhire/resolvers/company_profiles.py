"""Company profile writes: createCompany (admins) and updateCompany (owners and admins)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from bson import ObjectId
from pydantic import HttpUrl, TypeAdapter, ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind
from crowdhire.models.companies import Company, CompanyMember, MemberRole
from crowdhire.resolvers.companies import is_sub
from crowdhire.resolvers.patches import KEEP, Keep
from crowdhire.resolvers.transactions import (
    MutationRefused,
    Outcome,
    UserErrorData,
    audit,
    refuse,
    run_mutation,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_NAME = 200
MAX_WEBSITE = 2048
MAX_DESCRIPTION = 5000
MAX_TAGLINE = 160
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


@dataclass(frozen=True)
class CompanyFields:
    """A company's profile as createCompany receives it."""

    name: str
    slug: str
    website: str | None = None
    description: str = ""


@dataclass(frozen=True)
class CompanyPatch:
    """updateCompany's input: KEEP leaves a field as it is; the slug never changes."""

    name: str | Keep = KEEP
    website: str | Keep | None = KEEP
    description: str | Keep = KEEP
    tagline: str | Keep | None = KEEP
    headquarters: str | Keep | None = KEEP
    logo_url: str | Keep | None = KEEP


@dataclass(frozen=True)
class Profile:
    """Checked, trimmed profile values."""

    name: str
    website: str | None
    description: str


def _checked_profile(
    name: str, website: str | None, description: str, errors: list[UserErrorData]
) -> Profile:
    """Trimmed profile values; problems are appended to `errors` with their field."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        errors.append(UserErrorData(("name",), "INVALID_INPUT", "name must be 1 to 200 characters"))
    website = (website or "").strip() or None
    if website is not None and not _is_web_address(website):
        message = "website must be an http(s) address of at most 2,048 characters"
        errors.append(UserErrorData(("website",), "INVALID_INPUT", message))
    if len(description) > MAX_DESCRIPTION:
        message = "description is limited to 5,000 characters"
        errors.append(UserErrorData(("description",), "INVALID_INPUT", message))
    return Profile(name=name, website=website, description=description)


def _checked_careers_page(
    tagline: str | None, headquarters: str | None, logo_url: str | None, errors: list[UserErrorData]
) -> dict[str, str | None]:
    """The job board's header fields, trimmed (blank means unset)."""
    tagline = (tagline or "").strip() or None
    headquarters = (headquarters or "").strip() or None
    logo_url = (logo_url or "").strip() or None
    if tagline is not None and len(tagline) > MAX_TAGLINE:
        errors.append(UserErrorData(("tagline",), "INVALID_INPUT", "tagline is limited to 160"))
    if headquarters is not None and len(headquarters) > MAX_NAME:
        message = "headquarters is limited to 200 characters"
        errors.append(UserErrorData(("headquarters",), "INVALID_INPUT", message))
    if logo_url is not None and not _is_web_address(logo_url):
        message = "logoUrl must be an http(s) address of at most 2,048 characters"
        errors.append(UserErrorData(("logoUrl",), "INVALID_INPUT", message))
    return {"tagline": tagline, "headquarters": headquarters, "logo_url": logo_url}


def _is_web_address(value: str) -> bool:
    if len(value) > MAX_WEBSITE:
        return False
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        return False
    return True


def _duplicate_slug() -> MutationRefused:
    return refuse(("slug",), "DUPLICATE_SLUG", "Another company already uses this slug")


def _ensure_admin(context: Context) -> None:
    if context.viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to create a company")
    if not context.viewer.is_admin:
        raise refuse((), "FORBIDDEN", "Only admins may create companies")


def _checked_new_company(fields: CompanyFields, owner_sub: str | None) -> Profile:
    errors: list[UserErrorData] = []
    if not SLUG_PATTERN.match(fields.slug):
        message = "slug must be 1 to 80 lower-case letters, digits or hyphens"
        errors.append(UserErrorData(("slug",), "INVALID_INPUT", message))
    profile = _checked_profile(fields.name, fields.website, fields.description, errors)
    if owner_sub is not None and not is_sub(owner_sub):
        message = "ownerSub must be 1 to 256 characters without spaces"
        errors.append(UserErrorData(("ownerSub",), "INVALID_INPUT", message))
    if errors:
        raise MutationRefused(*errors)
    return profile


async def create_company(
    context: Context, fields: CompanyFields, owner_sub: str | None, client_mutation_id: str | None
) -> Outcome:
    """Admins create a company, optionally with its first owner, in one transaction."""

    async def create(session: AsyncClientSession) -> Outcome:
        _ensure_admin(context)
        profile = _checked_new_company(fields, owner_sub)
        if await Company.find_one({"slug": fields.slug}, session=session) is not None:
            raise _duplicate_slug()
        company = Company(slug=fields.slug, **asdict(profile))
        try:
            await company.insert(session=session)
        except DuplicateKeyError as race:  # a concurrent create won the unique slug index
            raise _duplicate_slug() from race
        assert company.id is not None
        targets: dict[str, ObjectId | None] = {"company": company.id}
        forget: list[tuple[CachedKind, ObjectId | str]] = [(CachedKind.COMPANIES, company.id)]
        if owner_sub is not None:
            member = CompanyMember(company_id=company.id, sub=owner_sub, role=MemberRole.OWNER)
            await member.insert(session=session)
            targets["member"] = member.id
            forget.append((CachedKind.ROLES, owner_sub))
        await audit(context, session, "createCompany", targets,
                    ["name", "slug", "website", "description"])  # fmt: skip
        return Outcome(ids={"company": str(company.id)}, forget=forget)

    data = {"fields": asdict(fields), "ownerSub": owner_sub}
    return await run_mutation(context, "createCompany", data, create, client_mutation_id)


async def update_company(
    context: Context, company_id: ObjectId, patch: CompanyPatch, client_mutation_id: str | None
) -> Outcome:
    """Owners and admins change a company's name, website or description."""

    async def update(session: AsyncClientSession) -> Outcome:
        viewer = context.viewer
        if viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to edit a company")
        if not (viewer.is_admin or viewer.is_owner_of(company_id)):
            # the same answer for missing companies: no existence oracle
            raise refuse(("companyId",), "FORBIDDEN", "Only the company's owners may edit it")
        company = await Company.find_one({"_id": company_id}, session=session)
        if company is None:
            raise refuse(("companyId",), "NOT_FOUND", "No such company")
        errors: list[UserErrorData] = []
        profile = asdict(_checked_profile(
            company.name if patch.name is KEEP else patch.name,
            company.website if patch.website is KEEP else patch.website,
            company.description if patch.description is KEEP else patch.description,
            errors,
        ))  # fmt: skip
        profile |= _checked_careers_page(
            company.tagline if patch.tagline is KEEP else patch.tagline,
            company.headquarters if patch.headquarters is KEEP else patch.headquarters,
            company.logo_url if patch.logo_url is KEEP else patch.logo_url,
            errors,
        )
        if errors:
            raise MutationRefused(*errors)
        changed = [name for name, value in profile.items() if getattr(company, name) != value]
        for name in changed:
            setattr(company, name, profile[name])
        if changed:
            await company.save(session=session)
        await audit(context, session, "updateCompany", {"company": company_id}, changed)
        return Outcome(
            ids={"company": str(company_id)}, forget=[(CachedKind.COMPANIES, company_id)]
        )

    data = {"companyId": str(company_id), "patch": asdict(patch)}
    return await run_mutation(context, "updateCompany", data, update, client_mutation_id)
