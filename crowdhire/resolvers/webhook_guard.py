"""Which webhook URLs may be called: the guard against server-side request forgery.

Checked when an endpoint is registered or changed, and again before every attempt, because a
name that resolved to a public address yesterday may resolve to 10.0.0.1 today (DNS
rebinding). The attempt then connects to exactly the address that was checked. In production
only https is allowed; loopback receivers only where a setting allows them, never in
production. URLs carrying credentials are refused: they would be stored and logged as data.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from crowdhire.settings import Environment, Settings

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 5.0
# Cloud metadata services; link-local or private already, named so the rule survives edits.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(Exception):  # noqa: N818 - a verdict carried to the caller, like MutationRefused
    """Why a URL may not be called; `code` is the mutation's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedTarget:
    """A URL that passed the guard and the addresses it may be reached at."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _https_only(settings: Settings) -> bool:
    return settings.crowdhire_env is Environment.PRODUCTION


def _loopback_allowed(settings: Settings) -> bool:
    return settings.webhook_allow_loopback and settings.crowdhire_env is not Environment.PRODUCTION


def parse_url(url: str, settings: Settings) -> SplitResult:
    """The URL's parts if its form is acceptable (scheme, no credentials), else UrlRefused."""
    if len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise UrlRefused(
            "INVALID_URL", f"url must be an absolute URL of at most {MAX_URL_LENGTH} characters"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("INVALID_URL", "url is not a valid URL") from None
    allowed = ("https",) if _https_only(settings) else ("https", "http")
    if parts.scheme not in allowed:
        if parts.scheme == "http":
            raise UrlRefused("HTTPS_REQUIRED", "url must use https")
        raise UrlRefused("INVALID_URL", "url must start with https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlRefused("CREDENTIALS_IN_URL", "url must not carry a user name or password")
    if not parts.hostname:
        raise UrlRefused("INVALID_URL", "url has no host")
    if port == 0:
        raise UrlRefused("INVALID_URL", "url has no valid port")
    return parts


def address_allowed(address: IpAddress, settings: Settings) -> bool:
    """Public unicast addresses only; loopback only when the setting allows it."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return _loopback_allowed(settings)
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


async def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise UrlRefused("UNRESOLVABLE_HOST", "the url's host name does not resolve") from None
    found: list[IpAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


async def check_url(url: str, settings: Settings) -> CheckedTarget:
    """The URL and the addresses to call it at; UrlRefused when any address is not public."""
    parts = parse_url(url, settings)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await _resolve(host, port)
    if not addresses:
        raise UrlRefused("UNRESOLVABLE_HOST", "the url's host name does not resolve")
    # Every address, not just one: the connection could otherwise land on the private one.
    if not all(address_allowed(a, settings) for a in addresses):
        raise UrlRefused(
            "ADDRESS_NOT_ALLOWED",
            "url resolves to a loopback, private, link-local or metadata address",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return CheckedTarget(url, parts.scheme, host, port, path, tuple(str(a) for a in addresses))
