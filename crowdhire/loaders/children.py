"""Children of many parents in one command per batch: a `$group`/`$topN` aggregation for a page
of each parent's children, a `$group`/`$sum` for their counts.

A relation is data (model, foreign key, order), so one loader class serves every parent/child
pair; each request makes the loaders of the relations it touches on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from beanie import Document
from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.loaders.base import Criteria, criteria_match, decode_document, let_go
from crowdhire.loaders.pagination import Ordering, Page, PageRequest, window


@dataclass(frozen=True)
class ChildRelation:
    """Documents of `model` whose `foreign_key` holds a parent's id, listed in `order`."""

    model: type[Document]
    foreign_key: str
    order: Ordering


@dataclass(frozen=True)
class ChildPageKey:
    """One parent's window of children under the same request and criteria.

    `omit`: fields of the children the selection does not read, left out of the query (the
    objects hold `NotLoaded` there: crowdhire.models.trusted).
    """

    parent_id: ObjectId
    request: PageRequest
    criteria: Criteria = ()
    omit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChildCountKey:
    """How many children one parent has under some criteria."""

    parent_id: ObjectId
    criteria: Criteria = ()


class ChildPageLoader(DataLoader[ChildPageKey, Page]):
    """A page of children for many parents in one `$topN` aggregation."""

    def __init__(self, relation: ChildRelation) -> None:
        super().__init__(load_fn=self._load)
        self.model = relation.model
        self.foreign_key = relation.foreign_key
        self.order = relation.order

    async def _load(self, keys: list[ChildPageKey]) -> list[Page]:
        groups: dict[tuple[PageRequest, Criteria, frozenset[str]], list[ChildPageKey]]
        groups = defaultdict(list)
        for key in keys:
            groups[(key.request, key.criteria, key.omit)].append(key)
        pages: dict[ChildPageKey, Page] = {}
        for (request, criteria, omit), members in groups.items():
            parent_ids = [k.parent_id for k in members]
            by_parent = await self._fetch(parent_ids, request, criteria, omit)
            for key in members:
                docs = by_parent.get(key.parent_id, [])
                pages[key] = self._page(docs, request, omit)
        return [pages[key] for key in keys]

    def _page(self, docs: list[dict[str, Any]], request: PageRequest, omit: frozenset[str]) -> Page:
        page = window(docs, request, self.order)
        page.items = [decode_document(self.model, doc, omit) for doc in page.docs]
        return page

    async def _fetch(
        self,
        parent_ids: Sequence[ObjectId],
        request: PageRequest,
        criteria: Criteria,
        omit: frozenset[str],
    ) -> dict[ObjectId, list[dict[str, Any]]]:
        match = {self.foreign_key: {"$in": list(set(parent_ids))}, **criteria_match(criteria)}
        keyset = request.match(self.order)
        if keyset:
            match = {"$and": [match, keyset]}
        sort_by = dict(self.order.sort(reverse=not request.forward))
        # after $match, so the filter still sees every field
        unset: list[dict[str, Any]] = [{"$unset": sorted(omit)}] if omit else []
        pipeline = [
            {"$match": match},
            *unset,
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

    def __init__(self, relation: ChildRelation) -> None:
        super().__init__(load_fn=self._load)
        self.model = relation.model
        self.foreign_key = relation.foreign_key

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


@dataclass
class ChildLoaders:
    """The page and count loader of each relation, made on first use within one request."""

    _pages: dict[ChildRelation, ChildPageLoader] = field(default_factory=dict)
    _counts: dict[ChildRelation, ChildCountLoader] = field(default_factory=dict)

    def pages(self, relation: ChildRelation) -> ChildPageLoader:
        """This request's page loader for `relation`."""
        loader = self._pages.get(relation)
        if loader is None:
            loader = self._pages[relation] = ChildPageLoader(relation)
        return loader

    def counts(self, relation: ChildRelation) -> ChildCountLoader:
        """This request's count loader for `relation`."""
        loader = self._counts.get(relation)
        if loader is None:
            loader = self._counts[relation] = ChildCountLoader(relation)
        return loader

    def release(self) -> None:
        """Empty and drop every loader (see `Loaders.release`)."""
        loaders: list[DataLoader[Any, Any]] = [*self._pages.values(), *self._counts.values()]
        for loader in loaders:
            let_go(loader)
        self._pages.clear()
        self._counts.clear()
