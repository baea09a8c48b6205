"""GraphiQL as a partner meets it, in headless chromium with the network cut to loopback."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page

from crowdhire.graphql.graphiql import ASSETS_PATH
from crowdhire.server import create_app
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.browser_support import ARTIFACTS_DIR, OfflineBrowser, offline_chromium, served
from tests.factories import make_jobs_page_graph

JOBS_PAGE = """{ jobs(first: 20, filter: { status: [OPEN] }) {
    totalCount
    edges { cursor node { title company { name } submissions(first: 10) {
      totalCount nodes { stage candidate { fullName skills } recruiter { displayName } } } } }
    pageInfo { hasNextPage endCursor } } }"""

VISIBLE_TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"

# Records every CSP violation the page reports, before any of its scripts runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    """The app (GraphiQL on) under uvicorn on loopback; its database dropped afterwards."""
    app = create_app(settings.model_copy(update={"crowdhire_graphiql": True}))
    async with served(app) as url:
        try:
            yield url
        finally:
            await app.state.services.mongo.drop_database(settings.mongodb_db)


@pytest.fixture
async def chromium() -> AsyncIterator[OfflineBrowser]:
    """Debian's headless chromium, loopback only."""
    async with offline_chromium() as browser:
        yield browser


async def editor_text(page: Page, selector: str) -> str:
    """The text of the CodeMirror editor inside `selector`."""
    text: str = await page.eval_on_selector(
        f"{selector} .CodeMirror", "node => node.CodeMirror.getValue()"
    )
    return text


async def response_text(page: Page) -> str:
    """The result pane's text once an answer arrived (polled: the CSP forbids page-side eval)."""
    for _ in range(200):
        text = await editor_text(page, ".graphiql-response")
        if text.strip():
            return text
        await page.wait_for_timeout(50)
    raise AssertionError("GraphiQL showed no result")


async def replace_editor_text(page: Page, selector: str, text: str) -> None:
    """Click into the editor, select everything and type `text` (inserted as typed input)."""
    await page.click(f"{selector} .CodeMirror")
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)


async def test_graphiql_runs_the_jobs_page_query_offline_under_a_strict_csp(
    base_url: str, chromium: OfflineBrowser, issuer: Issuer
) -> None:
    jobs = await make_jobs_page_graph(jobs=3, submissions_per_job=2)
    context = await chromium.browser.new_context(viewport={"width": 1400, "height": 900})
    await context.route("**/*", chromium.loopback_only)
    await context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = await context.new_page()

    response = await page.goto(f"{base_url}/graphql", wait_until="networkidle")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp and "http" not in csp
    await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    note = await page.inner_text("#crowdhire-sign-in")
    assert "access token" in note and '{"Authorization": "Bearer <token>"}' in note

    await page.get_by_role("button", name="Headers").click()
    token_headers = json.dumps({"Authorization": f"Bearer {issuer.admin_token()}"})
    await replace_editor_text(page, VISIBLE_TOOL_EDITOR, token_headers)
    await page.wait_for_timeout(600)  # GraphiQL stores editor contents after a short debounce
    await page.reload(wait_until="networkidle")
    await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    await page.get_by_role("button", name="Headers").click()
    assert json.loads(await editor_text(page, VISIBLE_TOOL_EDITOR)) == json.loads(token_headers)

    await replace_editor_text(page, ".graphiql-query-editor", JOBS_PAGE)
    await page.click(".graphiql-execute-button")
    result = json.loads(await response_text(page))
    assert "errors" not in result
    assert result["data"]["jobs"]["totalCount"] == 3
    shown = {edge["node"]["title"] for edge in result["data"]["jobs"]["edges"]}
    assert shown == {job.title for job in jobs}
    first = result["data"]["jobs"]["edges"][0]["node"]["submissions"]
    assert first["totalCount"] == 2 and first["nodes"][0]["candidate"]["fullName"]
    await page.wait_for_timeout(300)

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS_DIR / "graphiql-jobs-page.png"
    await page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    assert await page.evaluate("window.__cspViolations") == []
    assert chromium.blocked == []  # the page never tried to leave the machine
    await context.close()


# The SRI digests unpkg.com publishes for these exact builds (Strawberry's CDN page pins them).
PINNED_SHA384 = {
    "react.production.min.js": "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom.production.min.js": (
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"
    ),
    "graphiql.min.js": "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql.min.css": "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    "plugin-explorer.umd.js": "2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    "plugin-explorer.css": "5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
}


async def test_the_served_assets_are_the_pinned_builds_with_their_licences(
    base_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for name, digest in PINNED_SHA384.items():
            asset = await http.get(f"{ASSETS_PATH}/{name}")
            assert asset.status_code == 200, name
            assert base64.b64encode(hashlib.sha384(asset.content).digest()).decode() == digest
        for package in ("react", "react-dom", "graphiql", "plugin-explorer"):
            licence = await http.get(f"{ASSETS_PATH}/licenses/{package}.LICENSE")
            assert licence.status_code == 200 and "MIT License" in licence.text
