"""What every mutation shares: user errors, transactions, idempotency keys and the audit trail.

A mutation's action runs inside one MongoDB transaction together with its audit event and (with a
`clientMutationId`) its receipt, so it happens entirely or not at all. A retry with the same
key returns the first outcome; a concurrent duplicate loses the receipt's unique-key race, its
transaction aborts, and it returns the winner's outcome.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, OperationFailure

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind, object_key
from crowdhire.models.audit import AuditEvent
from crowdhire.models.idempotency import MutationReceipt

MAX_CLIENT_MUTATION_ID = 128


@dataclass(frozen=True)
class UserErrorData:
    """An expected failure: the input path at fault, a code from the mutation's enum, a message."""

    field: tuple[str, ...]
    code: str
    message: str


class MutationRefused(Exception):  # noqa: N818 - a control-flow signal, not an error class
    """Raised inside an action to abort its transaction and report user errors."""

    def __init__(self, *errors: UserErrorData) -> None:
        super().__init__(errors[0].message if errors else "refused")
        self.errors = list(errors)


def refuse(path: Sequence[str], code: str, message: str) -> MutationRefused:
    """The exception that aborts a mutation with one user error."""
    return MutationRefused(UserErrorData(tuple(path), code, message))


@dataclass
class Outcome:
    """What a mutation produced: ids of the objects its payload shows, or user errors."""

    ids: dict[str, str] = field(default_factory=dict)
    errors: list[UserErrorData] = field(default_factory=list)
    forget: list[tuple[CachedKind, ObjectId | str]] = field(default_factory=list)

    def object_id(self, name: str) -> ObjectId | None:
        """The id stored under `name`, if any."""
        value = self.ids.get(name)
        return ObjectId(value) if value else None

    def to_receipt(self) -> dict[str, Any]:
        """The JSON form kept for idempotent retries."""
        errors = [{"field": list(e.field), "code": e.code, "message": e.message}
                  for e in self.errors]  # fmt: skip
        return {"ids": self.ids, "errors": errors}

    @classmethod
    def from_receipt(cls, data: Mapping[str, Any]) -> Outcome:
        """An outcome rebuilt from a stored receipt."""
        errors = [UserErrorData(tuple(e["field"]), e["code"], e["message"])
                  for e in data.get("errors", [])]  # fmt: skip
        return cls(ids=dict(data.get("ids", {})), errors=errors)


Action = Callable[[AsyncClientSession], Awaitable[Outcome]]


async def audit(
    context: Context,
    session: AsyncClientSession | None,
    action: str,
    targets: Mapping[str, ObjectId | None],
    changed_fields: Sequence[str] = (),
    *,
    model_version: str | None = None,
    returned_ids: Sequence[str] = (),
) -> None:
    """Record who did what to which objects (field names and ids only, never values).

    Reads that must be accounted for (a ranking shown) pass no session and say what they showed.
    """
    ids = {name: str(value) for name, value in targets.items() if value is not None}
    event = AuditEvent(
        actor_sub=context.viewer.sub or "anonymous",
        action=action,
        targets=ids,
        target_ids=sorted(set(ids.values())),
        changed_fields=sorted(changed_fields),
        model_version=model_version,
        returned_ids=list(returned_ids),
    )
    # A plain insert: the event is validated above and Beanie's insert hooks add nothing here.
    raw = event.model_dump(by_alias=True, exclude={"id"}, mode="python")
    await AuditEvent.get_pymongo_collection().insert_one(raw, session=session)


def _receipt_key(context: Context, mutation: str, client_mutation_id: str, digest: str) -> str:
    # Anonymous callers (public mutations) share no identity: their key also covers the input,
    # so one stranger's clientMutationId can never block or answer another's request.
    who = context.viewer.sub or f"anonymous:{digest}"
    raw = f"{who}\x00{mutation}\x00{client_mutation_id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _digest(input_data: Mapping[str, Any]) -> str:
    canonical = orjson.dumps(input_data, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(canonical).hexdigest()


async def forget(context: Context, kind: CachedKind, ids: Iterable[ObjectId | str | None]) -> None:
    """Forget cached objects of a kind: in memcached and in this request's loader."""
    present = [i for i in ids if i is not None]
    loader = context.loaders.cached(kind)
    for key in present:
        with contextlib.suppress(KeyError):  # strawberry raises for keys it never loaded
            loader.clear(key)
    await context.cache.delete_many([object_key(kind, i) for i in present])


async def run_mutation(
    context: Context,
    mutation: str,
    input_data: Mapping[str, Any],
    action: Action,
    client_mutation_id: str | None = None,
) -> Outcome:
    """Run `action` in a transaction (idempotently when a clientMutationId is given)."""
    key = digest = None
    if client_mutation_id is not None:
        if not 1 <= len(client_mutation_id) <= MAX_CLIENT_MUTATION_ID:
            message = "clientMutationId must be 1 to 128 characters"
            return Outcome(errors=[UserErrorData(("clientMutationId",), "INVALID_INPUT", message)])
        digest = _digest(input_data)
        key = _receipt_key(context, mutation, client_mutation_id, digest)
        earlier = await _earlier(key, digest)
        if earlier is not None:
            return earlier
    try:
        outcome = await _in_transaction(action, key, digest)
    except MutationRefused as refused:
        return Outcome(errors=refused.errors)
    except (DuplicateKeyError, OperationFailure) as race:
        if key is None or not _is_receipt_race(race):
            raise
        earlier = await _earlier(key, digest)
        if earlier is None:
            raise
        return earlier
    by_kind: defaultdict[CachedKind, list[ObjectId | str]] = defaultdict(list)
    for kind, object_id in outcome.forget:
        by_kind[kind].append(object_id)
    for kind, ids in by_kind.items():  # one parallel round of deletes per kind, not one per key
        await forget(context, kind, ids)
    return outcome


async def _earlier(key: str, digest: str | None) -> Outcome | None:
    receipt = await MutationReceipt.find_one({"key": key})
    if receipt is None:
        return None
    if receipt.input_digest != digest:
        message = "clientMutationId was already used with other input"
        error = UserErrorData(("clientMutationId",), "IDEMPOTENCY_KEY_REUSED", message)
        return Outcome(errors=[error])
    return Outcome.from_receipt(receipt.result)


def _is_receipt_race(error: Exception) -> bool:
    if isinstance(error, DuplicateKeyError):
        return True
    transient = isinstance(error, OperationFailure) and error.has_error_label(
        "TransientTransactionError"
    )
    return transient or getattr(error, "code", None) == 112  # 112: WriteConflict


async def _in_transaction(action: Action, key: str | None, digest: str | None) -> Outcome:
    client = AuditEvent.get_pymongo_collection().database.client
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> Outcome:
            outcome = await action(session)
            if key is not None and digest is not None:
                receipt = MutationReceipt(key=key, input_digest=digest, result=outcome.to_receipt())
                await receipt.insert(session=session)
            return outcome

        result: Outcome = await session.with_transaction(body)
        return result
