"""The text of a candidate's CV, added to what their matching vector is computed from.

A recruiter's structured profile is short; the CV says what the person actually did. Only the
newest CV counts (portfolios and other files describe work, not the person), and only its
first part: an embedding averages its tokens, so a long CV would drown the profile.
"""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from crowdhire.models.documents import DocumentKind, DocumentText

CV_TEXT_CHARS = 4000


async def cv_texts(candidate_ids: Sequence[ObjectId]) -> dict[ObjectId, str]:
    """The newest extracted CV text of each candidate that has one (one query for all)."""
    cursor = DocumentText.get_pymongo_collection().find(
        {"candidate_id": {"$in": list(candidate_ids)}, "kind": DocumentKind.CV.value},
        projection={"candidate_id": 1, "text": 1, "extracted_at": 1},
        sort=[("extracted_at", 1), ("_id", 1)],
    )
    newest: dict[ObjectId, str] = {}
    async for row in cursor:  # ascending, so the newest CV of a candidate is written last
        newest[row["candidate_id"]] = row["text"][:CV_TEXT_CHARS]
    return newest


def with_cv(profile_text: str, cv: str | None) -> str:
    """The embedded text: the profile, then the CV's opening when there is one."""
    return f"{profile_text}\n{cv}" if cv else profile_text
