"""The read-path optimizations answer exactly what graphql-core's executor answers.

Two apps share one seeded database: one with the defaults (compiled field readers, trusted
reads), one with both turned off (GRAPHQL_COMPILED_EXECUTION=false, TRUSTED_READS=false).
Both run uncached, so both execute. Every query document of the suite, and a corpus that
hypothesis-graphql generates from the schema, goes to both as several viewers; the status and
the body (data, errors with their paths, null propagation) must be the same bytes. Only the
budget report (`extensions.cost`, which counts both apps' spending), the random id of a
masked internal error and the time a ranking was computed at are left out of the comparison.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
import strawberry
from bson import ObjectId
from graphql import parse
from graphql.execution.values import get_argument_values
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries

from crowdhire.dev.seed import seed_demo
from crowdhire.graphql.compiled import CompiledExecutionContext
from crowdhire.graphql.direct_resolvers import direct_resolver
from crowdhire.graphql.schema import build_schema
from crowdhire.models import (
    Candidate,
    Company,
    CompanyMember,
    Job,
    Placement,
    Recruiter,
    Submission,
)
from crowdhire.schema.ids import encode_global_id
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.read_path_corpus import corpus, query_documents
from tests.test_fuzz import SCALARS

SCHEMA = build_schema()._schema
OFF = {
    "graphql_compiled_execution": False,
    "trusted_reads": False,
    "projected_pages": False,
    "projected_objects": False,
}
UNCACHED = {"cache_enabled": False, "cost_budget_points": 10**12}


@dataclass
class Pair:
    """The same request to the optimized app and the reference app."""

    optimized: httpx.AsyncClient
    reference: httpx.AsyncClient
    viewers: dict[str, dict[str, str]]
    ids: dict[str, str]

    async def answers(self, document: str, variables: dict[str, Any], viewer: str) -> bytes:
        """Both answers, asserted identical; the comparable form of the answer."""
        payload = {"query": document, "variables": variables}
        headers = self.viewers[viewer]
        left = await self.optimized.post("/graphql", json=payload, headers=headers)
        right = await self.reference.post("/graphql", json=payload, headers=headers)
        assert left.status_code == right.status_code, (document, viewer)
        ours, theirs = comparable(left.content), comparable(right.content)
        assert ours == theirs, (document, variables, viewer, ours[:600], theirs[:600])
        return ours


def _drop_request_times(value: Any) -> None:
    """`computedAt` of a ranking is when this request computed it: it differs per request."""
    if isinstance(value, dict):
        if "computedAt" in value:
            value["computedAt"] = "(this request)"
        for item in value.values():
            _drop_request_times(item)
    elif isinstance(value, list):
        for item in value:
            _drop_request_times(item)


def comparable(content: bytes) -> bytes:
    """The body, minus the budget report, masked errors' random ids and rankings' computation
    times (orjson keeps the key order, so the bytes still show order differences)."""
    body = orjson.loads(content)
    _drop_request_times(body)
    if isinstance(body, dict):
        extensions = body.get("extensions")
        if isinstance(extensions, dict):
            extensions.pop("cost", None)
        for error in body.get("errors") or ():
            if isinstance(error.get("extensions"), dict):
                error["extensions"].pop("errorId", None)
    return orjson.dumps(body)


async def first(model: Any) -> str:
    """The global id of one seeded document of a model."""
    document = await model.find_one()
    assert document is not None, model
    return encode_global_id(model.__name__, document.id)


@pytest.fixture
async def pair(app_factory: AppFactory, issuer: Issuer) -> AsyncIterator[Pair]:
    """Both apps on one database holding the demo data at a small scale."""
    async with (
        app_factory(**UNCACHED, **OFF) as (_, reference),
        app_factory(**UNCACHED) as (_, optimized),
    ):
        await seed_demo(scale=0.05, progress=False)
        recruiter, member = await Recruiter.find_one(), await CompanyMember.find_one()
        assert recruiter is not None and member is not None
        viewers = {
            "admin": {"Authorization": f"Bearer {issuer.admin_token()}"},
            "recruiter": {"Authorization": f"Bearer {issuer.token(recruiter.sub)}"},
            "member": {"Authorization": f"Bearer {issuer.token(member.sub)}"},
            "anonymous": {},
        }
        models = (Candidate, Job, Company, Submission, Recruiter, Placement)
        ids = {model.__name__.lower(): await first(model) for model in models}
        yield Pair(optimized, reference, viewers, ids)


def test_the_default_schema_compiles_and_the_setting_turns_it_off() -> None:
    assert build_schema().execution_context_class is CompiledExecutionContext
    plain = build_schema(Settings(graphql_compiled_execution=False))
    assert plain.execution_context_class is not CompiledExecutionContext


def test_the_corpus_holds_the_suites_documents() -> None:
    documents = query_documents(SCHEMA)
    assert len(documents) >= 40, len(documents)
    assert any("query JobsPage" in document for document in documents)
    assert any("RecruiterPage" in document for document in documents)


async def test_every_query_document_of_the_suite_answers_identically(pair: Pair) -> None:
    runs = corpus(SCHEMA, pair.ids)
    assert len(runs) >= 40
    with_data = 0
    for document, variables in runs:
        for viewer in pair.viewers:
            answer = orjson.loads(await pair.answers(document, variables, viewer))
            with_data += bool(answer.get("data"))
    # most of the corpus must really execute, not fail validation on both sides alike
    assert with_data >= len(runs) * len(pair.viewers) // 2


async def test_errors_paths_and_null_propagation_are_identical(pair: Pair) -> None:
    # fee terms are FORBIDDEN to anonymous viewers: an error at a path inside a list,
    # next to plain fields the compiled readers serve
    document = """{ jobs(first: 5) { nodes { id title feeTerms { percent currency }
      company { id name } } } }"""
    answer = orjson.loads(await pair.answers(document, {}, "anonymous"))
    assert answer["errors"], answer
    assert answer["errors"][0]["path"][:3] == ["jobs", "nodes", 0]
    assert all(node["title"] for node in answer["data"]["jobs"]["nodes"])
    missing = """query($id: ID!) { node(id: $id) { id ... on Job { title } } }"""
    await pair.answers(missing, {"id": encode_global_id("Job", ObjectId())}, "admin")


FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@FUZZ
@given(document=queries(SCHEMA, custom_scalars=SCALARS))
async def test_generated_queries_answer_identically(pair: Pair, document: str) -> None:
    for viewer in ("admin", "recruiter"):
        await pair.answers(document, {}, viewer)


class _Allowed(strawberry.BasePermission):
    message = "no"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return True


@strawberry.input(description="An input object direct calls must convert.")
class _Where:
    word: str = strawberry.field(description="A word.")


@strawberry.enum(description="An enum direct calls must convert.")
class _Shade(Enum):
    DARK = "dark"


@strawberry.type(name="Thing", description="Fields of each kind direct_resolver must tell apart.")
class _Thing:
    @strawberry.field(description="Reads info.")
    def with_info(self, info: strawberry.Info) -> str:
        return f"{type(self).__name__}:{info.field_name}"

    @strawberry.field(description="Takes an argument.")
    def with_argument(self, size: int) -> int:
        return size

    @strawberry.field(description="Takes an input object and an enum.")
    def with_input(self, where: _Where, shade: _Shade) -> str:
        return f"{type(where).__name__}:{where.word}:{shade.name}"

    @strawberry.field(description="Guarded.", permission_classes=[_Allowed])
    def guarded(self) -> int:
        return 1

    @strawberry.field(description="Asks for its parent by name.")
    def with_root(self, root: Any) -> int:
        return 2


@strawberry.type(description="The root of the small schema.")
class _ThingQuery:
    @strawberry.field(description="One thing.")
    def thing(self) -> _Thing:
        return _Thing()


def test_resolvers_are_called_directly_only_where_strawberrys_wrapping_does_nothing() -> None:
    schema = strawberry.Schema(query=_ThingQuery)
    fields = schema._schema.type_map["Thing"].fields  # type: ignore[attr-defined]
    assert direct_resolver(fields["guarded"]) is None
    assert direct_resolver(fields["withRoot"]) is None
    call = direct_resolver(fields["withInfo"])
    assert call is not None
    info: Any = SimpleNamespace(field_name="withInfo")
    assert call(_Thing(), info, {}) == "_Thing:withInfo"
    # arguments arrive as graphql-core coerced them and are converted as Strawberry would
    with_argument = direct_resolver(fields["withArgument"])
    assert with_argument is not None
    assert with_argument(_Thing(), info, {"size": 3}) == 3
    with_input = direct_resolver(fields["withInput"])
    assert with_input is not None
    document = parse('{ thing { withInput(where: {word: "hi"}, shade: DARK) } }')
    node = document.definitions[0].selection_set.selections[0].selection_set.selections[0]  # type: ignore[attr-defined]
    coerced = get_argument_values(fields["withInput"], node)
    assert with_input(_Thing(), info, coerced) == "_Where:hi:DARK"
    assert with_input(_Thing(), info, coerced) == "_Where:hi:DARK"  # the same dict again
    # crowdhire's relation fields take the direct path: 1,000 of them on one jobs page
    submission = SCHEMA.type_map["Submission"].fields  # type: ignore[attr-defined]
    assert direct_resolver(submission["candidate"]) is not None
    assert direct_resolver(submission["recruiter"]) is not None
    assert direct_resolver(SCHEMA.type_map["Job"].fields["submissions"]) is not None  # type: ignore[attr-defined]
