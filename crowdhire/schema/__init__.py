"""The GraphQL schema: domain types merged into one Schema."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql.error import GraphQLError
from strawberry.types import ExecutionContext

from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.errors import ErrorPresenter
from crowdhire.schema.jobs import JobType
from crowdhire.schema.placements import PlacementType
from crowdhire.schema.query import Query
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.submissions import SubmissionType


class CrowdhireSchema(strawberry.Schema):
    """A Schema whose error logging is done once, by ErrorPresenter, with an error id."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are masked; nothing to do here."""


def build_schema(**options: Any) -> strawberry.Schema:
    """The crowdhire schema with its error presentation."""
    return CrowdhireSchema(
        query=Query,
        types=[CompanyType, RecruiterType, CandidateType, JobType, SubmissionType, PlacementType],
        extensions=[ErrorPresenter],
        **options,
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
