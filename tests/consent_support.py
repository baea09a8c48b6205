"""The person's side of consent: read the email off the SMTP server, open the page, press."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from jose import jwt
from starlette.applications import Starlette

from crowdhire.dev.smtp import DevSmtpServer, ReceivedMail
from crowdhire.models import Candidate
from tests.support import global_id, gql

REQUEST = """mutation($input: RequestCandidateConsentInput!) {
  requestCandidateConsent(input: $input) {
    candidate { id consent { status requestedAt lastSentAt } }
    userErrors { field code message }
  }
}"""
RESEND = """mutation($input: ResendCandidateConsentInput!) {
  resendCandidateConsent(input: $input) {
    candidate { consent { status requestedAt lastSentAt } }
    userErrors { field code message }
  }
}"""
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@dataclass(frozen=True)
class Email:
    """A consent email as the person received it, with its links by purpose."""

    mail: ReceivedMail
    decide: str
    revoke: str
    erase: str
    ranking: str

    def token(self, purpose: str = "decide") -> str:
        """The token inside one of the links."""
        url: str = getattr(self, purpose)
        return url.rsplit("/", 1)[1]


async def ask(client: httpx.AsyncClient, token: str, candidate: Candidate) -> dict[str, object]:
    """The recruiter requests consent; the payload (user errors asserted empty)."""
    data = (
        await gql(
            client,
            REQUEST,
            {"input": {"candidateId": global_id("Candidate", candidate)}},
            as_=token,
        )
    )["data"]
    result: dict[str, object] = data["requestCandidateConsent"]
    assert result["userErrors"] == [], result
    return result


async def delivered(app: Starlette, mailbox: DevSmtpServer, address: str) -> Email:
    """Run the queued emails, then the newest message the SMTP server got for `address`."""
    await app.state.services.worker.drain()
    mail = await mailbox.wait_for(address)
    by_purpose = {}
    for link in mail.links():
        if "/consent/" in link:
            by_purpose[jwt.get_unverified_claims(link.rsplit("/", 1)[1])["use"]] = link
    return Email(mail, by_purpose["decide"], by_purpose["revoke"], by_purpose["erase"],
                 by_purpose["ranking"])  # fmt: skip


async def open_page(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, str | None]:
    """GET the link as a browser would; the page and its form token (None without a form)."""
    page = await client.get(url)
    found = _CSRF.search(page.text)
    return page, found.group(1) if found else None


async def press(
    client: httpx.AsyncClient, url: str, decision: str, **headers: str
) -> httpx.Response:
    """Open the page and submit one of its buttons, with the page's form token."""
    _, csrf = await open_page(client, url)
    assert csrf is not None
    return await client.post(url, data={"csrf": csrf, "decision": decision}, headers=headers)
