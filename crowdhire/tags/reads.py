"""Cache tags: the vocabulary, and the tags of what a MongoDB read command reads.

A cached answer is tagged with what it read, and a write bumps the tags of what it changed, so
only the answers that could show the change go stale:
- `coll:<id>`, one object (read by id, or changed);
- `coll?f=v&g=w`, the documents of `coll` whose partition fields `f`, `g` hold `v`, `w`. A list
  filtered on partition fields (equality or `$in`) reads these; every write to a document in
  the partition bumps them, whichever fields it changes, so membership, order and content of
  any list within the partition are covered. `coll?` is the whole collection (any write);
- `coll!`, read by every answer that read `coll`: bumped by writes that cannot be analysed
  (a filter that names no ids, a document whose partition values are unknown).
Partition fields are foreign keys and states that lists are filtered by; other filter conditions
only narrow a partition, so they need no tag of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from itertools import combinations, product
from typing import Any

PARTITIONS: dict[str, tuple[str, ...]] = {
    "submissions": ("job_id", "recruiter_id", "candidate_id", "company_id"),
    "placements": ("job_id", "recruiter_id", "candidate_id", "company_id"),
    "placement_payments": ("placement_id", "company_id", "recruiter_id"),
    "candidates": ("recruiter_id",),
    "jobs": ("company_id", "status"),
    "company_members": ("company_id", "sub"),
    "recruiters": ("sub",),
    "companies": ("slug",),
    "embeddings": ("kind", "owner_id"),
}
# Fields no answer shows, filters or sorts by: concurrency tokens bumped to make concurrent
# transactions conflict. A write touching only these changes nothing a reader can see.
UNOBSERVED: dict[str, frozenset[str]] = {"jobs": frozenset({"revision"})}
MAX_LIST_TAGS = 512

Constraint = dict[str, frozenset[str]]


def object_tag(collection: str, object_id: Any) -> str:
    """The tag of one object."""
    return f"{collection}:{object_id}"


def unanalysed_tag(collection: str) -> str:
    """The tag every read of `collection` carries, bumped by writes that name no objects."""
    return f"{collection}!"


def partition_tag(collection: str, values: Iterable[tuple[str, str]]) -> str:
    """The tag of one partition (fields sorted; none for the whole collection)."""
    return f"{collection}?" + "&".join(f"{name}={value}" for name, value in sorted(values))


def coarse_tags(collection: str) -> set[str]:
    """What an answer that depends on all of `collection` carries."""
    return {partition_tag(collection, ()), unanalysed_tag(collection)}


def normalized(value: Any) -> str:
    """A value's form in tags: the same for a filter's BSON value and a document's field."""
    if isinstance(value, Enum):
        value = value.value
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, tuple, set))


def _equal_values(condition: Any) -> frozenset[str] | None:
    """The values an equality or `$in` condition allows (None: not such a condition)."""
    if not isinstance(condition, dict):
        return frozenset({normalized(condition)}) if _is_scalar(condition) else None
    if "$eq" in condition and _is_scalar(condition["$eq"]):
        return frozenset({normalized(condition["$eq"])})
    values = condition.get("$in")
    if isinstance(values, (list, tuple)) and all(_is_scalar(v) for v in values):
        return frozenset(normalized(v) for v in values)
    return None


def _merge(left: Constraint, right: Constraint) -> Constraint | None:
    merged = dict(left)
    for name, values in right.items():
        merged[name] = merged[name] & values if name in merged else values
        if not merged[name]:
            return None  # contradictory: matches nothing
    return merged


def _and(branches: list[Constraint], others: list[Constraint]) -> list[Constraint]:
    combined = (_merge(a, b) for a, b in product(branches, others))
    return [c for c in combined if c is not None]


def constraints(filter_: Any, fields: tuple[str, ...]) -> list[Constraint] | None:
    """The partitions a filter can match: a disjunction of per-field allowed values (None when
    the filter is not a document)."""
    if not isinstance(filter_, Mapping):
        return None
    branches: list[Constraint] = [{}]
    for key, condition in filter_.items():
        if key == "$and" and isinstance(condition, list):
            for part in condition:
                branches = _and(branches, constraints(part, fields) or [{}])
        elif key == "$or" and isinstance(condition, list):
            options: list[Constraint] = []
            for part in condition:
                options.extend(constraints(part, fields) or [{}])
            branches = _and(branches, options)
        elif key in fields:
            values = _equal_values(condition)
            if values is not None:
                branches = _and(branches, [{key: values}])
        if len(branches) > MAX_LIST_TAGS:
            return [{}]
    return branches


def ids_in(filter_: Any) -> list[Any] | None:
    """The `_id`s a filter is restricted to (None when it names none)."""
    if not isinstance(filter_, Mapping) or "_id" not in filter_:
        return None
    condition = filter_["_id"]
    if not isinstance(condition, dict):
        return [condition]
    if "$eq" in condition:
        return [condition["$eq"]]
    values = condition.get("$in")
    return list(values) if isinstance(values, (list, tuple)) else None


def read_tags(collection: str, filter_: Any) -> set[str]:
    """The tags of an answer that read `collection` through `filter_`."""
    tags = {unanalysed_tag(collection)}
    ids = ids_in(filter_)
    if ids is not None:
        return tags | {object_tag(collection, i) for i in ids}
    fields = PARTITIONS.get(collection, ())
    branches = constraints(filter_, fields) if filter_ is not None else [{}]
    listed: set[str] = set()
    for branch in branches or [{}]:
        names = sorted(branch)
        for values in product(*(sorted(branch[name]) for name in names)):
            listed.add(partition_tag(collection, zip(names, values, strict=True)))
            if len(listed) > MAX_LIST_TAGS:
                return coarse_tags(collection)
    return tags | listed


def pipeline_tags(collection: str, pipeline: Any) -> set[str]:
    """The tags of an aggregation: its first `$match` decides the partition."""
    first = pipeline[0] if isinstance(pipeline, list) and pipeline else None
    if isinstance(first, dict) and set(first) == {"$match"}:
        return read_tags(collection, first["$match"])
    return coarse_tags(collection)


def document_tags(collection: str, object_id: Any, values: Mapping[str, set[str]]) -> set[str]:
    """What a write to one document bumps: the object, and every partition it was or is in
    (`values`: each partition field's values before and after the write)."""
    fields = sorted(values)
    tags = {object_tag(collection, object_id)}
    for size in range(len(fields) + 1):
        for subset in combinations(fields, size):
            for chosen in product(*(sorted(values[name]) for name in subset)):
                tags.add(partition_tag(collection, zip(subset, chosen, strict=True)))
    return tags


def keeps_partitions(collection: str, projection: Any) -> bool:
    """True when documents read under `projection` hold every partition field."""
    if not projection:
        return True
    if not isinstance(projection, Mapping):
        return False
    shown = {name: bool(value) for name, value in projection.items() if name != "_id"}
    fields = PARTITIONS.get(collection, ())
    if any(shown.values()):
        return all(shown.get(name, False) for name in fields)
    return not any(name in shown for name in fields)
