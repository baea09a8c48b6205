"""A real SMTP server on loopback (aiosmtpd) for tests and `make run`: it keeps what it receives.

aiosmtpd's Controller serves from its own thread and event loop, so the app's aiosmtplib client
talks to it over TCP exactly as it would to SES, Postmark or a relay. In dev, `make run` prints
the links of every message it receives, since no mail leaves the machine.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from crowdhire.dev.servers import HOST, free_port
from crowdhire.settings import Settings

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class ReceivedMail:
    """One delivered message: the envelope's recipients and the parsed message."""

    recipients: tuple[str, ...]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the `plain` or `html` part."""
        body = self.message.get_body(preferencelist=(subtype,))
        if body is None:
            raise LookupError(f"no text/{subtype} part")
        content: str = body.get_content()
        return content

    def links(self) -> list[str]:
        """Every URL in the plain-text part, in order."""
        return _LINK.findall(self.part("plain"))


class _Inbox:
    """aiosmtpd's handler: keeps each message (thread-safe) and tells a listener."""

    def __init__(self, on_message: Callable[[ReceivedMail], None] | None) -> None:
        self.messages: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self.on_message = on_message

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        parsed: Any = email.message_from_bytes(data, policy=email.policy.default)
        mail = ReceivedMail(tuple(envelope.rcpt_tos), parsed)
        with self.lock:
            self.messages.append(mail)
        if self.on_message is not None:
            self.on_message(mail)
        return "250 Message accepted for delivery"


class DevSmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port; start() / stop() or a context manager."""

    def __init__(
        self, port: int | None = None, on_message: Callable[[ReceivedMail], None] | None = None
    ) -> None:
        self.port = port or free_port()
        self._inbox = _Inbox(on_message)
        self._controller = Controller(self._inbox, hostname=HOST, port=self.port)

    @property
    def url(self) -> str:
        """The SMTP_URL that reaches this server."""
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> Self:
        """Serve from a background thread until stop()."""
        # aiosmtpd logs every SMTP command at INFO: noise beside the links printed in dev.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop serving (the messages stay readable)."""
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[ReceivedMail]:
        """Everything received so far, oldest first."""
        with self._inbox.lock:
            return list(self._inbox.messages)

    def clear(self) -> None:
        """Forget what was received (between tests)."""
        with self._inbox.lock:
            self._inbox.messages.clear()

    async def wait_for(self, recipient: str, seconds: float = 10.0) -> ReceivedMail:
        """The newest message to `recipient`, waiting up to `seconds` for one."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.messages if recipient in m.recipients]
            if found:
                return found[-1]
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no email to {recipient} within {seconds} s")


def _print_links(mail: ReceivedMail) -> None:
    subject = mail.message.get("Subject", "")
    lines = [f"crowdhire: dev mail to {', '.join(mail.recipients)}: {subject}"]
    lines += [f"    {link}" for link in mail.links()]
    print("\n".join(lines), flush=True)


@contextmanager
def dev_smtp(settings: Settings) -> Iterator[Settings]:
    """`make run` in dev without SMTP_URL: a loopback SMTP server that prints the links it gets."""
    if not settings.is_dev or settings.smtp_url is not None:
        yield settings
        return
    server = DevSmtpServer(on_message=_print_links)
    server.start()
    print(f"crowdhire: dev SMTP server at {server.url}; links sent by email print here", flush=True)
    try:
        yield settings.model_copy(update={"smtp_url": server.url})
    finally:
        server.stop()
