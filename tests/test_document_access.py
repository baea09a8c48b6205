"""Who sees a candidate's files and who may download them: the contact-field rule, signed URLs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.cache import ObjectCache
from crowdhire.files.gridfs_store import BUCKET
from crowdhire.files.sniff import PDF, TXT
from crowdhire.loaders.base import CachedKind, object_key
from crowdhire.models import AuditEvent, Candidate, CandidateDocument
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.submissions import Stage, StageChange
from crowdhire.resolvers.document_links import download_token
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.document_support import DOCUMENTS, create_upload, pdf_bytes, upload
from tests.factories import BASE_TIME, make_candidate, make_submission
from tests.support import CommandCounter, error_codes, global_id, gql
from tests.workflow_support import HR, OTHER_HR, RECRUITER_A, RECRUITER_B, World, make_world

CV = b"Ada Lovelace, ada@example.org, +44 20 7946 0000\n"


async def _world_with_cv(
    client: httpx.AsyncClient, issuer: Issuer, stage: Stage
) -> tuple[World, str, str]:
    world = await make_world()
    history = [StageChange(from_stage=None, to_stage=Stage.SUBMITTED, at=BASE_TIME, actor="r")]
    if stage is not Stage.SUBMITTED:
        history.append(
            StageChange(from_stage=Stage.SUBMITTED, to_stage=stage, at=BASE_TIME, actor="hr")
        )
    await make_submission(world.job, world.candidate_a, stage=stage, history=history)
    cid = global_id("Candidate", world.candidate_a)
    document = await upload(client, issuer.token(RECRUITER_A), cid, CV, TXT, "ada.txt")
    return world, cid, document["id"]


async def _documents(client: httpx.AsyncClient, token: str | None, cid: str) -> dict[str, object]:
    return await gql(client, DOCUMENTS, {"id": cid}, as_=token, expect_errors=True)


@pytest.mark.parametrize(
    ("who", "stage", "sees"),
    [
        (RECRUITER_A, Stage.SUBMITTED, "files"),
        ("admin", Stage.SUBMITTED, "files"),
        (RECRUITER_B, Stage.INTERVIEWING, "hidden"),
        (HR, Stage.SUBMITTED, "FORBIDDEN"),
        (HR, Stage.INTERVIEWING, "files"),
        (HR, Stage.HIRED, "files"),
        (OTHER_HR, Stage.INTERVIEWING, "hidden"),
        (None, Stage.INTERVIEWING, "hidden"),
    ],
)
async def test_documents_follow_the_contact_field_rule(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, who: str | None, stage: Stage, sees: str
) -> None:
    world, cid, document_id = await _world_with_cv(anonymous_client, issuer, stage)

    body = await _documents(anonymous_client, world.token(issuer, who), cid)

    node = body["data"]["node"]  # type: ignore[index]
    if sees == "files":
        assert [d["id"] for d in node["documents"]] == [document_id]
    elif sees == "hidden":
        assert node is None
    else:
        assert node is None or node.get("documents") is None
        assert error_codes(body) == ["FORBIDDEN"]


async def test_a_company_without_granted_consent_sees_no_files(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, cache: ObjectCache
) -> None:
    world, cid, _ = await _world_with_cv(anonymous_client, issuer, Stage.INTERVIEWING)
    await Candidate.find_one({"_id": world.candidate_a.id}).update(
        {"$set": {"consent": Consent(status=ConsentStatus.REVOKED).model_dump()}}
    )
    assert world.candidate_a.id is not None
    await cache.delete_many([object_key(CachedKind.CANDIDATES, world.candidate_a.id)])

    body = await _documents(anonymous_client, issuer.token(HR), cid)

    assert error_codes(body) == ["FORBIDDEN"]


async def _url(client: httpx.AsyncClient, token: str, cid: str) -> str:
    data = (await gql(client, DOCUMENTS, {"id": cid}, as_=token))["data"]
    url: str = data["node"]["documents"][0]["downloadUrl"]
    return url


async def test_a_download_url_works_only_for_its_viewer_and_only_briefly(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid, _ = await _world_with_cv(anonymous_client, issuer, Stage.INTERVIEWING)
    hr_url = await _url(anonymous_client, issuer.token(HR), cid)

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    own = await anonymous_client.get(hr_url, headers=bearer(issuer.token(HR)))
    owner_with_hr_url = await anonymous_client.get(
        hr_url, headers=bearer(issuer.token(RECRUITER_A))
    )
    no_token = await anonymous_client.get(hr_url)
    settings: Settings = app.state.services.settings
    document = await CandidateDocument.find_one()
    assert document is not None and document.id is not None
    expired_token = download_token(settings, document.id, HR, int(time.time()) - 1)
    expired = await anonymous_client.get(
        f"/files/{expired_token}", headers=bearer(issuer.token(HR))
    )
    tampered = await anonymous_client.get(
        hr_url.replace(".", ".9", 1), headers=bearer(issuer.token(HR))
    )

    assert own.status_code == 200 and own.content == CV
    assert (owner_with_hr_url.status_code, owner_with_hr_url.json()["error"]["code"]) == (
        403,
        "NOT_YOUR_URL",
    )
    assert no_token.status_code == 401
    assert (expired.status_code, expired.json()["error"]["code"]) == (410, "URL_EXPIRED")
    assert tampered.status_code == 403
    for refused in (owner_with_hr_url, no_token, expired, tampered):
        assert refused.headers["cache-control"] == "private, no-store"
    downloads = await AuditEvent.find({"action": "downloadCandidateDocument"}).to_list()
    assert [event.actor_sub for event in downloads] == [HR]


async def test_a_url_stops_working_when_the_viewer_loses_access(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, cache: ObjectCache
) -> None:
    world, cid, _ = await _world_with_cv(anonymous_client, issuer, Stage.INTERVIEWING)
    hr_url = await _url(anonymous_client, issuer.token(HR), cid)
    await Candidate.find_one({"_id": world.candidate_a.id}).update(
        {"$set": {"consent": Consent(status=ConsentStatus.REVOKED).model_dump()}}
    )
    assert world.candidate_a.id is not None
    await cache.delete_many([object_key(CachedKind.CANDIDATES, world.candidate_a.id)])

    response = await anonymous_client.get(
        hr_url, headers={"Authorization": f"Bearer {issuer.token(HR)}"}
    )

    assert (response.status_code, response.json()["error"]["code"]) == (403, "FORBIDDEN")


async def test_answers_with_download_urls_are_not_served_from_the_response_cache(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid, _ = await _world_with_cv(anonymous_client, issuer, Stage.SUBMITTED)
    token = issuer.token(RECRUITER_A)
    first = await _url(anonymous_client, token, cid)
    await asyncio.sleep(1.1)  # the URL's expiry has a one-second resolution

    second = await _url(anonymous_client, token, cid)

    assert first != second


async def test_documents_of_many_candidates_load_in_one_query(
    app_factory: AppFactory, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    async with app_factory(cache_enabled=False, response_cache_enabled=False) as (_, client):
        world = await make_world()
        token = issuer.token(RECRUITER_A)
        query = "{ candidates { nodes { documents { filename downloadUrl } } } }"
        finds = []
        for _ in range(2):
            person = await make_candidate(world.recruiter_a)
            await upload(client, token, global_id("Candidate", person), CV, TXT, "a.txt")
            mongo_commands.reset()
            data = (await gql(client, query, None, as_=token))["data"]
            finds.append(mongo_commands.names.count("find"))

        assert [len(n["documents"]) for n in data["candidates"]["nodes"]] == [1, 1, 0]
        assert finds[0] == finds[1]


class BrokenBody:
    """A request body whose sender dies after `good` bytes (the connection drops mid-upload)."""

    def __init__(self, content: bytes, good: int) -> None:
        self.content, self.good = content, good

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, self.good, 64 * 1024):
            yield self.content[start : min(start + 64 * 1024, self.good)]
        raise ConnectionResetError("client went away")


async def test_an_interrupted_upload_leaves_no_chunks(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await make_world()
    cid = global_id("Candidate", world.candidate_a)
    content = pdf_bytes("Ada", padding=2_000_000)
    created = await create_upload(
        anonymous_client,
        issuer.token(RECRUITER_A),
        cid,
        filename="a.pdf",
        contentType=PDF,
        size=len(content),
    )
    url = created["upload"]["uploadUrl"]
    database = Candidate.get_pymongo_collection().database
    seen: list[int] = []

    async def watch() -> None:
        while True:
            seen.append(await database[f"{BUCKET}.chunks"].count_documents({}))
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(watch())
    with pytest.raises(ConnectionResetError):
        await anonymous_client.put(url, content=BrokenBody(content, good=1_500_000))
    watcher.cancel()

    assert max(seen) > 0  # chunks were written before the stream broke
    assert await database[f"{BUCKET}.chunks"].count_documents({}) == 0
    document = await CandidateDocument.find_one()
    assert document is not None and document.receiving_until is None
    retry = await anonymous_client.put(url, content=content)
    assert retry.status_code == 201
