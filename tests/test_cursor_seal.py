"""Cursors are sealed: a crafted, forged or tampered cursor is BAD_USER_INPUT, never a query."""

from __future__ import annotations

import base64
from typing import Any

import bson
import httpx
import pytest
from bson import ObjectId

from crowdhire.errors import InvalidCursorError
from crowdhire.loaders.cursor_seal import seal
from crowdhire.loaders.pagination import decode_cursor, keyset_filter, ordering
from crowdhire.models.jobs import JobStatus
from tests.factories import make_company, make_job
from tests.support import error_codes, gql

TITLES = "query($after: String) { jobs(first: 2, orderBy: TITLE_ASC, after: $after) {"
TITLES += " nodes { title } pageInfo { endCursor } edges { cursor } } }"
TITLE_ORDER = ordering("jobs:title_asc", ("title", 1))


def readable_cursor(*values: Any) -> str:
    """A cursor as the old format wrote it: base64url(BSON) anyone could write."""
    raw = bson.encode({"t": "jobs:title_asc", "v": list(values)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _jobs(*titles: str) -> None:
    company = await make_company()
    for title in titles:
        await make_job(company, title=title, status=JobStatus.OPEN)


@pytest.mark.parametrize(
    "sort_value", [{"$regex": "Manager$"}, {"$foo": 1}, "Analyst"], ids=["regex", "foo", "plain"]
)
async def test_crafted_cursors_from_the_probe_are_bad_user_input(
    client: httpx.AsyncClient, sort_value: Any
) -> None:
    await _jobs("Analyst", "Product Manager", "Sales Manager", "Zoologist")
    after = readable_cursor(sort_value, ObjectId())
    body = await gql(client, TITLES, {"after": after}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == "after"
    assert body["data"] is None


async def test_issued_cursors_page_on_and_are_opaque_and_tamper_evident(
    client: httpx.AsyncClient,
) -> None:
    await _jobs("Analyst", "Product Manager", "Sales Manager", "Zoologist")
    first = (await gql(client, TITLES))["data"]["jobs"]
    cursor = first["pageInfo"]["endCursor"]
    assert first["edges"][-1]["cursor"] == cursor  # deterministic: one position, one cursor
    padded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"title_asc" not in padded and b"Product Manager" not in padded

    second = (await gql(client, TITLES, {"after": cursor}))["data"]["jobs"]
    assert [n["title"] for n in second["nodes"]] == ["Sales Manager", "Zoologist"]

    flipped = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    body = await gql(client, TITLES, {"after": flipped}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_even_a_sealed_cursor_may_hold_only_scalars_compared_with_eq() -> None:
    def sealed(*values: Any) -> str:
        return seal(bson.encode({"t": "jobs:title_asc", "v": list(values)}))

    with pytest.raises(InvalidCursorError):
        decode_cursor(TITLE_ORDER, sealed({"$regex": "x"}, ObjectId()), argument="after")
    with pytest.raises(InvalidCursorError):
        decode_cursor(TITLE_ORDER, sealed("Analyst", "not-an-object-id"), argument="after")
    with pytest.raises(InvalidCursorError):
        decode_cursor(TITLE_ORDER, sealed(["Analyst"], ObjectId()), argument="after")
    oid = ObjectId()
    values = decode_cursor(TITLE_ORDER, sealed("Analyst", oid), argument="after")
    assert keyset_filter(TITLE_ORDER, values, forward=True) == {
        "$or": [{"title": {"$gt": "Analyst"}}, {"title": {"$eq": "Analyst"}, "_id": {"$gt": oid}}]
    }
