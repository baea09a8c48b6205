"""Configuration errors name the variable; the committed SDL matches the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from crowdhire.graphql.schema import schema_sdl
from crowdhire.settings import Environment, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()

    assert committed == schema_sdl(), "schema.graphql is stale: run `make schema`"


def test_every_field_and_argument_has_a_description() -> None:
    from crowdhire.graphql.schema import build_schema  # noqa: PLC0415

    schema = build_schema()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not hasattr(graphql_type, "fields"):
            continue
        for field_name, field in graphql_type.fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_production_without_mongodb_uri_is_refused() -> None:
    with pytest.raises(ValidationError, match="MONGODB_URI"):
        Settings(crowdhire_env=Environment.PRODUCTION)


def test_invalid_variable_stops_the_cli_naming_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crowdhire.cli", "serve"],
        env={"PORT": "not-a-port", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "PORT" in result.stderr
    assert "Traceback" not in result.stderr
