"""Root lists: one filtered, keyset-paginated find per page, and their counts."""

from __future__ import annotations

from typing import Any, TypeVar

from beanie import Document

from crowdhire.loaders.base import decode_document
from crowdhire.loaders.pagination import Ordering, Page, PageRequest, window

M = TypeVar("M", bound=Document)


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
