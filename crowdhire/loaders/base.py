"""Batched loaders that read through the object cache before MongoDB.

One MongoDB command per batch: `_id $in` for objects by id (misses only, after one cache
multi-get), one `$group`/`$topN` aggregation for a page of children per parent, one
`$group`/`$sum` for child counts. Results come back in key order, None for missing keys.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

from beanie import Document
from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.footprints import note_read
from crowdhire.loaders.pagination import Ordering, Page, PageRequest, window

M = TypeVar("M", bound=Document)

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


def decode_document(model: type[M], raw: dict[str, Any]) -> M:
    """A document model from a raw MongoDB document of our own collection."""
    return cast(M, model.model_validate(raw))


def decode_cached(model: type[M], raw: bytes) -> M:
    """A document model from the JSON the cache holds."""
    return cast(M, model.model_validate_json(raw))


def encode_cached(document: Document) -> bytes:
    """The JSON form a document is cached in."""
    dumped: str = document.model_dump_json(by_alias=True)
    return dumped.encode()


def object_key(kind: str, object_id: ObjectId | str) -> str:
    """The cache key of one object of a kind (a collection name)."""
    return cache_key(kind, str(object_id))


class ByIdLoader(DataLoader[ObjectId, M | None], Generic[M]):
    """Objects by id: cache multi-get, then one `$in` query for the misses."""

    model: ClassVar[type[Document]]
    kind: ClassVar[str]

    def __init__(self, cache: ObjectCache) -> None:
        super().__init__(load_fn=self._load)
        self._cache = cache

    async def _load(self, ids: list[ObjectId]) -> list[M | None]:
        note_read(self.model.get_pymongo_collection().name)  # also when served from the cache
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
            collection = self.model.get_pymongo_collection()
            query = {"_id": {"$in": misses}}
            cursor = collection.find(query, limit=len(misses), batch_size=len(misses))
            fresh: dict[str, bytes] = {}
            async for raw_doc in cursor:
                document: M = decode_document(self.model, raw_doc)
                found[raw_doc["_id"]] = document
                fresh[object_key(self.kind, raw_doc["_id"])] = encode_cached(document)
            await self._cache.set_many(fresh)
        return [found.get(object_id) for object_id in ids]


@dataclass(frozen=True)
class ChildPageKey:
    """One parent's window of children under the same request and criteria."""

    parent_id: ObjectId
    request: PageRequest
    criteria: Criteria = ()


@dataclass(frozen=True)
class ChildCountKey:
    """How many children one parent has under some criteria."""

    parent_id: ObjectId
    criteria: Criteria = ()


class ChildPageLoader(DataLoader[ChildPageKey, Page]):
    """A page of children for many parents in one `$topN` aggregation."""

    model: ClassVar[type[Document]]
    foreign_key: ClassVar[str]
    order: ClassVar[Ordering]

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[ChildPageKey]) -> list[Page]:
        groups: dict[tuple[PageRequest, Criteria], list[ChildPageKey]] = defaultdict(list)
        for key in keys:
            groups[(key.request, key.criteria)].append(key)
        pages: dict[ChildPageKey, Page] = {}
        for (request, criteria), members in groups.items():
            by_parent = await self._fetch([k.parent_id for k in members], request, criteria)
            for key in members:
                docs = by_parent.get(key.parent_id, [])
                pages[key] = self._page(docs, request)
        return [pages[key] for key in keys]

    def _page(self, docs: list[dict[str, Any]], request: PageRequest) -> Page:
        page = window(docs, request, self.order)
        page.items = [decode_document(self.model, doc) for doc in page.docs]
        return page

    async def _fetch(
        self, parent_ids: Sequence[ObjectId], request: PageRequest, criteria: Criteria
    ) -> dict[ObjectId, list[dict[str, Any]]]:
        match = {self.foreign_key: {"$in": list(set(parent_ids))}, **criteria_match(criteria)}
        keyset = request.match(self.order)
        if keyset:
            match = {"$and": [match, keyset]}
        sort_by = dict(self.order.sort(reverse=not request.forward))
        pipeline = [
            {"$match": match},
            {
                "$group": {
                    "_id": f"${self.foreign_key}",
                    "docs": {
                        "$topN": {"n": request.limit + 1, "sortBy": sort_by, "output": "$$ROOT"}
                    },
                }
            },
        ]
        collection = self.model.get_pymongo_collection()
        # one more than the possible groups, so the first batch exhausts the cursor (no getMore)
        cursor = await collection.aggregate(pipeline, batchSize=len(parent_ids) + 1)
        return {row["_id"]: row["docs"] async for row in cursor}


class ChildCountLoader(DataLoader[ChildCountKey, int]):
    """Child counts for many parents in one `$group` aggregation (no documents loaded)."""

    model: ClassVar[type[Document]]
    foreign_key: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[ChildCountKey]) -> list[int]:
        groups: dict[Criteria, list[ChildCountKey]] = defaultdict(list)
        for key in keys:
            groups[key.criteria].append(key)
        counts: dict[ChildCountKey, int] = {}
        collection = self.model.get_pymongo_collection()
        for criteria, members in groups.items():
            parent_ids = list({k.parent_id for k in members})
            match = {self.foreign_key: {"$in": parent_ids}, **criteria_match(criteria)}
            pipeline = [
                {"$match": match},
                {"$group": {"_id": f"${self.foreign_key}", "n": {"$sum": 1}}},
            ]
            cursor = await collection.aggregate(pipeline, batchSize=len(parent_ids) + 1)
            totals = {row["_id"]: row["n"] async for row in cursor}
            for key in members:
                counts[key] = totals.get(key.parent_id, 0)
        return [counts[key] for key in keys]


async def fetch_root_page(
    model: type[M], match: dict[str, Any], order: Ordering, request: PageRequest
) -> Page:
    """One window of a root list: a filtered, keyset-paginated find."""
    keyset = request.match(order)
    query = {"$and": [match, keyset]} if keyset and match else (keyset or match)
    collection = model.get_pymongo_collection()
    cursor = collection.find(
        query,
        sort=order.sort(reverse=not request.forward),
        limit=request.limit + 1,
        batch_size=request.limit + 1,
    )
    page = window(await cursor.to_list(None), request, order)
    page.items = [decode_document(model, doc) for doc in page.docs]
    return page


async def count_documents(model: type[M], match: dict[str, Any]) -> int:
    """How many documents match a root filter."""
    return await model.get_pymongo_collection().count_documents(match)
