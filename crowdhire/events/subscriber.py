"""One subscriber's bounded buffer between the shared change stream and its consumer."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from crowdhire.models.events import OutboxEvent

EventFilter = Callable[[OutboxEvent], bool]


class SlowConsumerError(Exception):
    """The subscriber fell a whole buffer behind the stream and was cut off."""


class StreamClosedError(Exception):
    """The process's change stream stopped (the app is shutting down)."""


class Subscriber:
    """Events one consumer accepts, buffered up to `capacity`.

    `offer` runs in the stream's task for every event and never blocks: a full buffer marks
    the subscriber overflowed (and calls `on_overflow`) rather than slowing the stream down for
    everyone else or growing without bound.
    """

    __slots__ = ("_buffer", "_capacity", "_matches", "_on_overflow", "_state", "_wakeup")

    def __init__(
        self,
        matches: EventFilter,
        capacity: int,
        on_overflow: Callable[[], object] | None = None,
    ) -> None:
        self._matches = matches
        self._capacity = capacity
        self._on_overflow = on_overflow
        self._buffer: deque[OutboxEvent] = deque()
        self._wakeup: asyncio.Event | None = None
        self._state: type[Exception] | None = None

    def offer(self, event: OutboxEvent) -> None:
        """Buffer `event` if this subscriber accepts it."""
        if self._state is not None or not self._matches(event):
            return
        if len(self._buffer) >= self._capacity:
            self._state = SlowConsumerError
            self._buffer.clear()
            if self._on_overflow is not None:
                self._on_overflow()
        else:
            self._buffer.append(event)
        if self._wakeup is not None:
            self._wakeup.set()

    def close(self) -> None:
        """End the subscription: the consumer's next wait raises StreamClosedError."""
        if self._state is None:
            self._state = StreamClosedError
        if self._wakeup is not None:
            self._wakeup.set()

    async def next(self) -> OutboxEvent:
        """The oldest buffered event, waiting for one; raises once cut off or closed."""
        while not self._buffer:
            if self._state is not None:
                raise self._state()
            # Created on the first wait only: an idle subscriber costs one Event, not a Queue.
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._buffer.popleft()
