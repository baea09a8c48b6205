"""A real browser for the tests: Debian's chromium driven by Playwright, cut off from the network.

Playwright's own browser download is never used (`executable_path`). Chromium sends everything
but loopback to a proxy that does not exist, so nothing can leave the machine; `loopback_only`
additionally records what a page tried to fetch from elsewhere, so a test can assert it was nothing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Route, async_playwright
from starlette.types import ASGIApp

from crowdhire.dev.servers import free_port
from tests.uvicorn_support import started

CHROMIUM = "/usr/bin/chromium"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ARTIFACTS_DIR = Path(os.environ.get("TEST_ARTIFACTS_DIR", "test-artifacts"))


@dataclass
class OfflineBrowser:
    """A headless chromium plus the off-machine requests its pages tried."""

    browser: Browser
    blocked: list[str] = field(default_factory=list)

    async def loopback_only(self, route: Route) -> None:
        """Let loopback through; abort and record everything else."""
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort("internetdisconnected")


@asynccontextmanager
async def offline_chromium() -> AsyncIterator[OfflineBrowser]:
    """Headless Debian chromium; contexts made with `new_context` get the loopback-only route."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            # Chromium never proxies loopback, so only off-machine requests hit the dead proxy.
            args=["--no-sandbox", "--disable-gpu", f"--proxy-server=127.0.0.1:{free_port()}"],
        )
        try:
            yield OfflineBrowser(browser)
        finally:
            await browser.close()


@asynccontextmanager
async def served(app: ASGIApp, port: int | None = None) -> AsyncIterator[str]:
    """The app under a real uvicorn on a (free) loopback port; yields its base URL."""
    async with started(app, port=port) as url:
        yield url
