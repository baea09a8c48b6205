"""Objects by id through the object cache, and what resolvers may already hold synchronously.

One MongoDB command per batch: `_id $in` for the misses after one cache multi-get. Results come
back in key order, None for missing keys. Children of a parent: crowdhire.loaders.children.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar, cast

from beanie import Document
from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.footprints import note_objects
from crowdhire.models.trusted import trusted_read
from crowdhire.tags.reads import PARTITIONS

M = TypeVar("M", bound=Document)


class CachedKind(StrEnum):
    """What the object cache holds, by key prefix; writes name the kinds they make stale."""

    COMPANIES = "companies"
    RECRUITERS = "recruiters"
    CANDIDATES = "candidates"
    JOBS = "jobs"
    SUBMISSIONS = "submissions"
    PLACEMENTS = "placements"
    ROLES = "roles"
    MEMBERS = "members"


YIELD_EVERY = 64

Criteria = tuple[tuple[str, tuple[Any, ...]], ...]
"""Extra equality/`$in` conditions in a hashable form: ((field, (values…)), …)."""


class Pending:
    """A value not known without waiting for I/O (see `loaded`)."""


PENDING = Pending()
K = TypeVar("K")
V = TypeVar("V")


def loaded(loader: DataLoader[K, V], key: K) -> V | Pending:
    """What `loader` already holds for `key` in this request, or PENDING.

    Lets a resolver answer synchronously once a parent prefetched the batch, sparing the
    executor an awaitable (and a task) per object.
    """
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return PENDING
    return future.result()


def loaded_if_visible(
    loader: DataLoader[K, V | None], key: K, visible: Callable[[V], bool | Pending]
) -> V | Pending | None:
    """The loaded value when `visible` says yes, None when it says no, PENDING when either the
    value or the decision needs I/O."""
    value = loaded(loader, key)
    if value is None or isinstance(value, Pending):
        return value
    decision = visible(value)
    if isinstance(decision, Pending):
        return decision
    return value if decision else None


def criteria_match(criteria: Criteria) -> dict[str, Any]:
    """The MongoDB filter for hashable criteria."""
    return {name: {"$in": list(values)} for name, values in criteria}


def decode_document(
    model: type[M], raw: dict[str, Any], omitted: frozenset[str] = frozenset()
) -> M:
    """A document model from a raw MongoDB document of our own collection (not re-validated:
    crowdhire.models.trusted says why), without the fields a projection `omitted`."""
    return trusted_read(model, raw, omitted)


def decode_cached(model: type[M], raw: bytes) -> M:
    """A document model from the JSON the cache holds."""
    return cast(M, model.model_validate_json(raw))


def encode_cached(document: Document) -> bytes:
    """The JSON form a document is cached in."""
    dumped: str = document.model_dump_json(by_alias=True)
    return dumped.encode()


def object_key(kind: CachedKind, object_id: ObjectId | str) -> str:
    """The cache key of one object of a kind (a collection name)."""
    return cache_key(kind, str(object_id))


class ByIdLoader(DataLoader[ObjectId, M | None], Generic[M]):
    """Objects by id: cache multi-get, then one `$in` query for the misses."""

    model: ClassVar[type[Document]]
    kind: ClassVar[CachedKind]

    def __init__(self, cache: ObjectCache) -> None:
        super().__init__(load_fn=self._load)
        self._cache = cache
        self._projected: dict[frozenset[str], ProjectedByIdLoader[M]] = {}

    def without(self, omitted: frozenset[str]) -> DataLoader[ObjectId, M | None]:
        """The same objects read without the `omitted` fields (crowdhire.schema.field_reads),
        or this loader when nothing is left out or the object cache stores: what it holds
        must serve every selection, so a cached deployment reads whole objects."""
        if not omitted or self._cache.stores:
            return self
        loader = self._projected.get(omitted)
        if loader is None:
            loader = self._projected[omitted] = ProjectedByIdLoader(self.model, omitted)
        return loader

    def clear_all(self) -> None:
        """Forget everything here and in the projected reads."""
        for loader in self._projected.values():
            let_go(loader)
        self._projected.clear()
        super().clear_all()

    def clear(self, key: ObjectId) -> None:
        """Forget `key` here and in every projected read of this request (after a write)."""
        for loader in self._projected.values():
            with contextlib.suppress(KeyError):  # never loaded there
                loader.clear(key)
        super().clear(key)

    async def _load(self, ids: list[ObjectId]) -> list[M | None]:
        keys = [object_key(self.kind, object_id) for object_id in ids]
        found: dict[ObjectId, M] = {}
        misses: list[ObjectId] = []
        cached = await self._cache.get_many(keys)
        for index, (object_id, raw) in enumerate(zip(ids, cached, strict=True)):
            if raw is None:
                misses.append(object_id)
            else:
                found[object_id] = decode_cached(self.model, raw)
            if index % YIELD_EVERY == YIELD_EVERY - 1:
                # Decoding hundreds of objects is CPU work; let other loaders' replies (and
                # their short cache timeouts) be served in between.
                await asyncio.sleep(0)
        if misses:
            fetched: dict[ObjectId, M] = await fetch_by_ids(self.model, misses)
            found.update(fetched)
            # JSON for a cache that stores nothing was 2 % of an uncached page
            if self._cache.stores:
                fresh = {object_key(self.kind, i): encode_cached(d) for i, d in fetched.items()}
                await self._cache.set_many(fresh)
        # also when served from the cache: the answer depends on these objects
        return in_key_order(self.model, ids, found)


class ProjectedByIdLoader(DataLoader[ObjectId, M | None], Generic[M]):
    """Objects by id without some fields, straight from MongoDB (see `ByIdLoader.without`)."""

    def __init__(self, model: type[Document], omitted: frozenset[str]) -> None:
        super().__init__(load_fn=self._load)
        collection = model.get_pymongo_collection().name
        refused = {
            name
            for name in omitted
            if name in PARTITIONS.get(collection, ()) or model.model_fields[name].is_required()
        }
        if refused:
            # cache tags read partition fields of the documents a request saw; validation
            # (TRUSTED_READS=false) needs the required ones
            raise ValueError(f"{model.__name__} reads cannot leave out {sorted(refused)}")
        self.model = model
        self.omitted = omitted

    async def _load(self, ids: list[ObjectId]) -> list[M | None]:
        found: dict[ObjectId, M] = await fetch_by_ids(self.model, ids, self.omitted)
        return in_key_order(self.model, ids, found)


def let_go(loader: DataLoader[Any, Any]) -> None:
    """Empty a loader once its request is answered. Each holds its own bound batch function,
    a cycle: without this, what it loaded waits for a garbage collection (Loaders.release)."""
    loader.clear_all()
    loader.batch = None


async def fetch_by_ids(
    model: type[Document], ids: list[ObjectId], omitted: frozenset[str] = frozenset()
) -> dict[ObjectId, Any]:
    """One `$in` find of `ids` (without the `omitted` fields), decoded, by id."""
    projection = dict.fromkeys(sorted(omitted), 0) or None
    cursor = model.get_pymongo_collection().find(
        {"_id": {"$in": ids}}, projection, limit=len(ids), batch_size=len(ids)
    )
    return {raw["_id"]: decode_document(model, raw, omitted) async for raw in cursor}


def in_key_order(
    model: type[Document], ids: list[ObjectId], found: dict[ObjectId, M]
) -> list[M | None]:
    """A batch's answer (None for missing ids), recorded in the request's footprint."""
    note_objects(model.get_pymongo_collection().name, {i: found.get(i) for i in ids})
    return [found.get(object_id) for object_id in ids]
