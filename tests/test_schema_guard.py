"""The schema-change guard `make check` runs: breaking changes need a deprecation and an entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crowdhire.dev.schema_guard import judge

RELEASED = """
type Query {
  "Open jobs."
  jobs: [Job!]!
}
type Job {
  title: String!
  salary: Int
  legacyFee: Int @deprecated(reason: "Use feePercent")
  feePercent: Float
}
enum Stage { SUBMITTED HIRED }
"""


def current(job_body: str) -> str:
    """A next version of RELEASED with a different Job body."""
    job = f"type Job {{ {job_body} }}"
    return f"type Query {{ jobs: [Job!]! }}\n{job}\nenum Stage {{ SUBMITTED HIRED }}"


JOB = "title: String! salary: Int legacyFee: Int feePercent: Float"


def test_removing_a_field_is_refused() -> None:
    verdict = judge(RELEASED, current("title: String! legacyFee: Int feePercent: Float"), "")

    assert len(verdict.refused) == 1
    assert "Job.salary was removed" in verdict.refused[0]
    assert "not @deprecated" in verdict.refused[0]


def test_changing_a_fields_type_is_refused() -> None:
    verdict = judge(RELEASED, current(JOB.replace("salary: Int", "salary: String")), "")

    assert len(verdict.refused) == 1
    assert "Job.salary changed type from Int to String" in verdict.refused[0]


def test_additions_pass() -> None:
    verdict = judge(RELEASED, current(JOB + ' "The public id." slug: String'), "")

    assert verdict.refused == [] and verdict.allowed == []


def test_a_deprecated_field_may_go_once_the_changelog_lists_it() -> None:
    without_legacy = current("title: String! salary: Int feePercent: Float")

    unlisted = judge(RELEASED, without_legacy, "## Unreleased\n- nothing\n")
    listed = judge(RELEASED, without_legacy, "## Unreleased\n- `Job.legacyFee`: use feePercent\n")

    assert len(unlisted.refused) == 1 and "not listed in SCHEMA-CHANGES.md" in unlisted.refused[0]
    assert listed.refused == []
    assert listed.allowed == ["Field Job.legacyFee was removed."]


def test_listing_alone_does_not_excuse_removing_an_undeprecated_field() -> None:
    verdict = judge(
        RELEASED, current("title: String! legacyFee: Int feePercent: Float"), "- `Job.salary`"
    )

    assert len(verdict.refused) == 1 and "not @deprecated" in verdict.refused[0]


def test_the_guard_command_fails_on_a_breaking_change(tmp_path: Path) -> None:
    released, broken = tmp_path / "released.graphql", tmp_path / "schema.graphql"
    released.write_text(RELEASED)
    broken.write_text(current("title: Int legacyFee: Int feePercent: Float"))
    command = [sys.executable, "-m", "crowdhire.dev.schema_guard", "--released", str(released)]

    refused = subprocess.run(
        [*command, "--current", str(broken), "--changelog", str(tmp_path / "none.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    repository = subprocess.run(command[:3], capture_output=True, text=True, check=False)

    assert refused.returncode == 1
    assert "BREAKING: Field Job.salary was removed" in refused.stderr
    assert "BREAKING: Field Job.title changed type from String! to Int" in refused.stderr
    assert repository.returncode == 0, repository.stderr  # the committed schema is compatible
