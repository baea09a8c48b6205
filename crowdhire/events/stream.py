"""One change stream on the outbox per process, fanned out to every subscriber in it.

A thousand subscribers share one cursor: the stream's task reads each inserted event once,
builds it once, and offers it to every subscriber's bounded queue. When the stream breaks (an
election, a network cut) it is reopened after the last change it saw, with the resume token;
if the oplog no longer holds that point it catches up from the outbox collection itself, by
position, so subscribers see neither a gap nor a repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern

from crowdhire.events.subscriber import EventFilter, Subscriber
from crowdhire.models.events import OutboxEvent
from crowdhire.observability.lifecycle import cancel_and_wait
from crowdhire.observability.stats import EVENT_STREAM_REOPENS, EVENT_SUBSCRIBERS

log = logging.getLogger("crowdhire.events.stream")

# The server's code when a resume token has fallen off the oplog.
CHANGE_STREAM_HISTORY_LOST = 286
INSERTS_ONLY = [{"$match": {"operationType": "insert"}}]
BACKFILL_PAGE = 500


def event_of(raw: Mapping[str, Any]) -> OutboxEvent:
    """An outbox document as the model every subscriber shares (built once per event)."""
    event: OutboxEvent = OutboxEvent.model_validate(dict(raw))
    return event


class EventStream:
    """The process's outbox change stream and the subscribers it feeds."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        *,
        queue_size: int,
        retry_seconds: float = 0.2,
        max_retry_seconds: float = 5.0,
    ) -> None:
        self._collection = collection
        self._majority = collection.with_options(read_concern=ReadConcern("majority"))
        self._queue_size = queue_size
        self._retry_seconds = retry_seconds
        self._max_retry_seconds = max_retry_seconds
        self._subscribers: set[Subscriber] = set()
        self._resume_token: Mapping[str, Any] | None = None
        self._last_position: int | None = None
        self._opened = asyncio.Event()
        self._starting = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.reopens = 0

    @property
    def subscriber_count(self) -> int:
        """Subscribers currently attached (the metric of open subscriptions)."""
        return len(self._subscribers)

    async def start(self, open_within: float = 10.0) -> None:
        """Open the change stream (once); returns when it is open, so later commits reach it.

        Called by the first subscriber rather than at start-up: a process nobody subscribes to
        holds no cursor and sends no getMore.
        """
        async with self._starting:
            if self._task is None:
                self._task = asyncio.create_task(self._follow(), name="outbox-change-stream")
        if self._opened.is_set():
            return
        opened = asyncio.create_task(self._opened.wait())
        await asyncio.wait([opened, self._task], timeout=open_within, return_when="FIRST_COMPLETED")
        if not opened.done():
            opened.cancel()
            log.warning("outbox change stream not open after %ss; still trying", open_within)

    async def stop(self) -> None:
        """Close the change stream; attached subscribers end with it."""
        if self._task is not None:
            await cancel_and_wait([self._task], "outbox change stream")
            self._task = None
        for subscriber in list(self._subscribers):
            subscriber.close()

    async def _follow(self) -> None:
        delay = self._retry_seconds
        catch_up = False
        while True:
            try:
                async with await self._collection.watch(
                    INSERTS_ONLY, resume_after=self._resume_token
                ) as changes:
                    self._opened.set()
                    if catch_up:
                        await self._catch_up()
                        catch_up = False
                    delay = self._retry_seconds
                    async for change in changes:
                        self._resume_token = changes.resume_token
                        self._dispatch(event_of(change["fullDocument"]))
            except OperationFailure as error:
                if error.code != CHANGE_STREAM_HISTORY_LOST:
                    log.warning("outbox change stream failed; reopening", exc_info=True)
                else:
                    log.warning("outbox resume point left the oplog; catching up from the outbox")
                    self._resume_token, catch_up = None, True
            except PyMongoError:
                log.warning("outbox change stream interrupted; reopening", exc_info=True)
            self.reopens += 1
            EVENT_STREAM_REOPENS.inc()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_seconds)

    async def _catch_up(self) -> None:
        """Dispatch what was committed while no stream was open (after a lost resume point)."""
        if self._last_position is None:
            return
        async for event in self._read_after(self._last_position, {}):
            self._dispatch(event)

    def _dispatch(self, event: OutboxEvent) -> None:
        if self._last_position is not None and event.position <= self._last_position:
            return
        self._last_position = event.position
        for subscriber in self._subscribers:
            subscriber.offer(event)

    async def _read_after(
        self, position: int, query: Mapping[str, Any]
    ) -> AsyncIterator[OutboxEvent]:
        """Committed outbox events after `position` in order, read page by page."""
        while True:
            cursor = self._majority.find(
                {**query, "position": {"$gt": position}},
                sort=[("position", 1)],
                limit=BACKFILL_PAGE,
            )
            page = [event_of(raw) async for raw in cursor]
            for event in page:
                yield event
            if len(page) < BACKFILL_PAGE:
                return
            position = page[-1].position

    async def events(
        self,
        matches: EventFilter,
        *,
        after: int | None = None,
        query: Mapping[str, Any] | None = None,
        on_overflow: Callable[[], object] | None = None,
    ) -> AsyncIterator[OutboxEvent]:
        """Events `matches` accepts: those after position `after` first, then live ones.

        `query` narrows the outbox read of the resume (it must accept everything `matches`
        does). The history is read until it runs dry, then the subscriber attaches to the
        stream and the history is read once more: an event the stream delivered before the
        subscriber attached was committed by then, so that last read holds it. Positions
        already yielded are skipped, so nothing comes twice.
        """
        await self.start()
        narrowed = dict(query or {})
        last = after
        if last is not None:
            async for event in self._read_after(last, narrowed):
                if matches(event):
                    last = event.position
                    yield event
        subscriber = Subscriber(matches, self._queue_size, on_overflow)
        self._subscribers.add(subscriber)
        EVENT_SUBSCRIBERS.inc()
        try:
            if last is not None:
                async for event in self._read_after(last, narrowed):
                    if matches(event):
                        last = event.position
                        yield event
            while True:
                event = await subscriber.next()
                if last is not None and event.position <= last:
                    continue
                last = event.position
                yield event
        finally:
            self._subscribers.discard(subscriber)
            EVENT_SUBSCRIBERS.dec()
