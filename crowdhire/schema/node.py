"""Relay `node`/`nodes`: resolve any object by its opaque id, through the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bson import ObjectId

from crowdhire.context import Context
from crowdhire.errors import BadUserInputError
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers import placements as placement_resolvers
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.ids import Node, parse_global_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.placements import PlacementType
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.submissions import SubmissionType

MAX_NODES = 100

_Resolver = tuple[Callable[[Context, ObjectId], Awaitable[Any]], Callable[[Any], Node]]

# Each lookup applies the viewer's visibility: a hidden record is exactly like a missing one.
NODE_TYPES: dict[str, _Resolver] = {
    "Company": (company_resolvers.company_by_id, CompanyType.from_model),
    "Recruiter": (recruiter_resolvers.recruiter_by_id, RecruiterType.from_model),
    "Candidate": (candidate_resolvers.candidate_by_id, CandidateType.from_model),
    "Job": (job_resolvers.job_by_id, JobType.from_model),
    "Submission": (submission_resolvers.submission_by_id, SubmissionType.from_model),
    "Placement": (placement_resolvers.placement_by_id, PlacementType.from_model),
}


async def load_node(context: Context, global_id: str) -> Node | None:
    """The object an id names, or None when it does not exist or is not an id of ours."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] not in NODE_TYPES:
        return None
    type_name, object_id = parsed
    lookup, convert = NODE_TYPES[type_name]
    found = await lookup(context, object_id)
    return convert(found) if found is not None else None


def load_nodes(context: Context, global_ids: list[str]) -> Awaitable[list[Node | None]]:
    """Objects for many ids, in order (batched per type); at most MAX_NODES ids."""
    if len(global_ids) > MAX_NODES:
        raise BadUserInputError(f"`ids` takes at most {MAX_NODES} ids", argument="ids")
    return asyncio.gather(*(load_node(context, global_id) for global_id in global_ids))
