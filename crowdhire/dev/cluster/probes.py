"""What the drills read besides the load: cache hit counters, MongoDB contents, the budget."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

import httpx
import pymongo
from prometheus_client.parser import text_string_to_metric_families

from crowdhire.auth.dev import mint_dev_token
from crowdhire.dev.cluster.control import Cluster
from crowdhire.dev.servers import HOST
from crowdhire.settings import Environment, Settings

DATABASE = "crowdhire"


def cache_lookups(cluster: Cluster) -> tuple[float, float]:
    """(hits, misses) summed over the instances' /metrics (instances that do not answer: 0)."""
    hits = misses = 0.0
    for port in cluster.ports.apps:
        try:
            text = httpx.get(f"http://{HOST}:{port}/metrics", timeout=2.0).text
        except httpx.HTTPError:
            continue
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "crowdhire_cache_lookups_total":
                    if sample.labels.get("result") == "hit":
                        hits += sample.value
                    elif sample.labels.get("result") == "miss":
                        misses += sample.value
    return hits, misses


def majority_client(cluster: Cluster) -> pymongo.MongoClient[dict[str, Any]]:
    """A client that reads what a majority has committed, from the primary."""
    return pymongo.MongoClient(
        cluster.layout.mongodb_uri(cluster.ports),
        readConcernLevel="majority",
        serverSelectionTimeoutMS=30_000,
    )


def recruiter_counts(cluster: Cluster, prefix: str = "drill|") -> Counter[str]:
    """How many Recruiter documents each drill subject has (majority read)."""
    with majority_client(cluster) as client:
        cursor = client[DATABASE]["recruiters"].find(
            {"sub": {"$regex": f"^{prefix.replace('|', '[|]')}"}}, {"sub": 1}
        )
        return Counter(doc["sub"] for doc in cursor)


def snapshot(cluster: Cluster) -> dict[str, Any]:
    """Per collection: document count and a hash of all documents (majority read)."""
    with majority_client(cluster) as client:
        database = client[DATABASE]
        found: dict[str, Any] = {}
        for name in sorted(database.list_collection_names()):
            docs = sorted(repr(sorted(doc.items())) for doc in database[name].find())
            found[name] = (len(docs), hashlib.sha256("\n".join(docs).encode()).hexdigest())
        return found


def shared_budget(cluster: Cluster) -> tuple[bool, str]:
    """One identity, two instances: does the second see the first one's spending?"""
    settings = Settings(crowdhire_env=Environment.DEV, data_dir=cluster.layout.app_data)
    token = mint_dev_token(settings, f"drill|budget-{time.time_ns()}", [])
    body = {"query": "{ jobs(first: 20) { nodes { title } } }"}
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[dict[str, Any]] = []
    for port in cluster.ports.apps[:2]:
        url = f"http://{HOST}:{port}/graphql"
        seen.append(httpx.post(url, json=body, headers=headers, timeout=10).json()["extensions"])
    # Instances charge their own ledger and learn the others' totals in the background, so
    # app2's next answer (a small query) is the one that shows app1's spending for sure.
    free = {"query": "{ __typename }"}
    url = f"http://{HOST}:{cluster.ports.apps[1]}/graphql"
    after = httpx.post(url, json=free, headers=headers, timeout=10).json()["extensions"]
    # the follow-up's own cost counted as part of app2's charge
    spent = seen[1]["cost"]["requested"] + after["cost"]["requested"]
    first = seen[0]["cost"]
    second = seen[1]["cost"] | {"remaining": after["cost"]["remaining"], "requested": spent}
    if first["resetAt"] != second["resetAt"]:  # crossed a budget window: measure again
        return shared_budget(cluster)
    expected = first["remaining"] - second["requested"]
    ok = first["remaining"] is not None and second["remaining"] == expected
    detail = (
        f"app1 remaining {first['remaining']} of {first['limit']}, then app2 remaining "
        f"{second['remaining']} (cost {second['requested']})"
    )
    return ok, detail
