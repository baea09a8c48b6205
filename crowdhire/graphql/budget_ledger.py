"""Each process keeps its own ledger of the budget, so no request waits on memcached.

A request is charged against what this process knows: the identity's total as memcached last
confirmed it (every replica's spending) plus what this process spent since. The spending is
pushed to memcached by a background task (`incr`, which answers with the new total across
replicas). When memcached answers late or not at all, requests go on being charged locally:
the budget holds, it only stops learning about other replicas. To bound what replicas can
spend together while they cannot compare notes, one process may only spend `unconfirmed_share`
of an identity's points (or one query, whichever is more) that memcached has not confirmed yet;
past that it answers 429 with a one-second Retry-After until memcached catches up.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from dataclasses import dataclass
from typing import Protocol

RETRY_SECONDS = 1.0
MAX_LEDGERS = 10_000


class SharedTotals(Protocol):
    """Atomic counters every replica adds to (the budget's memcached counters)."""

    async def incr(self, key: str, delta: int, ttl: int) -> int | None:
        """Add delta and return the new total; None when the store is unavailable."""


@dataclass
class WindowLedger:
    """One identity's window as this process sees it."""

    window: int
    confirmed: int = 0  # the total memcached last answered (includes our pushed points)
    unsent: int = 0  # spent here, not pushed yet
    in_flight: int = 0  # being pushed right now
    uncertain: int = 0  # pushes that timed out: memcached may or may not have applied them
    syncing: bool = False

    @property
    def unconfirmed(self) -> int:
        """Spent here and not (or not surely) counted by memcached."""
        return self.unsent + self.in_flight + self.uncertain

    @property
    def used(self) -> int:
        """The best estimate of the identity's total in this window."""
        return self.confirmed + self.unconfirmed


@dataclass(frozen=True)
class Decision:
    """What a charge did: the estimate after it, and whether (and why) it was refused."""

    used: int
    refused: bool = False
    unconfirmed_limit: bool = False


class Ledger:
    """Per-process ledgers of every active identity, synchronised in the background."""

    def __init__(self, counters: SharedTotals, *, points: int, unconfirmed_share: float) -> None:
        self.counters = counters
        self.points = points
        self.unconfirmed_points = max(1, int(points * unconfirmed_share))
        self._windows: dict[str, WindowLedger] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = asyncio.Event()

    def charge(self, key: str, window: int, cost: int, ttl: int) -> Decision:
        """Spend `cost` here and now, or refuse; never waits for memcached."""
        ledger = self._windows.get(key)
        if ledger is None:
            if len(self._windows) >= MAX_LEDGERS:
                self._forget_windows_before(window)
            ledger = self._windows[key] = WindowLedger(window)
        if ledger.used + cost > self.points or (cost == 0 and ledger.used >= self.points):
            self._sync(key, ttl)  # a refused caller still learns the latest total soon
            return Decision(ledger.used, refused=True)
        if cost and ledger.unconfirmed and ledger.unconfirmed + cost > self.unconfirmed_points:
            self._sync(key, ttl)
            return Decision(ledger.used, refused=True, unconfirmed_limit=True)
        ledger.unsent += cost
        self._sync(key, ttl)
        return Decision(ledger.used)

    def used(self, key: str) -> int:
        """The current estimate (after background syncs that finished meanwhile)."""
        ledger = self._windows.get(key)
        return ledger.used if ledger else 0

    def _forget_windows_before(self, window: int) -> None:
        ended = [k for k, w in self._windows.items() if w.window < window and not w.syncing]
        for key in ended:
            del self._windows[key]

    def _sync(self, key: str, ttl: int) -> None:
        ledger = self._windows[key]
        if ledger.syncing or self._closing.is_set():
            return
        ledger.syncing = True
        # A fresh context: this task's memcached calls are not the request's calls (its log line).
        task = asyncio.get_running_loop().create_task(
            self._push(key, ledger, ttl), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _push(self, key: str, ledger: WindowLedger, ttl: int) -> None:
        give_up = time.monotonic() + ttl  # after its window the total no longer matters
        try:
            while time.monotonic() < give_up and not self._closing.is_set():
                delta, ledger.in_flight, ledger.unsent = ledger.unsent, ledger.unsent, 0
                previous = ledger.confirmed
                total = await self.counters.incr(key, delta, ttl)
                ledger.in_flight = 0
                if total is None:
                    # A timed-out incr may still be applied when memcached wakes up: never
                    # send it twice; count it here until a total shows it landed.
                    ledger.uncertain += delta
                    await self._pause(RETRY_SECONDS)
                    continue
                if ledger.uncertain and total - previous - delta >= ledger.uncertain:
                    ledger.uncertain = 0
                ledger.confirmed = max(previous, total)
                if not ledger.unsent and not ledger.uncertain:
                    return
                if not ledger.unsent:
                    await self._pause(RETRY_SECONDS)
        finally:
            ledger.syncing = False

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            return

    async def settle(self) -> None:
        """Wait for the syncs under way (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Let syncs under way finish their one call (cancelling one mid-call would leave its
        connection unread); points not pushed yet are dropped with the process."""
        self._closing.set()
        await self.settle()
