"""The consent request email (plain text and HTML) and the background task that sends it.

The task's payload holds the candidate id and the nonce of the link to send, never a token: the
handler signs the links itself, and drops the task when a newer request replaced that nonce.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from string import Template
from typing import Any

from bson import ObjectId

from crowdhire.cache import ObjectCache
from crowdhire.loaders.base import CachedKind, object_key
from crowdhire.mail.smtp import send_message
from crowdhire.models.candidates import Candidate
from crowdhire.models.common import utcnow
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers.consent_links import LinkPurpose, link_url, sign_link
from crowdhire.settings import Settings
from crowdhire.tasks.worker import Handler

TEXT = Template("""Hello $first_name,

$recruiter, an independent recruiter on crowdhire, asks for your consent to represent you
to employers for $roles.

Until you agree, they cannot put you forward for any job. Decide here (grant or decline):
$decide

How crowdhire handles your data: $privacy

Later, the same email lets you
- withdraw your consent: $revoke
- erase everything crowdhire stores about you: $erase
- opt out of (or back into) automated ranking, the software that suggests you for jobs: $ranking

These links work until $expires. If you do not know $recruiter, decline or ignore this email.
""")
HTML = Template("""<!doctype html>
<html lang="en"><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello $first_name,</p>
<p><strong>$recruiter</strong>, an independent recruiter on crowdhire, asks for your consent
to represent you to employers for $roles.</p>
<p>Until you agree, they cannot put you forward for any job.</p>
<p><a href="$decide">Grant or decline consent</a></p>
<p><a href="$privacy">How crowdhire handles your data</a></p>
<p>Later, this email lets you <a href="$revoke">withdraw your consent</a> or
<a href="$erase">erase everything crowdhire stores about you</a>, and
<a href="$ranking">opt out of (or back into) automated ranking</a>, the software that suggests
you for jobs.</p>
<p>These links work until $expires. If you do not know $recruiter, decline or ignore this
email.</p>
</body></html>
""")


def first_name(full_name: str) -> str:
    """The only part of the person's name the email and the page show."""
    return (full_name.split() or ["there"])[0]


def roles_of(recruiter: Recruiter | None) -> str:
    """The kind of roles the recruiter works on (their specialties)."""
    if recruiter is None or not recruiter.specialties:
        return "the roles they recruit for"
    return "roles in " + ", ".join(recruiter.specialties[:10])


def privacy_url(settings: Settings) -> str:
    """The privacy notice: PRIVACY_NOTICE_URL, else the built-in summary page."""
    return settings.privacy_notice_url or f"{settings.public_origin}/privacy"


def consent_message(
    settings: Settings, candidate: Candidate, recruiter: Recruiter | None
) -> EmailMessage:
    """The request email for the candidate's current link."""
    assert candidate.email and candidate.consent.link_expires_at
    expires: datetime = candidate.consent.link_expires_at
    values: dict[str, str] = {
        "first_name": first_name(candidate.full_name),
        "recruiter": recruiter.display_name if recruiter else "A recruiter",
        "roles": roles_of(recruiter),
        "privacy": privacy_url(settings),
        "expires": expires.strftime("%d %B %Y, %H:%M UTC"),
    }
    for purpose in LinkPurpose:
        values[purpose.value] = link_url(settings, sign_link(settings, candidate, purpose))
    message = EmailMessage()
    message["Subject"] = f"{values['recruiter']} asks to represent you on crowdhire"
    message["From"] = settings.smtp_from
    message["To"] = candidate.email
    message["Message-ID"] = make_msgid(domain="crowdhire.invalid")
    message.set_content(TEXT.substitute(values))
    escaped = {name: html.escape(value, quote=True) for name, value in values.items()}
    message.add_alternative(HTML.substitute(escaped), subtype="html")
    return message


def consent_email_handler(settings: Settings, cache: ObjectCache) -> Handler:
    """The handler of queued consent emails."""

    async def send(payload: Mapping[str, Any]) -> None:
        candidate_id, nonce = ObjectId(payload["candidate"]), str(payload["nonce"])
        candidate = await Candidate.get(candidate_id)
        if (
            candidate is None
            or candidate.erased_at is not None
            or candidate.consent.link_nonce != nonce
            or not candidate.email
        ):
            return  # replaced by a newer request, or the person is gone: nothing to send
        recruiter = await Recruiter.get(candidate.recruiter_id)
        await send_message(settings, consent_message(settings, candidate, recruiter))
        await Candidate.get_pymongo_collection().update_one(
            {"_id": candidate_id, "consent.link_nonce": nonce},
            {"$set": {"consent.last_sent_at": utcnow()}},
        )
        # the response cache hears of the write from the worker's task footprint
        await cache.delete_many([object_key(CachedKind.CANDIDATES, candidate_id)])

    return send
