"""The candidate-file mutations leave no stale cached answer.

The other mutations are covered by tests/test_cache_staleness.py, which lists these three. A
file listing shows attached files only, so creating an upload changes no answer, completing it
changes the listing and the audit trail, and deleting it changes both again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from crowdhire.files.sniff import TXT
from tests.auth_support import Issuer
from tests.cache_staleness_support import AUDIT
from tests.conftest import AppFactory
from tests.document_support import COMPLETE_UPLOAD, DELETE_DOCUMENT, create_upload, upload
from tests.factories import make_candidate, make_recruiter
from tests.staleness_checks import Reads, check_answers, store_answers
from tests.support import global_id, gql

OWNER = "auth0|file-owner"
LISTING = """query($id: ID!) { node(id: $id) { ... on Candidate {
  documents { kind filename size contentType } } } }"""
CV = b"Ada Lovelace, analyst of engines.\n"


@pytest.fixture
async def cached(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the response cache, its memcached calls given time on a loaded machine."""
    async with app_factory(cache_timeout_ms=1000) as (_, http):
        yield http


async def _setup(issuer: Issuer) -> tuple[str, Reads]:
    person = await make_candidate(await make_recruiter(sub=OWNER))
    cid = global_id("Candidate", person)
    return cid, [(LISTING, {"id": cid}, issuer.token(OWNER)), (AUDIT, {}, issuer.admin_token())]


async def test_creating_an_upload_changes_no_cached_answer(
    cached: httpx.AsyncClient, app_factory: AppFactory, issuer: Issuer
) -> None:
    cid, reads = await _setup(issuer)
    before = await store_answers(cached, reads)

    created = await create_upload(
        cached, issuer.token(OWNER), cid, filename="cv.txt", contentType=TXT, size=len(CV)
    )

    assert created["userErrors"] == []
    assert await check_answers(cached, app_factory, reads, before) == [False, False]


async def test_completing_an_upload_leaves_no_stale_answer(
    cached: httpx.AsyncClient, app_factory: AppFactory, issuer: Issuer
) -> None:
    cid, reads = await _setup(issuer)
    token = issuer.token(OWNER)
    created = await create_upload(
        cached, token, cid, filename="cv.txt", contentType=TXT, size=len(CV)
    )
    assert (await cached.put(created["upload"]["uploadUrl"], content=CV)).status_code == 201
    before = await store_answers(cached, reads)

    document_id = created["upload"]["documentId"]
    done = await gql(cached, COMPLETE_UPLOAD, {"input": {"documentId": document_id}}, as_=token)

    assert done["data"]["completeCandidateDocumentUpload"]["userErrors"] == []
    assert await check_answers(cached, app_factory, reads, before) == [True, True]


async def test_deleting_a_file_leaves_no_stale_answer(
    cached: httpx.AsyncClient, app_factory: AppFactory, issuer: Issuer
) -> None:
    cid, reads = await _setup(issuer)
    token = issuer.token(OWNER)
    attached = await upload(cached, token, cid, CV, TXT, "cv.txt")
    before = await store_answers(cached, reads)

    deleted = await gql(
        cached, DELETE_DOCUMENT, {"input": {"documentId": attached["id"]}}, as_=token
    )

    assert deleted["data"]["deleteCandidateDocument"]["userErrors"] == []
    assert await check_answers(cached, app_factory, reads, before) == [True, True]
