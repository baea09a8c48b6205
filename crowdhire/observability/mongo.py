"""MongoDB commands counted and timed through PyMongo command monitoring."""

from __future__ import annotations

from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from crowdhire.observability.stats import record_external_call

# Connection handshakes and session bookkeeping are the driver's, not calls the API made.
_DRIVER_COMMANDS = frozenset(
    {"hello", "ismaster", "isMaster", "saslStart", "saslContinue", "endSessions", "buildInfo"}
)


class MongoMetrics(CommandListener):
    """Reports every MongoDB command (latency, failures) as an external call to "mongodb"."""

    def started(self, event: CommandStartedEvent) -> None:
        """Nothing to do until the command ends."""

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """One successful call, with the driver's measured duration."""
        if event.command_name not in _DRIVER_COMMANDS:
            record_external_call("mongodb", event.duration_micros / 1e6)

    def failed(self, event: CommandFailedEvent) -> None:
        """One failed call."""
        if event.command_name not in _DRIVER_COMMANDS:
            record_external_call("mongodb", event.duration_micros / 1e6, ok=False)
