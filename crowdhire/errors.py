"""The exceptions crowdhire raises on purpose, and how clients see them.

    CrowdhireError                 expected; message and code reach the client
    ├── BadUserInputError          an argument is malformed (names the argument)
    │   └── InvalidCursorError     a cursor is not one this connection issued
    ├── UnauthenticatedError       the operation needs a signed-in viewer
    ├── ForbiddenError             the viewer may not see or do this
    └── ConfigurationError         settings are unusable; start-up stops

Anything else is unexpected: clients get "Unexpected error" and an error id that the
server log repeats next to the traceback.
"""

from __future__ import annotations

from typing import Any


class CrowdhireError(Exception):
    """An expected failure whose message is safe to show to the client."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInputError(CrowdhireError):
    """An argument value is invalid; `argument` names it."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message, argument=argument)


class InvalidCursorError(BadUserInputError):
    """A pagination cursor is malformed, stale or from another connection."""


class UnauthenticatedError(CrowdhireError):
    """The operation needs a signed-in viewer."""

    code = "UNAUTHENTICATED"


class ForbiddenError(CrowdhireError):
    """The viewer may not see or change this."""

    code = "FORBIDDEN"


class ConfigurationError(CrowdhireError):
    """Settings are unusable; raised at start-up only."""

    code = "CONFIGURATION"
