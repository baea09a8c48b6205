"""Candidates' held skills kept in process for the shortlist, never for a score.

The shortlist estimate needs a candidate's skills and vector only; reading a recruiter's
thousand profile rows on every ranking was most of its CPU. Skills are part of the embedded
text, so changing them rewrites the candidate's embedding row, and every instance's refresh
poll reads that row and drops the entry (this instance's worker drops it at once). A
shortlist may therefore see skills up to one refresh period old, like the vectors; scores,
eligibility (opt-out, erasure) and every value shown still come from MongoDB per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bson import ObjectId

MAX_ENTRIES = 500_000
"""Past this many entries the cache starts over (bounded memory, a few hundred bytes each)."""


class SkillCache:
    """Skills by candidate id, with an epoch so a read that raced a change is not kept."""

    def __init__(self) -> None:
        self._skills: dict[ObjectId, tuple[str, ...]] = {}
        self.epoch = 0

    def __len__(self) -> int:
        return len(self._skills)

    def split(
        self, owner_ids: Iterable[ObjectId]
    ) -> tuple[dict[ObjectId, tuple[str, ...]], list[ObjectId]]:
        """The cached skills of these ids, and the ids to read from MongoDB."""
        found: dict[ObjectId, tuple[str, ...]] = {}
        missing: list[ObjectId] = []
        cached = self._skills
        for owner_id in owner_ids:
            skills = cached.get(owner_id)
            if skills is None:
                missing.append(owner_id)
            else:
                found[owner_id] = skills
        return found, missing

    def put_many(self, skills: Mapping[ObjectId, tuple[str, ...]], read_at_epoch: int) -> None:
        """Keep what was read, unless an entry was dropped since the read began."""
        if read_at_epoch != self.epoch:
            return
        if len(self._skills) + len(skills) > MAX_ENTRIES:
            self._skills.clear()
        self._skills.update(skills)

    def forget(self, owner_id: ObjectId) -> None:
        """Drop one candidate's entry (their embedding row changed)."""
        self._skills.pop(owner_id, None)
        self.epoch += 1
