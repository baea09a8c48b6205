"""Domain events: the outbox every realtime transport reads."""
