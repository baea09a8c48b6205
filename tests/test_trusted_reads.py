"""Trusted reads build the same documents validation builds, and step back where trust would
change the answer."""

from __future__ import annotations

from typing import Any

import pytest
from beanie import Document
from bson import ObjectId
from pydantic import ValidationError
from starlette.applications import Starlette

from crowdhire.dev.seed import seed_demo
from crowdhire.models import DOCUMENT_MODELS, Candidate
from crowdhire.models.trusted import TRUSTED_READS, trusted_read
from tests.factories import make_jobs_page_graph


def same_document(model: type[Document], raw: dict[str, Any]) -> None:
    trusted, validated = trusted_read(model, raw), model.model_validate(raw)
    assert type(trusted) is type(validated)
    assert trusted == validated, (model.__name__, raw["_id"])
    assert trusted.model_dump_json(by_alias=True) == validated.model_dump_json(by_alias=True)
    assert trusted.model_fields_set == validated.model_fields_set
    for name in model.model_fields:
        mine, theirs = getattr(trusted, name), getattr(validated, name)
        if isinstance(theirs, ObjectId):  # PydanticObjectId: the stored ObjectId is kept
            assert isinstance(mine, ObjectId)
        else:
            assert type(mine) is type(theirs), (model.__name__, name)


async def test_every_stored_document_reads_as_validation_reads_it(app: Starlette) -> None:
    await seed_demo(scale=0.05, progress=False)
    await make_jobs_page_graph(3, 2)  # written through Beanie's own insert, not the seeder
    checked: dict[str, int] = {}
    for model in DOCUMENT_MODELS:
        async for raw in model.get_pymongo_collection().find():
            same_document(model, raw)
            checked[model.__name__] = checked.get(model.__name__, 0) + 1
    read_path = ["Company", "CompanyMember", "Recruiter", "Candidate", "Job", "Submission"]
    assert all(checked.get(name, 0) >= 1 for name in [*read_path, "Placement"]), checked
    assert sum(checked.values()) > 300


async def test_a_row_missing_a_field_is_validated(app: Starlette) -> None:
    (job,) = await make_jobs_page_graph(1, 1)
    raw = await Candidate.get_pymongo_collection().find_one({})
    assert raw is not None
    older = {k: v for k, v in raw.items() if k != "email_normalized"}
    built = trusted_read(Candidate, older)
    # the derived matching key comes back, as validation derives it for rows older than it
    assert built.email_normalized == raw["email_normalized"]
    assert job.id is not None


async def test_a_value_of_the_wrong_type_is_refused_as_validation_refuses_it(
    app: Starlette,
) -> None:
    await make_jobs_page_graph(1, 1)
    raw = await Candidate.get_pymongo_collection().find_one({})
    assert raw is not None
    with pytest.raises(ValidationError):
        trusted_read(Candidate, {**raw, "years_experience": "many"})
    with pytest.raises(ValidationError):
        trusted_read(Candidate, {**raw, "automated_ranking": "sometimes"})


async def test_turning_trust_off_validates_again(app: Starlette) -> None:
    await make_jobs_page_graph(1, 1)
    raw = await Candidate.get_pymongo_collection().find_one({})
    assert raw is not None
    unnormalized = {**raw, "skills": ["Python", "python"]}
    assert trusted_read(Candidate, unnormalized).skills == ["Python", "python"]  # as stored
    token = TRUSTED_READS.set(False)
    try:
        assert trusted_read(Candidate, unnormalized).skills == ["python"]  # validators ran
    finally:
        TRUSTED_READS.reset(token)
