"""The GraphQL HTTP view's rules: body size, CSRF, one operation, persisted queries, deadline.

HTTP-level refusals happen before the body is parsed; persisted-query and deadline errors are
GraphQL responses carrying `extensions.cost` like every executed request.
"""

from __future__ import annotations

import asyncio
import re
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta
from typing import Any

import orjson
import pymongo
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, parse
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from crowdhire.context import Context
from crowdhire.graphql.budget import Budget
from crowdhire.graphql.cost import identity_of
from crowdhire.graphql.http_caching import apply_http_caching
from crowdhire.graphql.media_types import negotiate
from crowdhire.graphql.persisted import PersistedQueries
from crowdhire.graphql.websocket import ConnectionCounts, SocketHandler
from crowdhire.models.persisted_queries import document_hash
from crowdhire.models.trusted import TRUSTED_READS
from crowdhire.settings import Settings

JSON_TYPES = {"application/json", "application/graphql-response+json"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class RefusalError(Exception):
    """A request refused before execution, with an HTTP status and an error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def refusal_response(status: int, code: str, message: str) -> Response:
    """A GraphQL-shaped JSON error body for a refused request."""
    error = {"message": message, "extensions": {"code": code}}
    return JSONResponse({"data": None, "errors": [error]}, status_code=status)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RefusalError(413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RefusalError(
                413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {limit} bytes"
            )
    return bytes(body)


def check_post(request: Request, body: bytes) -> None:
    """CSRF and batching: JSON bodies only, one operation each."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise RefusalError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST bodies must be JSON (Content-Type: application/json)",
        )
    if body.lstrip().startswith(b"["):
        raise RefusalError(
            400, "BATCH_NOT_SUPPORTED", "Send one operation per request, not an array"
        )


_ENCODED_ANSWER: ContextVar[object] = ContextVar("encoded_answer", default=None)


class HardenedGraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with crowdhire's HTTP rules in front of execution."""

    graphql_transport_ws_handler_class = SocketHandler

    def __init__(
        self, schema: BaseSchema, *, settings: Settings, budget: Budget | None, **options: Any
    ) -> None:
        # graphql-transport-ws only (the legacy graphql-ws protocol is off), and SocketHandler
        # runs subscriptions only: queries over a socket would bypass every HTTP rule below.
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.subscription_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
            allowed_origins=settings.cors_allow_origins,
            **options,
        )
        self.settings = settings
        self.budget = budget
        self.connection_counts = ConnectionCounts(settings.subscription_connections_per_identity)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse oversized, non-JSON and batched bodies before Strawberry parses anything."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        answer: object = None
        _ENCODED_ANSWER.set(None)
        try:
            if request.method == "POST":
                body = await bounded_body(request, self.settings.max_body_bytes)
                check_post(request, body)
                request = Request(scope, _replay(body))
            response = await self.run(request)
            answer = _ENCODED_ANSWER.get()
        except RefusalError as refusal:
            response = refusal_response(refusal.status, refusal.code, refusal.message)
        except HTTPException as error:
            response = refusal_response(error.status_code, "BAD_REQUEST", error.reason)
        response = negotiate(request, response)
        response = apply_http_caching(request, response, self.settings, answer)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """orjson: refuses invalid UTF-8 and nesting past 1,024 levels instead of recursing.

        Every JSON value the view parses (a POST body, GET `variables`/`extensions`) must be an
        object; anything else is a 400 here rather than an AttributeError inside Strawberry.
        """
        value = orjson.loads(data)  # orjson.JSONDecodeError: Strawberry answers 400
        if not isinstance(value, dict):
            raise HTTPException(400, "The request body must be a JSON object")
        return value

    def encode_json(self, data: object) -> bytes:
        """orjson: fast, and it splices cached answers (orjson.Fragment) in as they are.

        The answer is kept for `apply_http_caching` (this request's task only)."""
        _ENCODED_ANSWER.set(data)
        return orjson.dumps(data)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Resolve persisted queries, then execute within the request deadline."""
        TRUSTED_READS.set(self.settings.trusted_reads)  # this request's task only
        try:
            request_data = await self.resolve_persisted(
                request_adapter.method, context, request_data
            )
        except RefusalError as refusal:
            if refusal.status != 200:
                sub_response.status_code = refusal.status
            return await self._error_result(context, refusal.code, refusal.message)
        deadline = self.settings.request_timeout_seconds
        try:
            # PyMongo gives up first (its own timeout error), the request deadline backs it up.
            with pymongo.timeout(self.settings.mongodb_operation_timeout_ms / 1000):
                async with asyncio.timeout(deadline):
                    return await super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
        except TimeoutError:
            sub_response.status_code = 504
            message = f"The request took longer than {deadline:g}s and was stopped"
            return await self._error_result(context, "TIMEOUT", message)
        finally:
            # the answer is plain data now (no incremental delivery): nothing reads the loaders
            context.loaders.release()

    async def _error_result(self, context: Context, code: str, message: str) -> ExecutionResult:
        extensions: dict[str, Any] = {}
        if self.budget is not None:
            report = await self.budget.charge(identity_of(context), 0)
            extensions["cost"] = report.as_extension()
        error = GraphQLError(message, extensions={"code": code})
        return ExecutionResult(data=None, errors=[error], extensions=extensions)

    async def resolve_persisted(
        self, method: str, context: Context, data: GraphQLRequestData
    ) -> GraphQLRequestData:
        """Apollo APQ: look a hash up, or register a document under its verified hash."""
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is None:
            if method == "GET":
                raise RefusalError(
                    400,
                    "PERSISTED_QUERY_REQUIRED",
                    "GET runs persisted queries only: send extensions.persistedQuery, or POST",
                )
            if self.settings.crowdhire_persisted_only:
                raise RefusalError(
                    400, "PERSISTED_QUERY_REQUIRED", "This server runs persisted queries only"
                )
            return data
        sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        version = persisted.get("version") if isinstance(persisted, dict) else None
        if version != 1 or not isinstance(sha256, str) or not SHA256.match(sha256):
            raise RefusalError(
                400,
                "BAD_REQUEST",
                "extensions.persistedQuery needs version 1 and a lower-case hex sha256Hash",
            )
        store = PersistedQueries(context.cache)
        if data.query is None:
            query = await store.get(sha256)
            if query is None:
                raise RefusalError(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return replace(data, query=query)
        if document_hash(data.query) != sha256:
            raise RefusalError(
                400,
                "PERSISTED_QUERY_HASH_MISMATCH",
                "extensions.persistedQuery.sha256Hash does not match the query",
            )
        if method == "GET":
            raise RefusalError(400, "PERSISTED_QUERY_REQUIRED", "Register documents with POST")
        if self.settings.crowdhire_persisted_only:
            if await store.get(sha256) is None:
                raise RefusalError(
                    400,
                    "PERSISTED_QUERY_NOT_ALLOWED",
                    "Only registered persisted queries run on this server",
                )
            return data
        if _parses(data.query, self.settings.max_tokens):
            await store.register(data.query)
        return data


def _parses(query: str, max_tokens: int) -> bool:
    """Only documents that parse get registered (the error comes from execution)."""
    try:
        parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False
    return True
