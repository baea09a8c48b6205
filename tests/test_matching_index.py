"""The vector index, the Atlas query builder and the backfill command."""

from __future__ import annotations

import numpy as np
from bson import ObjectId
from bson.binary import Binary
from starlette.applications import Starlette

from crowdhire.matching import store
from crowdhire.matching.atlas import index_definition, vector_search_pipeline
from crowdhire.matching.backfill import backfill
from crowdhire.matching.embeddings import DIMENSIONS, TextEncoder, Vectors
from crowdhire.matching.index import KindIndex
from crowdhire.matching.skills import coverage
from crowdhire.models.candidates import AutomatedRanking
from crowdhire.models.embeddings import EmbeddedKind
from tests.factories import make_candidate, make_company, make_job, make_recruiter


def _unit(*values: float) -> Vectors:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def test_nearest_is_exact_and_follows_puts_and_removals() -> None:
    index, ids = KindIndex(), [ObjectId() for _ in range(3)]
    for owner_id, vector in zip(ids, [_unit(1, 0), _unit(1, 1), _unit(0, 1)], strict=True):
        index.put(owner_id, vector)

    assert [oid for oid, _ in index.nearest(_unit(1, 0.1), 2)] == [ids[0], ids[1]]
    index.remove(ids[0])
    index.put(ids[2], _unit(1, 0))  # replaced in place

    assert [oid for oid, _ in index.nearest(_unit(1, 0.1), 3)] == [ids[2], ids[1]]
    assert len(index) == 2 and index.vector(ids[0]) is None


def test_the_index_grows_past_its_first_allocation() -> None:
    index = KindIndex()
    ids = [ObjectId() for _ in range(2100)]
    for n, owner_id in enumerate(ids):
        index.put(owner_id, _unit(1, n / 2100))

    assert len(index) == 2100
    assert index.nearest(_unit(1, 0), 1)[0][0] == ids[0]


def test_the_atlas_pipeline_searches_live_vectors_of_one_kind_and_model() -> None:
    query = _unit(1, 2, 3)

    (search, project) = vector_search_pipeline("embeddings_vector", EmbeddedKind.CANDIDATE,
                                               "wordllama-x", query, 50)  # fmt: skip

    stage = search["$vectorSearch"]
    assert stage["index"] == "embeddings_vector" and stage["path"] == "vector"
    assert stage["limit"] == 50 and stage["numCandidates"] == 500
    assert stage["filter"] == {"kind": "candidate", "model_version": "wordllama-x",
                               "deleted": False}  # fmt: skip
    assert isinstance(stage["queryVector"], Binary) and stage["queryVector"].subtype == 9
    assert np.allclose(stage["queryVector"].as_vector().data, query)
    assert project["$project"]["score"] == {"$meta": "vectorSearchScore"}
    vector_field = index_definition()["fields"][0]
    assert vector_field == {"type": "vector", "path": "vector", "numDimensions": DIMENSIONS,
                            "similarity": "cosine"}  # fmt: skip


async def test_backfill_embeds_what_is_missing_once_and_skips_opted_out_people(
    app: Starlette, text_encoder: TextEncoder
) -> None:
    recruiter = await make_recruiter()
    present = await make_candidate(recruiter, headline="Backend developer")
    absent = await make_candidate(recruiter, automated_ranking=AutomatedRanking.OPTED_OUT)
    await make_job(await make_company())

    first = await backfill(progress=False)
    second = await backfill(progress=False)

    assert first == {"job": 1, "candidate": 1} and second == {"job": 0, "candidate": 0}
    assert present.id is not None and absent.id is not None
    stored = await store.find(EmbeddedKind.CANDIDATE, present.id)
    assert stored is not None and stored.model_version == text_encoder.version
    assert await store.find(EmbeddedKind.CANDIDATE, absent.id) is None


def test_similar_skill_names_match_through_the_model_and_unrelated_ones_do_not(
    text_encoder: TextEncoder,
) -> None:
    wanted = ("data visualization", "unit testing", "typescript")
    held = ("data visualisation", "unit tests", "javascript")

    without_model = coverage(wanted, held)
    with_model = coverage(wanted, held, text_encoder.name_similarity)

    assert without_model.matched == ()
    assert with_model.matched == ("data visualization", "unit testing")
    assert with_model.missing == ("typescript",)
