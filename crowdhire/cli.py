"""The `crowdhire` command: serve | seed | schema | query | token | persist | cluster | backup |
embeddings backfill."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from beanie import init_beanie
from pydantic import ValidationError

from crowdhire.models import DOCUMENT_MODELS
from crowdhire.settings import Settings, load_settings

log = logging.getLogger("crowdhire.cli")

DEFAULT_URL = "http://127.0.0.1:8000/graphql"


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']).upper() or 'settings'}: {item['msg']}"
            for item in error.errors()
        )
        sys.exit(f"crowdhire: invalid configuration: {problems}")


@contextmanager
def database(settings: Settings) -> Iterator[Settings]:
    """Settings pointing at MongoDB: MONGODB_URI, else (dev only) an embedded mongod."""
    if settings.mongodb_uri:
        yield settings
        return
    if not settings.is_dev:
        sys.exit("crowdhire: MONGODB_URI is required outside CROWDHIRE_ENV=dev")
    from crowdhire.dev.servers import MongodServer  # noqa: PLC0415 - dev-only dependency

    mongod = MongodServer(settings.data_dir.resolve() / "mongo")
    print(f"crowdhire: starting embedded mongod (data in {settings.data_dir}/mongo)…", flush=True)
    uri = mongod.start()
    try:
        yield settings.model_copy(update={"mongodb_uri": uri})
    finally:
        print("crowdhire: stopping embedded mongod", flush=True)
        mongod.stop()


async def seed_if_empty(settings: Settings, *, scale: float = 1.0, force: bool = False) -> None:
    """Seed demo data into an empty dev database; refuse anything else."""
    from pymongo import AsyncMongoClient  # noqa: PLC0415

    from crowdhire.dev.seed import database_is_empty, seed_demo  # noqa: PLC0415

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
        if not await database_is_empty():
            print("crowdhire: database already has data; not seeding", flush=True)
            return
        if not (settings.is_dev or force):
            sys.exit("crowdhire: refusing to seed outside CROWDHIRE_ENV=dev")
        counts = await seed_demo(scale=scale, progress=sys.stderr.isatty())
        print(f"crowdhire: seeded demo data {counts}", flush=True)
    finally:
        await client.close()


def serve(settings: Settings) -> None:
    """Run the API under uvicorn; in dev, with an embedded mongod and demo data."""
    from crowdhire.dev.smtp import dev_smtp  # noqa: PLC0415 - dev-only: consent emails
    from crowdhire.dev.stripe import dev_stripe  # noqa: PLC0415
    from crowdhire.server import create_app  # noqa: PLC0415 - keeps `schema` fast

    with (
        database(settings) as with_db,
        dev_stripe(with_db) as with_stripe,  # payments: localstripe
        dev_smtp(with_stripe) as ready,
    ):
        if ready.is_dev and ready.seed_demo:
            asyncio.run(seed_if_empty(ready))
        print(f"crowdhire: GraphiQL at http://{ready.host}:{ready.port}/graphql", flush=True)
        from crowdhire.observability.logs import configure_logging  # noqa: PLC0415

        configure_logging(ready.log_format)
        uvicorn.run(
            create_app(ready),
            host=ready.host,
            port=ready.port,
            log_level="info",
            log_config=None,  # uvicorn's records go through our (JSON) handler
            access_log=False,  # ObservabilityMiddleware writes one line per request
            proxy_headers=True,
            forwarded_allow_ips=ready.forwarded_allow_ips,
            timeout_graceful_shutdown=ready.shutdown_timeout_seconds,
        )


# `crowdhire query`: run a document with crowdhire.client and print the JSON answer


def _variable(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--var must look like key=value, got {text!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw  # not JSON: a plain string


def run_query(file: Path, variables: list[tuple[str, Any]], url: str, token: str | None) -> int:
    """Print the server's answer as JSON; exit status 1 when it carries errors."""
    from crowdhire.client import Client, CrowdhireClientError, GraphQLRequestError  # noqa: PLC0415

    try:
        document = file.read_text()
    except OSError as error:
        sys.exit(f"crowdhire: cannot read {file}: {error.strerror}")
    with Client(url, token) as client:
        try:
            answer: dict[str, Any] = {"data": client.execute(document, dict(variables))}
        except GraphQLRequestError as error:
            answer = {"data": error.data, "errors": error.errors}
        except CrowdhireClientError as error:
            sys.exit(f"crowdhire: {error}")
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return 1 if "errors" in answer else 0


# `crowdhire persist FILES…`: register documents for APQ / safelist mode (hardening)


async def persist_files(settings: Settings, files: list[Path]) -> list[tuple[str, Path]]:
    """Validate and register each document; returns (sha256, file) pairs."""
    from graphql import GraphQLError, parse, validate  # noqa: PLC0415
    from pymongo import AsyncMongoClient  # noqa: PLC0415

    from crowdhire.cache import build_cache  # noqa: PLC0415
    from crowdhire.graphql.persisted import PersistedQueries  # noqa: PLC0415
    from crowdhire.graphql.schema import build_schema  # noqa: PLC0415

    schema = build_schema()._schema
    documents: list[tuple[str, Path]] = []
    for file in files:
        try:
            text = file.read_text()
            errors = validate(schema, parse(text))
        except OSError as error:
            sys.exit(f"crowdhire: cannot read {file}: {error.strerror}")
        except GraphQLError as error:
            errors = [error]
        if errors:
            sys.exit(f"crowdhire: {file} is not a valid document: {errors[0].message}")
        documents.append((text, file))
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    cache = build_cache(settings)
    try:
        await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
        store = PersistedQueries(cache)
        return [(await store.register(text), file) for text, file in documents]
    finally:
        await cache.close()
        await client.close()


async def backfill_embeddings(settings: Settings) -> dict[str, int]:
    """Embed every job and candidate without a vector of the running model version."""
    from pymongo import AsyncMongoClient  # noqa: PLC0415

    from crowdhire.matching.backfill import backfill  # noqa: PLC0415 - loads numpy and the model

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
        return await backfill(progress=sys.stderr.isatty())
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `crowdhire` command."""
    parser = argparse.ArgumentParser(prog="crowdhire", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the API (dev: embedded mongod + demo data)")
    seed = commands.add_parser("seed", help="seed demo data into an empty dev database")
    seed.add_argument("--scale", type=float, default=1.0, help="1 = demo size, 10 = benchmark")
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    query = commands.add_parser("query", help="run a .graphql file against a server; print JSON")
    query.add_argument("file", type=Path, help="the GraphQL document")
    query.add_argument(
        "--var",
        type=_variable,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a variable; VALUE is read as JSON when it parses, else as a string",
    )
    query.add_argument(
        "--url",
        default=os.environ.get("CROWDHIRE_URL", DEFAULT_URL),
        help=f"GraphQL endpoint (default $CROWDHIRE_URL or {DEFAULT_URL})",
    )
    query.add_argument(
        "--token",
        default=os.environ.get("CROWDHIRE_TOKEN"),
        help="bearer token (default $CROWDHIRE_TOKEN; prefer it over this flag)",
    )
    token = commands.add_parser("token", help="print a dev bearer token for a demo user")
    token.add_argument("--as", dest="role", choices=["admin", "recruiter", "company"],
                       default="admin", help="which kind of demo user")  # fmt: skip
    token.add_argument("--sub", help="Auth0 subject to sign in as (default: a seeded user)")
    token.add_argument("--company", help="company slug: sign in as its owner (with --as company)")
    embeddings = commands.add_parser("embeddings", help="matching vectors: backfill")
    embeddings.add_argument("action", choices=["backfill"], help="embed what is missing or stale")
    persist = commands.add_parser("persist", help="register .graphql files as persisted queries")
    persist.add_argument("files", type=Path, nargs="+", help="GraphQL documents to register")
    # Scale-out: the whole deployment on loopback
    from crowdhire.dev.cluster.command import add_arguments as cluster_arguments  # noqa: PLC0415

    cluster_arguments(commands.add_parser("cluster", help="run a local cluster: up|status|down"))
    from crowdhire.backup.cli import register as backup_arguments  # noqa: PLC0415

    backup_arguments(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    if args.command == "cluster":
        from crowdhire.dev.cluster.command import run as run_cluster  # noqa: PLC0415

        sys.exit(run_cluster(args))
    if args.command == "query":
        sys.exit(run_query(args.file, args.var, args.url, args.token))
    if args.command == "schema":
        from crowdhire.graphql.schema import schema_sdl  # noqa: PLC0415

        sys.stdout.write(schema_sdl())
        return
    settings = _settings_or_exit()
    if args.command == "backup":
        from crowdhire.backup.cli import run as run_backup  # noqa: PLC0415

        sys.exit(run_backup(args, settings, database))
    if args.command == "token":
        from crowdhire.dev.tokens import dev_token  # noqa: PLC0415

        print(dev_token(settings, args.role, args.sub, args.company))
        return
    if args.command == "persist":
        with database(settings) as ready:
            for sha256, file in asyncio.run(persist_files(ready, args.files)):
                print(f"{sha256}  {file}")
        return
    if args.command == "embeddings":
        with database(settings) as ready:
            written = asyncio.run(backfill_embeddings(ready))
        print(f"crowdhire: vectors written {written}", flush=True)
        return
    if args.command == "serve":
        serve(settings)
    elif args.command == "seed":
        with database(settings) as ready:
            asyncio.run(seed_if_empty(ready, scale=args.scale))


if __name__ == "__main__":
    main()
