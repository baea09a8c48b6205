"""Company reads and writes."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.errors import ForbiddenError
from crowdhire.loaders.base import CachedKind, Pending, loaded
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.companies import Company, CompanyMember, MemberRole
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

COMPANY_ORDERS = {
    "CREATED_AT_DESC": ordering("companies:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("companies:created_at_asc", ("created_at", ASCENDING)),
    "SLUG_ASC": ordering("companies:slug_asc", ("slug", ASCENDING)),
}


async def list_companies(order_by: str, request: PageRequest) -> Page:
    """One page of the root companies list."""
    return await fetch_root_page(Company, {}, COMPANY_ORDERS[order_by], request)


async def count_companies() -> int:
    """How many companies exist."""
    return await count_documents(Company, {})


async def company_by_id(context: Context, company_id: ObjectId) -> Company | None:
    """One company, through the cached loader."""
    return await context.loaders.company_by_id.load(company_id)


def company_now(context: Context, company_id: ObjectId) -> Company | Pending | None:
    """`company_by_id` when already loaded in this request, else PENDING."""
    return loaded(context.loaders.company_by_id, company_id)


def prefetch_companies(context: Context, company_ids: Sequence[ObjectId]) -> Awaitable[object]:
    """Load many companies in this request's batch (a future: see `jobs.prefetch_jobs`)."""
    return context.loaders.company_by_id.load_many(company_ids)


def _ensure_can_manage(context: Context, company_id: ObjectId) -> None:
    viewer = context.viewer
    if viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to manage company members")
    if not (viewer.is_admin or viewer.is_owner_of(company_id)):
        # the same answer for missing companies: no existence oracle
        raise refuse(("companyId",), "FORBIDDEN", "Only the company's owners may manage members")


def is_sub(sub: str) -> bool:
    """An Auth0 subject as we accept it: 1 to 256 characters without whitespace."""
    return 1 <= len(sub) <= 256 and not any(ch.isspace() for ch in sub)


def _check_sub(sub: str) -> None:
    if not is_sub(sub):
        raise refuse(("sub",), "INVALID_INPUT", "sub must be 1 to 256 characters without spaces")


async def _owner_count(company_id: ObjectId, session: AsyncClientSession) -> int:
    match = {"company_id": company_id, "role": MemberRole.OWNER.value}
    return await CompanyMember.get_pymongo_collection().count_documents(match, session=session)


async def add_company_member(
    context: Context,
    company_id: ObjectId,
    sub: str,
    role: MemberRole,
    client_mutation_id: str | None,
) -> Outcome:
    """Admins and owners add a member (or change a member's role)."""

    async def add(session: AsyncClientSession) -> Outcome:
        _ensure_can_manage(context, company_id)
        _check_sub(sub)
        if await Company.find_one({"_id": company_id}, session=session) is None:
            raise refuse(("companyId",), "NOT_FOUND", "No such company")
        member = await CompanyMember.find_one(
            {"company_id": company_id, "sub": sub}, session=session
        )
        if member is None:
            member = CompanyMember(company_id=company_id, sub=sub, role=role)
            await member.insert(session=session)
        elif member.role is not role:
            if member.role is MemberRole.OWNER and await _owner_count(company_id, session) == 1:
                raise refuse(("role",), "LAST_OWNER", "A company keeps at least one owner")
            member.role = role
            await member.save(session=session)
        await audit(context, session, "addCompanyMember",
                    {"company": company_id, "member": member.id}, ["role"])  # fmt: skip
        forget: list[tuple[CachedKind, ObjectId | str]] = [
            (CachedKind.ROLES, sub),
            (CachedKind.MEMBERS, company_id),
        ]
        return Outcome(ids={"member": str(member.id)}, forget=forget)

    data = {"companyId": str(company_id), "sub": sub, "role": role.value}
    return await run_mutation(context, "addCompanyMember", data, add, client_mutation_id)


async def remove_company_member(
    context: Context, company_id: ObjectId, sub: str, client_mutation_id: str | None
) -> Outcome:
    """Admins and owners remove a member; the last owner stays."""

    async def remove(session: AsyncClientSession) -> Outcome:
        _ensure_can_manage(context, company_id)
        member = await CompanyMember.find_one(
            {"company_id": company_id, "sub": sub}, session=session
        )
        if member is None:
            raise refuse(("sub",), "NOT_A_MEMBER", "That subject is not a member of the company")
        if member.role is MemberRole.OWNER and await _owner_count(company_id, session) == 1:
            raise refuse(("sub",), "LAST_OWNER", "A company keeps at least one owner")
        await member.delete(session=session)
        await audit(context, session, "removeCompanyMember",
                    {"company": company_id, "member": member.id})  # fmt: skip
        forget: list[tuple[CachedKind, ObjectId | str]] = [
            (CachedKind.ROLES, sub),
            (CachedKind.MEMBERS, company_id),
        ]
        return Outcome(ids={"company": str(company_id)}, forget=forget)

    data = {"companyId": str(company_id), "sub": sub}
    return await run_mutation(context, "removeCompanyMember", data, remove, client_mutation_id)


async def company_members(context: Context, company_id: ObjectId) -> list[CompanyMember]:
    """A company's members, for its members and admins (others: FORBIDDEN)."""
    viewer = context.viewer
    if not (viewer.is_admin or viewer.is_member_of(company_id)):
        raise ForbiddenError("Only the company's members may see its members", field="members")
    return await context.loaders.members_by_company_id.load(company_id)


async def member_by_id(member_id: ObjectId) -> CompanyMember | None:
    """A membership by id (for mutation payloads)."""
    return await CompanyMember.get(member_id)
