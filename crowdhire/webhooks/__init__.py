"""Outbound webhooks: fan-out from the outbox to deliveries, signed attempts on the task queue."""
