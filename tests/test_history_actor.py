"""Submission history shows the other party by role and name, never their raw Auth0 subject."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette

from crowdhire.models.submissions import Stage, StageChange
from tests.auth_support import Issuer
from tests.factories import BASE_TIME, make_submission
from tests.support import global_id, gql
from tests.workflow_support import HR, RECRUITER_A, make_world

HISTORY = """query($id: ID!) { node(id: $id) { ... on Submission {
  history { toStage actor actorRole actorName } } } }"""


async def test_each_party_sees_the_other_by_role_and_name_admins_see_subjects(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    world = await make_world()
    moves = [
        StageChange(from_stage=None, to_stage=Stage.SUBMITTED, at=BASE_TIME, actor=RECRUITER_A),
        StageChange(
            from_stage=Stage.SUBMITTED,
            to_stage=Stage.SCREENING,
            at=BASE_TIME + timedelta(days=1),
            actor=HR,
        ),
    ]
    submission = await make_submission(
        world.job, world.candidate_a, stage=Stage.SCREENING, history=moves
    )
    sid = global_id("Submission", submission)
    recruiter_name, company_name = world.recruiter_a.display_name, world.company.name

    as_recruiter = (
        await gql(anonymous_client, HISTORY, {"id": sid}, as_=issuer.token(RECRUITER_A))
    )["data"]
    as_company = (await gql(anonymous_client, HISTORY, {"id": sid}, as_=issuer.token(HR)))["data"]
    as_admin = (await gql(anonymous_client, HISTORY, {"id": sid}, as_=issuer.admin_token()))["data"]

    assert as_recruiter["node"]["history"] == [
        {"toStage": "SUBMITTED", "actor": RECRUITER_A, "actorRole": "RECRUITER",
         "actorName": recruiter_name},
        {"toStage": "SCREENING", "actor": None, "actorRole": "COMPANY", "actorName": company_name},
    ]  # fmt: skip
    assert as_company["node"]["history"] == [
        {"toStage": "SUBMITTED", "actor": None, "actorRole": "RECRUITER",
         "actorName": recruiter_name},
        {"toStage": "SCREENING", "actor": HR, "actorRole": "COMPANY", "actorName": company_name},
    ]  # fmt: skip
    assert HR not in str(as_recruiter) and RECRUITER_A not in str(as_company)
    assert [h["actor"] for h in as_admin["node"]["history"]] == [RECRUITER_A, HR]
