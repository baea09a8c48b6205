"""GET shows what a link lets the person do; POST does it, as the candidate, never as a user.

A POST is refused when it carries any bearer token (a signed-in recruiter, or anyone else, can
not answer for the person), when it comes from another origin, or without the form token that
matches its SameSite=Strict cookie and this link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crowdhire.consent_page import views
from crowdhire.consent_page.csrf import (
    COOKIE_NAME,
    COOKIE_PATH,
    form_token,
    form_token_is_valid,
    is_cookie_value,
    new_cookie_value,
)
from crowdhire.context import build_context
from crowdhire.mail.consent_email import first_name, privacy_url, roles_of
from crowdhire.models.candidates import AutomatedRanking, Candidate, ConsentStatus
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers import consent as consent_rules
from crowdhire.resolvers import privacy as privacy_rules
from crowdhire.resolvers import ranking_choice
from crowdhire.resolvers.consent_links import LinkPurpose, candidate_for_token, read_link
from crowdhire.resolvers.transactions import MutationRefused, Outcome, UserErrorData
from crowdhire.settings import Settings

MAX_FORM_BYTES = 4096
_STATUS_OF_CODE = {"INVALID_TOKEN": 404, "TOKEN_EXPIRED": 410, "FORBIDDEN": 403}
_WORDS_OF_CODE = {
    "TOKEN_USED": "You already answered through this link.",
    "NOT_GRANTED": "Your consent is not currently granted: there is nothing to withdraw.",
    "LEGAL_HOLD": "Your data cannot be erased right now because of a legal obligation."
    " Please contact crowdhire.",
}
_ACTIONS = {
    LinkPurpose.DECIDE: {"grant", "decline"},
    LinkPurpose.REVOKE: {"revoke"},
    LinkPurpose.ERASE: {"erase"},
    LinkPurpose.RANKING: {"ranking-opt-out", "ranking-allow"},
}
_RANKING_CHOICES = {
    "ranking-opt-out": AutomatedRanking.OPTED_OUT,
    "ranking-allow": AutomatedRanking.ALLOWED,
}
_DONE = {
    "grant": "Thank you. {recruiter} may now represent you; the link in your email lets you"
    " withdraw this at any time.",
    "decline": "You declined. {recruiter} cannot put you forward for any job.",
    "revoke": "Your consent is withdrawn. {recruiter} cannot put you forward for new jobs.",
    "erase": "Everything crowdhire stored about you is erased.",
    "ranking-opt-out": "You opted out of automated ranking: the software no longer ranks you"
    " for jobs, and what it computed from your profile is deleted. The same link lets you"
    " allow it again.",
    "ranking-allow": "Automated ranking is allowed again: the software may suggest you for"
    " jobs. The same link lets you opt out at any time.",
}


def _services(request: Request) -> Any:
    return request.app.state.services


def _refusal(error: UserErrorData) -> Response:
    words = _WORDS_OF_CODE.get(error.code, error.message)
    status = _STATUS_OF_CODE.get(error.code, 409)
    return views.message_page("This link cannot be used", words, status)


async def _asker(settings: Settings, candidate: Candidate) -> views.Asker:
    recruiter = await Recruiter.get(candidate.recruiter_id)
    return views.Asker(
        first_name=first_name(candidate.full_name),
        recruiter=recruiter.display_name if recruiter else "A recruiter",
        roles=roles_of(recruiter),
        privacy_url=privacy_url(settings),
    )


async def _linked(settings: Settings, token: str) -> tuple[Candidate, LinkPurpose]:
    _, _, purpose = read_link(settings, token)
    return await candidate_for_token(settings, token, purpose), purpose


async def show(request: Request) -> Response:
    """The page of one link: the choice it offers, or why it cannot be used."""
    settings: Settings = _services(request).settings
    token = request.path_params["token"]
    try:
        candidate, purpose = await _linked(settings, token)
    except MutationRefused as refused:
        return _refusal(refused.errors[0])
    asker = await _asker(settings, candidate)
    consent = candidate.consent
    cookie = request.cookies.get(COOKIE_NAME)
    cookie = cookie if is_cookie_value(cookie) else new_cookie_value()
    assert cookie is not None
    action, csrf = f"/consent/{token}", form_token(settings, cookie, token)
    if purpose is LinkPurpose.DECIDE and consent.link_decided:
        answer = "granted" if consent.status is ConsentStatus.GRANTED else "answered"
        response = views.message_page("Consent to be represented", f"You already {answer}.")
    elif purpose is LinkPurpose.DECIDE:
        response = views.decide_page(asker, action, csrf)
    elif purpose is LinkPurpose.REVOKE and consent.status is not ConsentStatus.GRANTED:
        response = views.message_page("Withdraw your consent", _WORDS_OF_CODE["NOT_GRANTED"])
    elif purpose is LinkPurpose.REVOKE:
        response = views.revoke_page(asker, action, csrf)
    elif purpose is LinkPurpose.RANKING:
        opted_out = candidate.automated_ranking is AutomatedRanking.OPTED_OUT
        response = views.ranking_page(asker, opted_out, action, csrf)
    else:
        response = views.erase_page(asker, action, csrf)
    secure = settings.public_origin.startswith("https://")
    response.set_cookie(COOKIE_NAME, cookie, path=COOKIE_PATH, httponly=True, secure=secure,
                        samesite="strict", max_age=3600)  # fmt: skip
    return response


def _same_origin(request: Request, settings: Settings) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin is None or origin in {settings.public_origin, own}


async def _form(request: Request) -> dict[str, str] | None:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("ascii"), max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items() if len(values) == 1}


async def _act(request: Request, candidate: Candidate, token: str, decision: str) -> Outcome:
    services = _services(request)
    assert candidate.id is not None
    actor = consent_rules.candidate_actor(candidate.id)
    context = build_context(services.settings, services.cache, viewer=actor, request=request)
    context.matching = services.matching  # an opt-out leaves this instance's index at once
    if decision in {"grant", "decline"}:
        status = ConsentStatus.GRANTED if decision == "grant" else ConsentStatus.DECLINED
        return await consent_rules.confirm_consent(context, token, status, None)
    if decision == "revoke":
        return await consent_rules.revoke_consent(context, token, None, None)
    if decision in _RANKING_CHOICES:
        return await ranking_choice.choose_by_link(context, token, _RANKING_CHOICES[decision])
    return await privacy_rules.erase_candidate(context, None, token, None)


async def decide(request: Request) -> Response:
    """Record the person's choice (same-site form token required; signed-in callers refused)."""
    settings: Settings = _services(request).settings
    token = request.path_params["token"]
    if "authorization" in request.headers:
        return views.message_page(
            "Not allowed", "Only the person this email went to can answer, never a signed-in"
            " user: open the link from the email in a browser.", 403,
        )  # fmt: skip
    form = await _form(request)
    if not _same_origin(request, settings) or form is None:
        return views.message_page("Not allowed", "This request did not come from the page.", 403)
    cookie = request.cookies.get(COOKIE_NAME)
    if not form_token_is_valid(settings, cookie, token, form.get("csrf")):
        words = "This form has expired. Open the link from your email again."
        return views.message_page("Please try again", words, 403)
    try:
        candidate, purpose = await _linked(settings, token)
    except MutationRefused as refused:
        return _refusal(refused.errors[0])
    decision = form.get("decision", "")
    if decision not in _ACTIONS[purpose]:
        return views.message_page("Please try again", "Choose one of the buttons.", 400)
    asker = await _asker(settings, candidate)
    outcome = await _act(request, candidate, token, decision)
    if outcome.errors:
        return _refusal(outcome.errors[0])
    return views.message_page("Done", _DONE[decision].format(recruiter=asker.recruiter))


async def privacy(_: Request) -> Response:
    """The built-in privacy notice the page links to when PRIVACY_NOTICE_URL is unset."""
    return views.privacy_page()


def consent_routes() -> list[Route]:
    """The consent page's routes, for the app's route table."""
    return [
        Route("/consent/{token}", show, methods=["GET"]),
        Route("/consent/{token}", decide, methods=["POST"]),
        Route("/privacy", privacy, methods=["GET"]),
    ]
