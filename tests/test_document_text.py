"""Text extraction off the request path: the durable worker, time and size limits, no logging."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.files.sniff import PNG, TXT
from crowdhire.matching import store
from crowdhire.matching.cv_text import with_cv
from crowdhire.matching.embeddings import TextEncoder
from crowdhire.matching.profiles import candidate_profile
from crowdhire.matching.service import text_hash
from crowdhire.models import BackgroundTask, CandidateDocument, DocumentText
from crowdhire.models.documents import TextStatus
from crowdhire.models.embeddings import EmbeddedKind
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.document_support import DELETE_DOCUMENT, SAMPLES, upload
from tests.factories import make_candidate, make_recruiter
from tests.support import drain_tasks, global_id, gql

OWNER = "auth0|owner"
SECRET_WORDS = "Grace Hopper compilers"


async def _attach(
    client: httpx.AsyncClient, issuer: Issuer, content_type: str, content: bytes | None = None
) -> None:
    person = await make_candidate(await make_recruiter(sub=OWNER))
    filename, sample = SAMPLES[content_type]
    await upload(
        client,
        issuer.token(OWNER),
        global_id("Candidate", person),
        sample if content is None else content,
        content_type,
        filename,
    )


async def _drain(app: Starlette) -> None:
    await drain_tasks(app)


@pytest.mark.parametrize("content_type", sorted(set(SAMPLES) - {PNG, "image/jpeg"}))
async def test_text_of_each_document_type_is_stored_for_matching(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, content_type: str
) -> None:
    await _attach(anonymous_client, issuer, content_type)

    await _drain(app)

    [text] = await DocumentText.find_all().to_list()
    assert SECRET_WORDS in text.text and not text.truncated
    [document] = await CandidateDocument.find_all().to_list()
    assert document.text_status is TextStatus.DONE and text.candidate_id == document.candidate_id


async def test_images_queue_no_extraction(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    await _attach(anonymous_client, issuer, PNG)

    assert await BackgroundTask.find({"kind": "extract_document_text"}).count() == 0
    [document] = await CandidateDocument.find_all().to_list()
    assert document.text_status is TextStatus.NONE


async def test_long_text_is_cut_at_the_limit(app_factory: AppFactory, issuer: Issuer) -> None:
    async with app_factory(text_extract_max_chars=1000, worker_enabled=False) as (app, client):
        await _attach(client, issuer, TXT, ("word " * 2000).encode())

        await _drain(app)

        [text] = await DocumentText.find_all().to_list()
        assert len(text.text) == 1000 and text.truncated


async def test_a_file_that_takes_too_long_is_marked_failed(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(text_extract_timeout_seconds=0.001, worker_enabled=False) as (app, c):
        await _attach(c, issuer, TXT)

        await _drain(app)

        [document] = await CandidateDocument.find_all().to_list()
        assert document.text_status is TextStatus.FAILED
        assert await DocumentText.find_all().count() == 0
        [task] = await BackgroundTask.find({"kind": "extract_document_text"}).to_list()
        assert (
            task.status.value == "done" and task.attempts == 1
        )  # not retried: it would fail again


async def test_extracted_text_never_reaches_the_log(
    app_factory: AppFactory, issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with app_factory(worker_enabled=False) as (app, client):
        await _attach(client, issuer, TXT)
        await _drain(app)
        assert await DocumentText.find_all().count() == 1

    # PyMongo's own DEBUG command log echoes every command's data; it is off unless an operator
    # turns it on for debugging, so only the app's and other libraries' records count here.
    ours = [record for record in caplog.records if not record.name.startswith("pymongo")]
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in ours)
    assert "Hopper" not in logged


async def test_a_cv_feeds_the_candidates_matching_vector_until_it_is_deleted(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, text_encoder: TextEncoder
) -> None:
    person = await make_candidate(await make_recruiter(sub=OWNER))
    assert person.id is not None
    version = app.state.services.matching.model_version
    profile_only = text_hash(version, candidate_profile(person).text)
    filename, sample = SAMPLES[TXT]
    attached = await upload(
        anonymous_client, issuer.token(OWNER), global_id("Candidate", person), sample, TXT, filename
    )

    await _drain(app)

    [text] = await DocumentText.find_all().to_list()
    with_the_cv = text_hash(version, with_cv(candidate_profile(person).text, text.text))
    stored = await store.find(EmbeddedKind.CANDIDATE, person.id)
    assert stored is not None and stored.vector is not None
    assert stored.text_hash == with_the_cv != profile_only

    deleted = await gql(
        anonymous_client,
        DELETE_DOCUMENT,
        {"input": {"documentId": attached["id"]}},
        as_=issuer.token(OWNER),
    )
    assert deleted["data"]["deleteCandidateDocument"]["userErrors"] == []
    await _drain(app)

    after = await store.find(EmbeddedKind.CANDIDATE, person.id)
    assert after is not None and after.text_hash == profile_only
