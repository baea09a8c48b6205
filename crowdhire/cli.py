"""The `crowdhire` command: serve | seed | schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from beanie import init_beanie
from pydantic import ValidationError

from crowdhire.models import DOCUMENT_MODELS
from crowdhire.settings import Settings, load_settings

log = logging.getLogger("crowdhire.cli")


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
    from crowdhire.devservers import MongodServer  # noqa: PLC0415 - dev-only dependency

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

    from crowdhire.seed import database_is_empty, seed_demo  # noqa: PLC0415

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
    from crowdhire.server import create_app  # noqa: PLC0415 - keeps `schema` fast

    with database(settings) as ready:
        if ready.is_dev and ready.seed_demo:
            asyncio.run(seed_if_empty(ready))
        print(f"crowdhire: GraphiQL at http://{ready.host}:{ready.port}/graphql", flush=True)
        uvicorn.run(create_app(ready), host=ready.host, port=ready.port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `crowdhire` command."""
    parser = argparse.ArgumentParser(prog="crowdhire", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the API (dev: embedded mongod + demo data)")
    seed = commands.add_parser("seed", help="seed demo data into an empty dev database")
    seed.add_argument("--scale", type=float, default=1.0, help="1 = demo size, 10 = benchmark")
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    if args.command == "schema":
        from crowdhire.schema import schema_sdl  # noqa: PLC0415

        sys.stdout.write(schema_sdl())
        return
    settings = _settings_or_exit()
    if args.command == "serve":
        serve(settings)
    elif args.command == "seed":
        with database(settings) as ready:
            asyncio.run(seed_if_empty(ready, scale=args.scale))


if __name__ == "__main__":
    main()
