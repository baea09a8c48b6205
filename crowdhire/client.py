"""A small typed client for scripts and partners: sync `Client`, async `AsyncClient` (httpx).

    with Client("https://api.example/graphql", token=TOKEN) as api:
        data = api.execute("query($id: ID!) { node(id: $id) { id } }", {"id": some_id})
        for page in api.paginate(JOBS_QUERY, "jobs", {"first": 100}):
            ...

Automatic persisted queries (Apollo's protocol): each document is first sent as its SHA-256
hash only; on PERSISTED_QUERY_NOT_FOUND it is sent again with its text (which registers it).
A server without persisted queries is detected on the first request and then always gets the
full text. Errors become `GraphQLRequestError` carrying the `extensions.code` of each error.
`verify_webhook` checks the signature of a webhook crowdhire sent (Standard Webhooks).
This module imports nothing else from crowdhire, so it can be copied into other projects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Literal, Self

import httpx

Json = dict[str, Any]

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
_APQ_MESSAGES = {"PersistedQueryNotFound": PERSISTED_QUERY_NOT_FOUND,
                 "PersistedQueryNotSupported": PERSISTED_QUERY_NOT_SUPPORTED}  # fmt: skip
_ACCEPT = "application/graphql-response+json, application/json;q=0.9"


class CrowdhireClientError(Exception):
    """The request failed before a GraphQL answer came back (HTTP or transport trouble)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class GraphQLRequestError(CrowdhireClientError):
    """The server answered with GraphQL errors; `codes` lists their `extensions.code`."""

    def __init__(
        self,
        errors: list[Json],
        *,
        data: Json | None = None,
        status_code: int = 200,
        retry_after: str | None = None,
    ) -> None:
        self.errors = errors
        self.data = data
        self.retry_after = retry_after
        self.codes: list[str] = [_code(error) or "UNKNOWN" for error in errors]
        messages = "; ".join(
            f"{code}: {e.get('message')}" for code, e in zip(self.codes, errors, strict=True)
        )
        super().__init__(messages or "GraphQL error", status_code=status_code)


def _code(error: Json) -> str | None:
    extensions = error.get("extensions") or {}
    code = extensions.get("code")
    if isinstance(code, str):
        return code
    return _APQ_MESSAGES.get(str(error.get("message")))


def _body(response: httpx.Response) -> Json | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _result(response: httpx.Response) -> Json:
    """The `data` of a response, or the error it carries as an exception."""
    body = _body(response)
    if body is None or ("data" not in body and "errors" not in body):
        raise CrowdhireClientError(
            f"HTTP {response.status_code}: {response.text[:200]}", status_code=response.status_code
        )
    if body.get("errors"):
        raise GraphQLRequestError(
            list(body["errors"]),
            data=body.get("data"),
            status_code=response.status_code,
            retry_after=response.headers.get("Retry-After"),
        )
    if response.status_code != 200 or not isinstance(body.get("data"), dict):
        raise CrowdhireClientError(
            f"HTTP {response.status_code} without data", status_code=response.status_code
        )
    data: Json = body["data"]
    return data


def _after_hash_only(response: httpx.Response) -> Literal["register", "unsupported", "answered"]:
    """What a hash-only attempt tells us: send the text, stop using hashes, or use this answer."""
    body = _body(response)
    codes = {_code(error) for error in (body or {}).get("errors") or []}
    if PERSISTED_QUERY_NOT_FOUND in codes:
        return "register"
    if PERSISTED_QUERY_NOT_SUPPORTED in codes:
        return "unsupported"
    # A server that ignores the extension sees a request without a query: 400 and nothing ran.
    if response.status_code == 400 and (body is None or "data" not in body):
        return "unsupported"
    return "answered"


class _Protocol:
    """Request building shared by the sync and async clients."""

    def __init__(
        self, url: str, token: str | None, persisted_queries: bool, headers: Mapping[str, str]
    ) -> None:
        self.url = url
        self.persisted_queries = persisted_queries
        self.headers = {"Accept": _ACCEPT, **headers}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    @staticmethod
    def payload(
        document: str, variables: Mapping[str, Any] | None, hashed: bool, with_text: bool
    ) -> Json:
        """The POST body: the document, its persisted-query hash, or both."""
        body: Json = {"variables": dict(variables or {})}
        if with_text:
            body["query"] = document
        if hashed:
            digest = hashlib.sha256(document.encode()).hexdigest()
            body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        return body


def _connection(data: Json, path: str) -> Json:
    node: Any = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get("pageInfo"), dict):
        raise ValueError(f"no connection with pageInfo {{ hasNextPage endCursor }} at {path!r}")
    return node


def _page(connection: Json) -> list[Json]:
    if isinstance(connection.get("nodes"), list):
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges") or []]


def _next_cursor(connection: Json, previous: str | None) -> str | None:
    info = connection["pageInfo"]
    if not info.get("hasNextPage"):
        return None
    cursor = info.get("endCursor")
    if not isinstance(cursor, str) or cursor == previous:
        raise ValueError("the connection reports a next page but no new endCursor")
    return cursor


class Client(_Protocol):
    """Synchronous client: `execute` a document, `paginate` a connection."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        persisted_queries: bool = True,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(url, token, persisted_queries, headers or {})
        self._http = http or httpx.Client(timeout=timeout)
        self._owns_http = http is None

    def _post(self, body: Json) -> httpx.Response:
        try:
            return self._http.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as error:
            raise CrowdhireClientError(f"request to {self.url} failed: {error}") from error

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> Json:
        """Run a document; returns `data`, raises GraphQLRequestError on any error."""
        if self.persisted_queries:
            response = self._post(self.payload(document, variables, hashed=True, with_text=False))
            step = _after_hash_only(response)
            if step == "answered":
                return _result(response)
            self.persisted_queries = step == "register"
        body = self.payload(document, variables, self.persisted_queries, with_text=True)
        return _result(self._post(body))

    def paginate(
        self, document: str, path: str, variables: Mapping[str, Any] | None = None
    ) -> Iterator[list[Json]]:
        """Yield each page's nodes; the document takes `$after` and selects `pageInfo`."""
        values = dict(variables or {})
        while True:
            connection = _connection(self.execute(document, values), path)
            yield _page(connection)
            cursor = _next_cursor(connection, values.get("after"))
            if cursor is None:
                return
            values["after"] = cursor

    def close(self) -> None:
        """Close the HTTP connection pool (if this client opened it)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Protocol):
    """Asynchronous client: `await execute(...)`, `async for page in paginate(...)`."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        persisted_queries: bool = True,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(url, token, persisted_queries, headers or {})
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None

    async def _post(self, body: Json) -> httpx.Response:
        try:
            return await self._http.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as error:
            raise CrowdhireClientError(f"request to {self.url} failed: {error}") from error

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> Json:
        """Run a document; returns `data`, raises GraphQLRequestError on any error."""
        if self.persisted_queries:
            body = self.payload(document, variables, hashed=True, with_text=False)
            response = await self._post(body)
            step = _after_hash_only(response)
            if step == "answered":
                return _result(response)
            self.persisted_queries = step == "register"
        body = self.payload(document, variables, self.persisted_queries, with_text=True)
        return _result(await self._post(body))

    async def paginate(
        self, document: str, path: str, variables: Mapping[str, Any] | None = None
    ) -> AsyncIterator[list[Json]]:
        """Yield each page's nodes; the document takes `$after` and selects `pageInfo`."""
        values = dict(variables or {})
        while True:
            connection = _connection(await self.execute(document, values), path)
            yield _page(connection)
            cursor = _next_cursor(connection, values.get("after"))
            if cursor is None:
                return
            values["after"] = cursor

    async def aclose(self) -> None:
        """Close the HTTP connection pool (if this client opened it)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


WEBHOOK_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """A webhook request is not one crowdhire signed with your secret, or it is too old."""


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing {name} header")


def verify_webhook(
    secret: str | Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_seconds: float = WEBHOOK_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Json:
    """The event in a webhook body, after checking its Standard Webhooks signature.

    Pass the raw body bytes exactly as received (parsing and re-serializing the JSON changes
    them) and your `whsec_` secret, or both secrets while you roll a rotation out. Raises
    WebhookVerificationError when no signature matches or the timestamp is outside
    `tolerance_seconds` (a replay). Use the `webhook-id` header to drop duplicates: delivery is
    at least once.
    """
    message_id = _header(headers, "webhook-id")
    timestamp_text = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature").split()
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    signed = f"{message_id}.{timestamp}.".encode() + body
    offered = [s.removeprefix("v1,") for s in signatures if s.startswith("v1,")]
    for each in [secret] if isinstance(secret, str) else list(secret):
        key = base64.b64decode(each.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            event: Json = json.loads(body)
            return event
    raise WebhookVerificationError("no signature matches the secret")
