"""A webhook worker in a process of its own (settings from the environment), for the test that
kills one with SIGKILL in the middle of a delivery."""

from __future__ import annotations

import asyncio

from beanie import init_beanie

from crowdhire.models import DOCUMENT_MODELS
from crowdhire.server import mongo_client
from crowdhire.settings import load_settings
from crowdhire.tasks.worker import TaskWorker
from crowdhire.webhooks.service import WebhookService


async def main() -> None:
    """Claim and run webhook attempts until killed."""
    settings = load_settings()
    client = mongo_client(settings)
    await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
    webhooks = WebhookService(settings)
    worker = TaskWorker(
        webhooks.handlers(), poll_seconds=0.05, lease_seconds=settings.worker_lease_seconds
    )
    worker.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
