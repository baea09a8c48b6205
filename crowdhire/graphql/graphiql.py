"""The GraphiQL page, with a note on how to sign in (dev mode: where tokens come from)."""

from __future__ import annotations

import html

from crowdhire.settings import Settings

_STYLE = (
    "position:fixed;bottom:8px;right:8px;z-index:9;max-width:440px;padding:8px 12px;"
    "font:13px/1.4 system-ui,sans-serif;background:#fff8c5;border:1px solid #d4a72c;"
    "border-radius:6px;color:#3b2300"
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
        f'<div id="crowdhire-sign-in" style="{_STYLE}">{how}, then open <b>Headers</b> below '
        f"the editor and paste <code>{headers}</code>. Without a token you are anonymous.</div>"
    )


def with_sign_in_note(page: str, settings: Settings) -> str:
    """GraphiQL's page with the sign-in note added before `</body>`."""
    return page.replace("</body>", sign_in_note(settings) + "</body>", 1)
