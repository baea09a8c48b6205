"""The GraphiQL page: served from the package's own files, under a strict Content-Security-Policy.

Every script carries a fresh nonce, and nothing may load from another origin, so the page works
offline and a compromised CDN cannot run code next to a partner's bearer token.
"""

from __future__ import annotations

import html
import secrets
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from crowdhire.settings import Settings

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql/assets"
VERSIONS = {"graphiql": "3.8.3", "react": "18.2.0", "@graphiql/plugin-explorer": "1.0.2"}
_PAGE = (ASSETS_DIR / "page.html").read_text(encoding="utf-8")


def content_security_policy(nonce: str) -> str:
    """Same-origin only; scripts and the one inline style block by nonce, no eval.

    GraphiQL, React and the explorer run without `unsafe-eval` (the browser test records every
    CSP violation and expects none). Styles set through the DOM by React are not subject to
    `style-src`, so no `unsafe-inline` is needed either.
    """
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def sign_in_note(settings: Settings) -> str:
    """The HTML note telling a person how to send a bearer token from GraphiQL."""
    if settings.dev_issuer:
        how = (
            "Dev mode: run <code>.venv/bin/crowdhire token --as admin</code> (or "
            "<code>--as recruiter</code>, <code>--as company --company SLUG</code>)"
        )
    else:
        how = "Get an access token for this API from your Auth0 tenant"
    headers = html.escape('{"Authorization": "Bearer <token>"}')
    return (
        f'<div id="crowdhire-sign-in">{how}, then open <b>Headers</b> below '
        f"the editor and paste <code>{headers}</code>. Without a token you are anonymous. "
        "Headers are kept in this browser between reloads.</div>"
    )


def graphiql_page(settings: Settings) -> HTMLResponse:
    """The IDE page with its own nonce and CSP; never cached, since the nonce must not repeat."""
    nonce = secrets.token_urlsafe(18)
    page = (
        _PAGE.replace("{assets}", ASSETS_PATH)
        .replace("{nonce}", nonce)
        .replace("{sign_in_note}", sign_in_note(settings))
    )
    headers = {
        "Content-Security-Policy": content_security_policy(nonce),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(page, headers=headers)


def graphiql_assets() -> StaticFiles:
    """The vendored GraphiQL, React and explorer files (ETag and Last-Modified from StaticFiles)."""
    return StaticFiles(directory=ASSETS_DIR)
