"""HTML of the consent page: every value escaped, one inline style allowed by its hash."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1b1b1b}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem}"
    ".muted{color:#555;font-size:.9rem}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The token is in the URL: no Referer may carry it to the privacy notice or anywhere else.
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Asker:
    """What the page may say: the person's first name, who asks, for which roles."""

    first_name: str
    recruiter: str
    roles: str
    privacy_url: str


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole document with the page's security headers."""
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=HEADERS)


def _privacy(asker: Asker) -> str:
    url = escape(asker.privacy_url, quote=True)
    link = f'<a href="{url}" rel="noreferrer">How crowdhire handles your data</a>'
    return f'<p class="muted">{link}</p>'


def _form(action: str, csrf: str, buttons: list[tuple[str, str]]) -> str:
    fields = "".join(
        f'<button type="submit" name="decision" value="{escape(value, quote=True)}">'
        f"{escape(label)}</button>"
        for value, label in buttons
    )
    return (
        f'<form method="post" action="{escape(action, quote=True)}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf, quote=True)}">{fields}</form>'
    )


def decide_page(asker: Asker, action: str, csrf: str) -> HTMLResponse:
    """Grant or decline."""
    body = (
        f"<p>Hello {escape(asker.first_name)},</p>"
        f"<p><strong>{escape(asker.recruiter)}</strong>, an independent recruiter on crowdhire,"
        f" asks for your consent to represent you to employers for {escape(asker.roles)}.</p>"
        "<p>If you grant it, they may put you forward for jobs. You can withdraw it at any time"
        " with the link in the same email.</p>"
        + _form(action, csrf, [("grant", "Grant consent"), ("decline", "Decline")])
        + _privacy(asker)
    )
    return page("Consent to be represented", body)


def revoke_page(asker: Asker, action: str, csrf: str) -> HTMLResponse:
    """Withdraw granted consent."""
    body = (
        f"<p>Hello {escape(asker.first_name)},</p>"
        f"<p>You consented to be represented by <strong>{escape(asker.recruiter)}</strong>."
        " Withdrawing stops them putting you forward for any new job.</p>"
        + _form(action, csrf, [("revoke", "Withdraw consent")])
        + _privacy(asker)
    )
    return page("Withdraw your consent", body)


def erase_page(asker: Asker, action: str, csrf: str) -> HTMLResponse:
    """Erase everything stored about the person."""
    body = (
        f"<p>Hello {escape(asker.first_name)},</p>"
        "<p>This erases your profile, contact details and consent history at crowdhire, and the"
        f" notes {escape(asker.recruiter)} and employers wrote about you. It cannot be undone.</p>"
        + _form(action, csrf, [("erase", "Erase my data")])
        + _privacy(asker)
    )
    return page("Erase your data", body)


def ranking_page(asker: Asker, opted_out: bool, action: str, csrf: str) -> HTMLResponse:
    """Opt out of automated ranking, or back in."""
    if opted_out:
        state = "You opted out: the software does not rank your profile for any job."
        button = ("ranking-allow", "Allow automated ranking again")
    else:
        state = "The software currently ranks your profile against open jobs."
        button = ("ranking-opt-out", "Opt out of automated ranking")
    body = (
        f"<p>Hello {escape(asker.first_name)},</p>"
        f"<p>crowdhire's matching software suggests to {escape(asker.recruiter)} which jobs may"
        " suit you, from your skills, experience and profile text. Its scores are advice:"
        " people decide. Opting out deletes what the software computed from your profile and"
        f" leaves {escape(asker.recruiter)} free to represent you by hand.</p>"
        f"<p><strong>{escape(state)}</strong></p>" + _form(action, csrf, [button]) + _privacy(asker)
    )
    return page("Automated ranking", body)


def message_page(title: str, message: str, status: int = 200) -> HTMLResponse:
    """An outcome or a refusal, in words."""
    return page(title, f"<p>{escape(message)}</p>", status)


PRIVACY_NOTICE = (
    "<p>crowdhire stores what an independent recruiter enters about you (name, contact details,"
    " skills, profile links) only to represent you to employers, and only once you consent.</p>"
    "<p>Employers see your contact details only after you consented and an interview started."
    " You can withdraw consent, and erase everything stored about you, with the links in the"
    " email you received; the recruiter can also export all of it for you.</p>"
)


def privacy_page() -> HTMLResponse:
    """The built-in short privacy notice (PRIVACY_NOTICE_URL points elsewhere in production)."""
    return page("Your data at crowdhire", PRIVACY_NOTICE)
