"""MATCHING_INDEX=hnsw: the hnswlib graph answers nearest, kept in step like the exact index."""

from __future__ import annotations

import numpy as np
from bson import ObjectId

from crowdhire.matching.embeddings import DIMENSIONS, TextEncoder
from crowdhire.matching.hnsw import HnswKindIndex
from crowdhire.matching.index import KindIndex
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import RemotePolicy
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_candidate, make_company, make_job, make_recruiter
from tests.support import global_id, gql

RANKED = """query($id: ID!) { node(id: $id) { ... on Job {
  recommendedCandidates { nodes { candidate { fullName } match { score } } } } } }"""


def _unit_rows(count: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, DIMENSIONS)).astype(np.float32)
    normed: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return normed


def _both(count: int) -> tuple[KindIndex, HnswKindIndex, list[ObjectId]]:
    exact, graph = KindIndex(), HnswKindIndex()
    owners = [ObjectId() for _ in range(count)]
    for owner, vector in zip(owners, _unit_rows(count, 16), strict=True):
        exact.put(owner, vector)
        graph.put(owner, vector)
    return exact, graph, owners


def test_the_graph_finds_what_the_exact_scan_finds() -> None:
    # Random directions in 256 dimensions: the hardest case for a graph (all cosines near 0).
    exact, graph, _ = _both(3000)  # past the first capacity: the graph grew
    queries = _unit_rows(20, 17)

    found = [(exact.nearest(q, 50), graph.nearest(q, 50), q) for q in queries]

    recalls = []
    for truth, approximate, query in found:
        recalls.append(len({o for o, _ in truth} & {o for o, _ in approximate}) / 50)
        true_cosines = exact.cosines(query, [owner for owner, _ in approximate])
        for owner, cosine in approximate:
            assert abs(cosine - true_cosines[owner]) < 1e-5
        assert [c for _, c in approximate] == sorted((c for _, c in approximate), reverse=True)
    assert sum(recalls) / len(recalls) >= 0.99  # approximate by design; 0.998 measured here
    assert len(graph) == 3000


def test_replaced_and_removed_vectors_follow_in_the_graph() -> None:
    _, graph, owners = _both(500)
    moved, gone = owners[0], owners[1]
    target = _unit_rows(1, 99)[0]

    graph.put(moved, target)
    graph.remove(gone)
    graph.remove(gone)  # twice is fine
    back = ObjectId()
    graph.put(back, _unit_rows(1, 98)[0])  # reuses a deleted slot

    (best, cosine), *_ = graph.nearest(target, 5)
    everyone = {owner for owner, _ in graph.nearest(target, len(graph))}
    assert best == moved and abs(cosine - 1.0) < 1e-5
    assert gone not in everyone and back in everyone
    assert len(graph) == 500 and graph.vector(gone) is None


async def test_rankings_run_on_the_graph_when_the_setting_asks(
    app_factory: AppFactory, issuer: Issuer, text_encoder: TextEncoder
) -> None:
    async with app_factory(matching_index="hnsw") as (app, http):
        services = app.state.services
        job = await make_job(
            await make_company(), title="Backend Engineer", skills=[],
            description="Build server-side APIs and services in Python.",
            must_have_skills=["python"], remote_policy=RemotePolicy.REMOTE,
        )  # fmt: skip
        rita = await make_recruiter()
        person = await make_candidate(rita, full_name="Ada Backend", headline="Python developer",
                                      skills=["python"], summary="I build APIs.")  # fmt: skip
        assert job.id is not None and person.id is not None
        await enqueue_embedding(EmbeddedKind.JOB, job.id)
        await enqueue_embedding(EmbeddedKind.CANDIDATE, person.id)
        assert await services.worker.drain() == 2
        index = services.matching.index[EmbeddedKind.CANDIDATE]
        job_vector = services.matching.index[EmbeddedKind.JOB].vector(job.id)
        assert job_vector is not None

        data = (await gql(http, RANKED, {"id": global_id("Job", job)},
                          as_=issuer.admin_token()))["data"]  # fmt: skip

        assert isinstance(index, HnswKindIndex)
        assert [owner for owner, _ in index.nearest(job_vector, 1)] == [person.id]
        nodes = data["node"]["recommendedCandidates"]["nodes"]
        assert [n["candidate"]["fullName"] for n in nodes] == ["Ada Backend"]
