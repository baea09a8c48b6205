"""Relay pagination: empty lists, both directions, the end, and bad windows or cursors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_candidate, make_company, make_job, make_recruiter, make_submission
from tests.support import error_codes, gql

COMPANIES = """
query($first: Int, $after: String, $last: Int, $before: String, $order: CompanyOrder) {
  companies(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

JOBS_CURSOR = "{ jobs(first: 1) { edges { cursor } } }"

JOB_SUBMISSIONS = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on Job { submissions(first: $first, after: $after) {
    edges { cursor node { pitch } } pageInfo { hasNextPage }
  } } }
}
"""


async def _companies(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    body = await gql(client, COMPANIES, variables)
    result: dict[str, Any] = body["data"]["companies"]
    return result


async def _five_companies() -> list[str]:
    return [(await make_company(slug=f"c{i}")).slug for i in range(5)]


async def test_empty_list_has_no_edges_and_no_cursors(client: httpx.AsyncClient) -> None:
    page = await _companies(client)

    assert page["totalCount"] == 0
    assert page["edges"] == []
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_forward_pages_cover_every_item_once(client: httpx.AsyncClient) -> None:
    slugs = await _five_companies()
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _companies(client, first=2, after=after, order="CREATED_AT_ASC")
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == slugs
    assert pages == 3


async def test_after_the_last_item_is_an_empty_page(client: httpx.AsyncClient) -> None:
    await _five_companies()
    whole = await _companies(client, first=5)

    past = await _companies(client, first=5, after=whole["pageInfo"]["endCursor"])

    assert whole["pageInfo"]["hasNextPage"] is False
    assert past["edges"] == []
    assert past["pageInfo"]["hasNextPage"] is False
    assert past["totalCount"] == 5


async def test_backward_pages_come_in_display_order(client: httpx.AsyncClient) -> None:
    slugs = await _five_companies()

    tail = await _companies(client, last=2, order="CREATED_AT_ASC")
    before = await _companies(
        client, last=2, before=tail["pageInfo"]["startCursor"], order="CREATED_AT_ASC"
    )
    head = await _companies(
        client, last=2, before=before["pageInfo"]["startCursor"], order="CREATED_AT_ASC"
    )

    assert [e["node"]["slug"] for e in tail["edges"]] == slugs[3:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    assert [e["node"]["slug"] for e in before["edges"]] == slugs[1:3]
    assert [e["node"]["slug"] for e in head["edges"]] == slugs[:1]
    assert head["pageInfo"]["hasPreviousPage"] is False
    assert head["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"last": -1}, "last"),
        ({"first": 2, "last": 2}, "last"),
        ({"last": 2, "after": "x"}, "after"),
        ({"first": 2, "before": "x"}, "before"),
        ({"after": "not-a-cursor"}, "after"),
        ({"last": 2, "before": "%%%"}, "before"),
    ],
)
async def test_bad_windows_and_cursors_name_the_argument(
    client: httpx.AsyncClient, variables: dict[str, Any], argument: str
) -> None:
    await make_company()

    body = await gql(client, COMPANIES, variables, expect_errors=True)

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument
    assert f"`{argument}`" in body["errors"][0]["message"]


async def test_cursor_from_another_list_or_ordering_is_refused(client: httpx.AsyncClient) -> None:
    await make_job(await make_company())
    job_cursor = (await gql(client, JOBS_CURSOR))["data"]["jobs"]["edges"][0]["cursor"]
    asc_cursor = (await _companies(client, first=1, order="CREATED_AT_ASC"))["edges"][0]["cursor"]

    foreign = await gql(client, COMPANIES, {"after": job_cursor}, expect_errors=True)
    reordered = await gql(
        client, COMPANIES, {"after": asc_cursor, "order": "SLUG_ASC"}, expect_errors=True
    )

    for body in (foreign, reordered):
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert "another list or ordering" in body["errors"][0]["message"]


async def test_nested_connection_pages_forward(client: httpx.AsyncClient) -> None:
    job = await make_job(await make_company())
    recruiter = await make_recruiter()
    for n in range(3):
        await make_submission(job, await make_candidate(recruiter), pitch=f"p{n}")
    job_id = (await gql(client, "{ jobs { nodes { id } } }"))["data"]["jobs"]["nodes"][0]["id"]

    first = await gql(client, JOB_SUBMISSIONS, {"id": job_id, "first": 2})
    page = first["data"]["node"]["submissions"]
    rest = await gql(
        client, JOB_SUBMISSIONS, {"id": job_id, "first": 2, "after": page["edges"][-1]["cursor"]}
    )

    assert [e["node"]["pitch"] for e in page["edges"]] == ["p2", "p1"]
    assert page["pageInfo"]["hasNextPage"] is True
    tail = rest["data"]["node"]["submissions"]
    assert [e["node"]["pitch"] for e in tail["edges"]] == ["p0"]
    assert tail["pageInfo"]["hasNextPage"] is False
