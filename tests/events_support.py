"""Helpers the event tests share: call a mutation by name, read the outbox in order."""

from __future__ import annotations

from typing import Any

import httpx

from crowdhire.models.events import EventType, OutboxEvent
from tests.support import gql


async def mutate(
    client: httpx.AsyncClient, name: str, values: dict[str, Any], token: str | None
) -> list[dict[str, Any]]:
    """Run one mutation through the API; its userErrors."""
    input_type = f"{name[0].upper()}{name[1:]}Input"
    document = f"""mutation($input: {input_type}!) {{
      {name}(input: $input) {{ userErrors {{ field code message }} }} }}"""
    body = await gql(client, document, {"input": values}, as_=token)
    errors: list[dict[str, Any]] = body["data"][name]["userErrors"]
    return errors


async def outbox() -> list[OutboxEvent]:
    """Every event in position order."""
    return await OutboxEvent.find_all().sort("position").to_list()


async def events_of(event_type: EventType) -> list[OutboxEvent]:
    """The events of one type, in position order."""
    return await OutboxEvent.find(OutboxEvent.type == event_type).sort("position").to_list()
