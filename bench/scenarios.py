"""The benchmark scenarios: GraphQL documents and the request bodies each one sends."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from typing import Any

import orjson
from bson import ObjectId

JOBS_PAGE = """
query JobsPage($first: Int!) {
  jobs(first: $first, filter: { status: [OPEN] }) {
    nodes {
      id title location
      company { id name }
      submissions(first: 10) {
        nodes {
          id stage
          candidate { id fullName skills }
          recruiter { id displayName }
        }
      }
    }
  }
}
"""

HOT_PROFILE = """
query HotProfile($id: ID!) {
  node(id: $id) {
    ... on Candidate {
      id fullName headline location skills yearsExperience
      submissions(first: 20) { nodes { id stage createdAt job { id title } } }
    }
  }
}
"""

SEARCH = """
query Search($text: String!, $skills: [String!]!) {
  jobs(first: 20, orderBy: TITLE_ASC, filter: { text: $text, skillsAny: $skills }) {
    nodes { id title location skills salary { min max currency } company { id name } }
  }
}
"""

SEARCHES: list[tuple[str, list[str]]] = [
    ("engineer", ["python", "go"]),
    ("backend engineer", ["python", "postgresql"]),
    ("frontend", ["react", "typescript"]),
    ("data", ["sql", "spark"]),
    ("senior engineer", ["kubernetes", "aws"]),
    ("designer", ["figma"]),
    ("manager", ["agile", "leadership"]),
    ("machine learning", ["pytorch", "python"]),
]

ZIPF_EXPONENT = 1.1
BODIES_PER_SCENARIO = 4000


def global_id(type_name: str, object_id: ObjectId) -> str:
    """The opaque Relay id crowdhire shows for an object (same encoding, kept independent)."""
    raw = f"{type_name}:{object_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def body(query: str, operation: str, variables: dict[str, Any]) -> bytes:
    """One POST /graphql body."""
    return orjson.dumps({"query": query, "operationName": operation, "variables": variables})


def zipf_sample(population: list[ObjectId], count: int, seed: int = 7) -> list[ObjectId]:
    """`count` draws where the k-th item of a shuffled population has weight 1/k^s."""
    rng = random.Random(seed)
    ranked = population[:]
    rng.shuffle(ranked)
    weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights=weights, k=count)


@dataclass(frozen=True)
class Scenario:
    """A named read scenario and the request bodies it cycles through."""

    name: str
    bodies: list[bytes]


def read_scenarios(candidate_ids: list[ObjectId], jobs_first: int = 50) -> list[Scenario]:
    """The jobs page, hot profile and search scenarios over the loaded dataset."""
    hot = [
        body(HOT_PROFILE, "HotProfile", {"id": global_id("Candidate", cid)})
        for cid in zipf_sample(candidate_ids, BODIES_PER_SCENARIO)
    ]
    searches = [
        body(SEARCH, "Search", {"text": text, "skills": skills}) for text, skills in SEARCHES
    ]
    return [
        Scenario("jobs_page", [jobs_page_body(jobs_first)]),
        Scenario("hot_profile", hot),
        Scenario("search", searches),
    ]


def jobs_page_body(first: int) -> bytes:
    """The jobs page request for `first` jobs."""
    return body(JOBS_PAGE, "JobsPage", {"first": first})


def hot_profile_distinct(bodies: list[bytes]) -> int:
    """How many distinct candidates a hot-profile body list names (reported with results)."""
    return len(set(bodies))
