"""Attached files of many candidates in one query (not cached: signed URLs are made per viewer
from them, and the list changes with every upload)."""

from __future__ import annotations

from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.models.documents import CandidateDocument, DocumentStatus


class DocumentsByCandidateIdLoader(DataLoader[ObjectId, list[CandidateDocument]]):
    """Each candidate's attached files, oldest first, in one `$in` query per batch."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, candidate_ids: list[ObjectId]) -> list[list[CandidateDocument]]:
        found: dict[ObjectId, list[CandidateDocument]] = {cid: [] for cid in candidate_ids}
        cursor = CandidateDocument.get_pymongo_collection().find(
            {"candidate_id": {"$in": candidate_ids}, "status": DocumentStatus.ATTACHED.value},
            sort=[("attached_at", 1), ("_id", 1)],
        )
        async for raw in cursor:
            found[raw["candidate_id"]].append(CandidateDocument.model_validate(raw))
        return [found[cid] for cid in candidate_ids]
