"""The crowd: who reads which page, and a pool of writes that each succeed exactly once.

Identities come from the seeded data: recruiters (their own open-jobs page), company members
(their company's pipeline) and anonymous visitors (the public job list). Writes are real
mutations chosen from the current database so each one succeeds: a recruiter puts one of their
consented candidates forward for an open job they were not submitted to, a company member moves
one of its submissions one legal stage on, a recruiter edits a candidate's headline or their own
bio (with a unique text, so every write changes something).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from bson import ObjectId
from pymongo import MongoClient

from bench.scenarios import global_id

RECRUITER_PAGE = """
query RecruiterPage {
  jobs(first: 20, filter: { status: [OPEN] }) {
    nodes {
      id title location
      company { id name }
      feeTerms { percent currency guaranteeDays }
      submissions(first: 5) {
        nodes { id stage candidate { id fullName } recruiter { id displayName } }
      }
    }
  }
}
"""

COMPANY_PIPELINE = """
query CompanyPipeline($id: ID!) {
  node(id: $id) {
    ... on Company {
      id name
      jobs(first: 10) {
        nodes {
          id title status
          submissions(first: 10) {
            nodes { id stage candidate { id fullName } recruiter { id displayName } }
          }
        }
      }
    }
  }
}
"""

PUBLIC_JOBS = """
query PublicJobs {
  jobs(first: 20, filter: { status: [OPEN] }) {
    nodes { id title location company { id name } salary { min max currency } }
  }
}
"""

SUBMIT = """mutation SubmitCandidate($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) { submission { id stage } userErrors { code } } }"""
MOVE = """mutation MoveSubmission($input: MoveSubmissionInput!) {
  moveSubmission(input: $input) { submission { id stage } userErrors { code } } }"""
UPDATE_CANDIDATE = """mutation UpdateCandidate($input: UpdateCandidateInput!) {
  updateCandidate(input: $input) { candidate { id headline } userErrors { code } } }"""
UPDATE_PROFILE = """mutation UpdateRecruiterProfile($input: UpdateRecruiterProfileInput!) {
  updateRecruiterProfile(input: $input) { recruiter { id bio } userErrors { code } } }"""

NEXT_STAGE = {"submitted": "SCREENING", "screening": "INTERVIEWING", "interviewing": "OFFER"}

Doc = dict[str, Any]
Line = tuple[str, bytes]
"""One request: the subject it runs as ('' for anonymous) and its JSON body."""


def body(query: str, operation: str, variables: Doc) -> bytes:
    """One POST /graphql body."""
    return orjson.dumps({"query": query, "operationName": operation, "variables": variables})


@dataclass
class Crowd:
    """The identities and the reads they send."""

    recruiters: list[Doc]
    members: list[Doc]
    anonymous: int

    def reads(self) -> list[Line]:
        """One page per identity (anonymous visitors all ask the same page)."""
        page = body(RECRUITER_PAGE, "RecruiterPage", {})
        lines: list[Line] = [(recruiter["sub"], page) for recruiter in self.recruiters]
        for member in self.members:
            variables = {"id": global_id("Company", member["company_id"])}
            lines.append((member["sub"], body(COMPANY_PIPELINE, "CompanyPipeline", variables)))
        lines += [("", body(PUBLIC_JOBS, "PublicJobs", {}))] * self.anonymous
        return lines


def load_crowd(uri: str, db_name: str, recruiters: int, members: int, anonymous: int) -> Crowd:
    """The first `recruiters` recruiters and one member of each of `members` companies."""
    client: MongoClient[Doc] = MongoClient(uri)
    with client:
        db = client[db_name]
        found = list(db["recruiters"].find({}, {"sub": 1}).sort("_id", 1).limit(recruiters))
        picked: list[Doc] = []
        for member in db["company_members"].find({}, {"sub": 1, "company_id": 1}).sort("_id", 1):
            if member["company_id"] not in {m["company_id"] for m in picked}:
                picked.append(member)
            if len(picked) == members:
                break
    if len(found) < recruiters or len(picked) < members:
        counts = f"{len(found)}/{recruiters} recruiters, {len(picked)}/{members} members"
        raise SystemExit(f"bench: the dataset has too few identities: {counts}")
    return Crowd(found, picked, anonymous)


class WritePool:
    """Writes that succeed once each, in the four kinds taking turns; never handed out twice."""

    def __init__(self, uri: str, db_name: str, crowd: Crowd) -> None:
        self._counter = itertools.count()
        client: MongoClient[Doc] = MongoClient(uri)
        with client:
            db = client[db_name]
            self._kinds: list[Iterator[Line]] = [
                self._submits(db, crowd),
                self._moves(db, crowd),
                self._candidate_edits(db, crowd),
                self._profile_edits(crowd),
            ]

    def moves(self, count: int) -> list[Line]:
        """The next `count` moveSubmission writes only."""
        return [next(self._kinds[1]) for _ in range(count)]

    def take(self, count: int) -> list[Line]:
        """The next `count` writes."""
        return [next(self._kinds[i % len(self._kinds)]) for i in range(count)]

    def _unique(self) -> int:
        return next(self._counter)

    def _submits(self, db: Any, crowd: Crowd) -> Iterator[Line]:
        by_id = {r["_id"]: r["sub"] for r in crowd.recruiters}
        open_jobs = [j["_id"] for j in db["jobs"].find({"status": "open"}, {"_id": 1})]
        seen = db["submissions"].find({}, {"job_id": 1, "candidate_id": 1})
        taken = {(s["job_id"], s["candidate_id"]) for s in seen}
        query = {"recruiter_id": {"$in": list(by_id)}, "consent.status": "granted"}
        candidates = list(db["candidates"].find(query, {"recruiter_id": 1}))
        pairs = ((job, c) for job in open_jobs for c in candidates if (job, c["_id"]) not in taken)

        def submit(pair: tuple[ObjectId, Doc]) -> Line:
            job, candidate = pair
            ids = {
                "jobId": global_id("Job", job),
                "candidateId": global_id("Candidate", candidate["_id"]),
            }
            variables = {"input": {**ids, "pitch": "bench"}}
            return by_id[candidate["recruiter_id"]], body(SUBMIT, "SubmitCandidate", variables)

        return self._lines(pairs, submit)

    def _moves(self, db: Any, crowd: Crowd) -> Iterator[Line]:
        sub_of = {m["company_id"]: m["sub"] for m in crowd.members}
        query = {"company_id": {"$in": list(sub_of)}, "stage": {"$in": list(NEXT_STAGE)}}
        movable = list(db["submissions"].find(query, {"company_id": 1, "stage": 1}).sort("_id", 1))

        def move(submission: Doc) -> Line:
            target = {"id": global_id("Submission", submission["_id"]), "note": "bench"}
            variables = {"input": {**target, "stage": NEXT_STAGE[submission["stage"]]}}
            return sub_of[submission["company_id"]], body(MOVE, "MoveSubmission", variables)

        return self._lines(movable, move)

    def _candidate_edits(self, db: Any, crowd: Crowd) -> Iterator[Line]:
        by_id = {r["_id"]: r["sub"] for r in crowd.recruiters}
        query = {"recruiter_id": {"$in": list(by_id)}}
        owned = list(db["candidates"].find(query, {"recruiter_id": 1}))

        def edit(candidate: Doc) -> Line:
            headline = f"Open to offers ({self._unique()})"
            fields = {"candidateId": global_id("Candidate", candidate["_id"]), "headline": headline}
            variables = {"input": fields}
            return by_id[candidate["recruiter_id"]], body(
                UPDATE_CANDIDATE, "UpdateCandidate", variables
            )

        return self._lines(itertools.cycle(owned), edit)

    def _profile_edits(self, crowd: Crowd) -> Iterator[Line]:
        def edit(recruiter: Doc) -> Line:
            variables = {"input": {"bio": f"Placing engineers since 2019 ({self._unique()})"}}
            return recruiter["sub"], body(UPDATE_PROFILE, "UpdateRecruiterProfile", variables)

        return self._lines(itertools.cycle(crowd.recruiters), edit)

    @staticmethod
    def _lines(items: Any, make: Callable[[Any], Line]) -> Iterator[Line]:
        for item in items:
            yield make(item)
        raise SystemExit("bench: the write pool ran dry; use a larger --scale or fewer rounds")


def lines_file_text(lines: list[Line], token_of: Callable[[str], str]) -> bytes:
    """The wrk_crowd.lua file form: "Bearer <token>\\t<body>" (empty header for anonymous)."""
    rows = [
        (f"Bearer {token_of(sub)}" if sub else "").encode() + b"\t" + data for sub, data in lines
    ]
    return b"\n".join(rows) + b"\n"
