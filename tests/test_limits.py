"""Validation limits at their edges: the limit passes, one more is refused before any resolver."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql.language import Lexer, Source, TokenKind

from tests.conftest import AppFactory
from tests.support import CommandCounter, error_codes, gql

CYCLE = ["jobs(first: 1)", "nodes", "company"]


def messages(body: dict[str, Any]) -> list[str]:
    """The error messages of a response."""
    return [error["message"] for error in body.get("errors", [])]


def nested(depth: int) -> str:
    """A document whose deepest field sits at `depth` (the root field is depth 0)."""
    path = [CYCLE[i % 3] for i in range(depth)]
    leaf = "totalCount" if path and path[-1].startswith("jobs") else "id"
    inner = leaf
    for field in reversed(path):
        inner = f"{field} {{ {inner} }}"
    return "{ " + inner + " }"


def token_count(document: str) -> int:
    """Lexical tokens as graphql-core counts them for `max_tokens`."""
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


@pytest.fixture
async def client(app_factory: AppFactory) -> Any:
    """A client for an app with the default limits."""
    async with app_factory() as (_, http):
        yield http


async def test_depth_ten_runs_eleven_is_refused_unexecuted(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    body = await gql(client, nested(10), expect_errors=True)
    assert "errors" not in body, body
    assert body["data"]["jobs"] is not None

    mongo_commands.reset()
    body = await gql(client, nested(11), expect_errors=True)
    assert body["data"] is None
    assert messages(body) == ["'anonymous' exceeds maximum operation depth of 10"]
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert mongo_commands.count == 0


def aliased(count: int) -> str:
    """`count` aliased fields."""
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


async def test_fifteen_aliases_run_sixteen_are_refused(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    body = await gql(client, aliased(15), expect_errors=True)
    assert "errors" not in body and len(body["data"]) == 15

    mongo_commands.reset()
    body = await gql(
        client, "{ n: jobs(first: 1) { totalCount } " + aliased(15)[1:], expect_errors=True
    )
    assert body["data"] is None
    assert messages(body) == ["16 aliases found. Allowed: 15"]
    assert mongo_commands.count == 0


async def test_aliases_inside_fragments_count_once_per_spread(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    fragment = "fragment F on Query { " + " ".join(f"f{i}: __typename" for i in range(8)) + " }"
    body = await gql(client, "{ ...F } " + fragment, expect_errors=True)
    assert "errors" not in body

    mongo_commands.reset()
    body = await gql(
        client,
        "{ j: jobs(first: 1) { totalCount } ...F ... { ...F } } " + fragment,
        expect_errors=True,
    )
    assert messages(body) == ["17 aliases found. Allowed: 15"]
    assert mongo_commands.count == 0


def _padded(index: int, size: int) -> str:
    first = " ".join(f'"a{i}"' for i in range(min(size, 100)))
    second = " ".join(f'"b{i}"' for i in range(max(0, size - 100)))
    lists = f"skillsAny: [{first}], skillsAll: [{second}]"
    return f"a{index}: jobs(filter: {{ {lists} }}) {{ totalCount }}"


def with_tokens(count: int) -> str:
    """A valid document of exactly `count` tokens (string lists in filters pad it)."""
    parts: list[str] = []
    while token_count("{ " + " ".join([*parts, _padded(len(parts), 200)]) + " }") < count:
        parts.append(_padded(len(parts), 200))
    short = count - token_count("{ " + " ".join(parts) + " }")
    document = "{ " + " ".join(parts) + " __typename" * short + " }"
    assert token_count(document) == count
    return document


async def test_two_thousand_tokens_run_one_more_is_refused(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    body = await gql(client, with_tokens(2000), expect_errors=True)
    assert "errors" not in body, body

    mongo_commands.reset()
    body = await gql(client, with_tokens(2001), expect_errors=True)
    assert body["data"] is None
    assert messages(body) == [
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    ]
    assert mongo_commands.count == 0


def with_directives(count: int) -> str:
    """A field carrying `count` directives (only @skip/@include are executable and unique,
    so beyond two the extra ones are unknown directives)."""
    directives = ["@skip(if: false)", "@include(if: true)"] + [f"@d{i}" for i in range(count)]
    return "{ jobs(first: 1) " + " ".join(directives[:count]) + " { totalCount } }"


async def test_five_directives_per_field_pass_the_rule_six_do_not(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    body = await gql(client, with_directives(2), expect_errors=True)
    assert "errors" not in body and body["data"]["jobs"]["totalCount"] == 0

    mongo_commands.reset()
    body = await gql(client, with_directives(5), expect_errors=True)
    assert not any("directives. Allowed" in m for m in messages(body))
    body = await gql(client, with_directives(6), expect_errors=True)
    assert "Field 'jobs' has 6 directives. Allowed: 5" in messages(body)
    assert mongo_commands.count == 0


async def test_a_hundred_list_items_run_a_hundred_and_one_are_refused_naming_the_argument(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    ids = ", ".join(f'"x{i}"' for i in range(100))
    body = await gql(client, f"{{ nodes(ids: [{ids}]) {{ id }} }}", expect_errors=True)
    assert "errors" not in body and body["data"]["nodes"] == [None] * 100

    mongo_commands.reset()
    body = await gql(client, f'{{ nodes(ids: [{ids}, "one-more"]) {{ id }} }}', expect_errors=True)
    assert body["data"] is None
    assert messages(body) == ["`ids` takes at most 100 items, got 101"]
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids"}

    skills = ", ".join(f'"s{i}"' for i in range(101))
    body = await gql(
        client,
        f"{{ jobs(filter: {{ skillsAny: [{skills}] }}) {{ totalCount }} }}",
        expect_errors=True,
    )
    assert messages(body) == ["`filter.skillsAny` takes at most 100 items, got 101"]
    assert mongo_commands.count == 0


async def test_list_variables_are_capped_before_execution(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    body = await gql(
        client, query, variables={"ids": [f"x{i}" for i in range(100)]}, expect_errors=True
    )
    assert "errors" not in body

    mongo_commands.reset()
    query = "query($f: JobFilter) { jobs(filter: $f) { totalCount } }"
    body = await gql(
        client,
        query,
        variables={"f": {"skillsAll": [f"s{i}" for i in range(101)]}},
        expect_errors=True,
    )
    assert body["data"] is None
    assert messages(body) == ["Variable `$f.skillsAll` holds 101 items. Allowed: 100"]
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "f.skillsAll"}
    assert mongo_commands.count == 0


async def test_repeating_a_bad_construct_never_multiplies_errors(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    mongo_commands.reset()
    few = await gql(client, "{ jobs { totalCount @nope @nope } }", expect_errors=True)
    many = await gql(
        client, "{ jobs { totalCount " + "@nope " * 5 + "} " + "x " * 500 + "}", expect_errors=True
    )
    assert len(few["errors"]) == 2
    assert len(many["errors"]) == 6  # five, then "error limit reached"
    assert many["errors"][-1]["message"].startswith("Too many validation errors")
    assert mongo_commands.count == 0


async def test_errors_carry_no_did_you_mean_suggestions(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ jobs { nodse { title } } }", expect_errors=True)
    assert messages(body) == ["Cannot query field 'nodse' on type 'JobConnection'."]
    query = "query($o: JobOrder) { jobs(orderBy: $o) { totalCount } }"
    body = await gql(client, query, variables={"o": "TITLE_AS"}, expect_errors=True)
    assert messages(body) == [
        "Variable '$o' has invalid value: Value 'TITLE_AS' does not exist in 'JobOrder' enum."
    ]
    assert not any("Did you mean" in m for m in messages(body))


async def test_limits_follow_the_settings(app_factory: AppFactory) -> None:
    async with app_factory(max_query_depth=2, max_aliases=1) as (_, client):
        assert "errors" not in await gql(client, nested(2), expect_errors=True)
        assert messages(await gql(client, nested(3), expect_errors=True)) == [
            "'anonymous' exceeds maximum operation depth of 2"
        ]
        assert messages(await gql(client, aliased(2), expect_errors=True)) == [
            "2 aliases found. Allowed: 1"
        ]
