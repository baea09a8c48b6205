"""`make profile`: where variant S spends a request, by pyinstrument, on real servers.

Starts mongod and memcached, loads the dataset, runs crowdhire's app in this process and sends
one scenario's requests through it (warm cache), printing pyinstrument's call tree. Use it
before and after an optimization; `make bench` then measures the effect as ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

import httpx
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from bench.scenarios import read_scenarios
from bench.servers import DB_NAME, admin_token, load_dataset
from crowdhire.dev.servers import MemcachedServer, MongodServer
from crowdhire.server import create_app
from crowdhire.settings import Environment, Settings


def arguments() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--scenario", default="jobs_page")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-cache", action="store_true", help="variant D instead of S")
    parser.add_argument(
        "--no-response-cache", action="store_true", help="variant O (object cache only)"
    )
    parser.add_argument("--flat", action="store_true", help="functions by self time, not a tree")
    return parser.parse_args()


async def profile(
    settings: Settings, bodies: list[bytes], token: str, requests: int, flat: bool
) -> None:
    """Warm up, then profile `requests` sequential requests."""
    app = create_app(settings)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    http = httpx.AsyncClient(transport=transport, base_url="http://bench")
    async with app.router.lifespan_context(app), http as client:
        for body in bodies[:5]:
            response = await client.post("/graphql", content=body, headers=headers)
            response.raise_for_status()
            assert "errors" not in response.json(), response.text[:500]
        profiler = Profiler(interval=0.0005, async_mode="enabled")
        with profiler:
            for index in range(requests):
                body = bodies[index % len(bodies)]
                await client.post("/graphql", content=body, headers=headers)
    renderer = ConsoleRenderer(unicode=True, flat=flat, show_all=flat, time="percent_of_total")
    print(profiler.output(renderer))


def main() -> None:
    """Start the servers, load the data, profile one scenario."""
    args = arguments()
    with tempfile.TemporaryDirectory(prefix="crowdhire-profile-") as tmp:
        data_dir = Path(tmp)
        with MongodServer(data_dir / "db") as mongod, MemcachedServer() as memcached:
            _, candidate_ids = load_dataset(mongod.uri, args.scale)
            scenarios = {s.name: s.bodies for s in read_scenarios(candidate_ids)}
            settings = Settings(
                crowdhire_env=Environment.DEV,
                data_dir=data_dir,
                mongodb_uri=mongod.uri,
                mongodb_db=DB_NAME,
                cost_budget_points=10**12,
                seed_demo=False,
                cache_enabled=not args.no_cache,
                response_cache_enabled=not args.no_response_cache,
                memcached_url=memcached.address,
            )
            os.environ.setdefault("CROWDHIRE_ENV", "dev")
            token = admin_token(data_dir)
            bodies = scenarios[args.scenario]
            asyncio.run(profile(settings, bodies, token, args.requests, args.flat))


if __name__ == "__main__":
    main()
