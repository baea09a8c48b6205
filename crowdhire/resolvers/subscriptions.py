"""Who may follow which events live, and the loop that feeds one subscription.

Every event a subscription yields has passed `may_see` for the subscriber, on top of the
field's own narrowing (one job, one recruiter's submissions, some types), so a subscription
never shows more than the changes feed or a webhook would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping
from typing import Any

from bson import ObjectId

from crowdhire.context import Context
from crowdhire.errors import ForbiddenError, UnauthenticatedError
from crowdhire.events.stream import EventStream
from crowdhire.events.subscriber import EventFilter, SlowConsumerError
from crowdhire.loaders import build_loaders
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.resolvers.events import decode_position, may_see
from crowdhire.resolvers.jobs import job_by_id

# 4000-4999 are the application's close codes; graphql-ws clients reconnect after this one.
SLOW_CONSUMER_CLOSE = 4008
SLOW_CONSUMER_REASON = "Slow consumer: too many undelivered events, resume with `after`"


def _stream_of(context: Context) -> EventStream:
    if context.viewer.is_anonymous:
        raise UnauthenticatedError("Sign in (connection_init `Authorization`) to subscribe")
    if context.events is None:
        raise RuntimeError("subscriptions run only in a served app (no event stream)")
    return context.events


async def follow(
    context: Context,
    matches: EventFilter,
    *,
    after: str | None,
    query: Mapping[str, Any] | None = None,
) -> AsyncIterator[OutboxEvent]:
    """Events after the `after` cursor (or from now) that the viewer may see and `matches`."""
    stream = _stream_of(context)
    position = decode_position(after) if after is not None else None
    close_socket = context.close_socket

    def visible(event: OutboxEvent) -> bool:
        # The socket's viewer as of now: its roles are reloaded on every heartbeat.
        return matches(event) and may_see(context.viewer, event)

    def cut_off() -> None:
        if close_socket is not None:
            asyncio.get_running_loop().create_task(
                close_socket(SLOW_CONSUMER_CLOSE, SLOW_CONSUMER_REASON)
            )

    events = stream.events(visible, after=position, query=query, on_overflow=cut_off)
    try:
        async for event in events:
            # Fresh loaders per event: each one shows its objects as they are when it is sent.
            context.loaders = build_loaders(context.cache)
            yield event
    except SlowConsumerError:
        if close_socket is None:
            raise
        # Never `complete`: the client must reconnect and resume, so the socket closes while
        # the operation waits here until the connection's shutdown cancels it.
        await close_socket(SLOW_CONSUMER_CLOSE, SLOW_CONSUMER_REASON)
        await asyncio.Event().wait()


async def pipeline_events(
    context: Context, job_id: ObjectId, after: str | None
) -> AsyncIterator[OutboxEvent]:
    """Events naming one job; its company's members and admins only."""
    _stream_of(context)
    job = await job_by_id(context, job_id)
    viewer = context.viewer
    if job is None or not (viewer.is_admin or viewer.is_member_of(job.company_id)):
        raise ForbiddenError("Only the job's company may follow its pipeline", field="jobId")
    key = str(job_id)
    query = {"subjects.job": key}
    events = follow(context, lambda e: e.subjects.get("job") == key, after=after, query=query)
    async for event in events:
        yield event


async def company_events(context: Context, after: str | None) -> AsyncIterator[OutboxEvent]:
    """Events naming any company the viewer is a member of."""
    _stream_of(context)
    companies = {str(company_id) for company_id in context.viewer.company_ids}
    if not companies:
        raise ForbiddenError(
            "Only company members may follow company events", field="companyEvents"
        )
    query = {"subjects.company": {"$in": sorted(companies)}}
    events = follow(
        context, lambda e: e.subjects.get("company") in companies, after=after, query=query
    )
    async for event in events:
        yield event


def _submission_of(recruiter: str) -> EventFilter:
    return lambda e: "submission" in e.subjects and e.subjects.get("recruiter") == recruiter


async def my_submission_events(context: Context, after: str | None) -> AsyncIterator[OutboxEvent]:
    """Events about the viewer's own submissions; recruiters only."""
    _stream_of(context)
    if context.viewer.recruiter_id is None:
        raise ForbiddenError(
            "Only recruiters have submissions to follow", field="mySubmissionEvents"
        )
    recruiter = str(context.viewer.recruiter_id)
    query = {"subjects.recruiter": recruiter, "subjects.submission": {"$exists": True}}
    async for event in follow(context, _submission_of(recruiter), after=after, query=query):
        yield event


async def all_events(
    context: Context, types: Collection[EventType] | None, after: str | None
) -> AsyncIterator[OutboxEvent]:
    """Every event (of `types`, when given); admins only."""
    _stream_of(context)
    if not context.viewer.is_admin:
        raise ForbiddenError("Only admins may follow every event", field="events")
    wanted = frozenset(types) if types else None
    query = {"type": {"$in": sorted(wanted)}} if wanted else {}
    events = follow(context, lambda e: wanted is None or e.type in wanted, after=after, query=query)
    async for event in events:
        yield event
