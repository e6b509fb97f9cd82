"""The browser phone: a referent chooses where she is rung, and her console takes calls with
Twilio's Voice JavaScript SDK (served from here, never from a CDN) and an access token
minted here, short-lived, for her browser's identity only (core.browser_phone)."""

from __future__ import annotations

import secrets

from aiohttp import web
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.duty import department_of
from frontdoor.console.headers import PHONE_HEADERS
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.browser_phone import (
    IDENTITY_HEX_DIGITS,
    IDENTITY_PREFIX,
    REACH_LABELS,
    TokenGrant,
    reach_changed,
    token_grant,
)
from frontdoor.core.department import Department
from frontdoor.core.roster import Reach, Referent
from frontdoor.core.team import TeamRefused
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS, STORE_COPIES
from frontdoor.kit.bodies import MAX_ID, read_form
from frontdoor.settings import Settings
from frontdoor.store.audit import record_access
from frontdoor.store.team_changes import record_change

SDK_FILE = "twilio.min.js"
SDK_PATH = f"/static/voice-sdk/{SDK_FILE}"
TOKEN_ACTION = "browser-phone-token"


def ready(settings: Settings, department: Department) -> str | None:
    """Why the browser phone cannot work for this department, in French; None when it can."""
    if department.twilio is not None:
        return "pas encore pour un département qui a son propre sous-compte Twilio"
    if not (
        settings.twilio_account_sid
        and settings.twilio_api_key_sid
        and settings.twilio_api_key_secret
        and settings.twilio_twiml_app_sid
    ):
        return "le compte Twilio n'a pas de clé d'API ni d'application TwiML configurées"
    return None


def mint_token(settings: Settings, grant: TokenGrant) -> str:
    """A Twilio access token with a voice grant for this identity: calls placed from the
    browser go to the TwiML App; calls reach it only if her choice includes the browser."""
    assert settings.twilio_api_key_secret is not None
    token = AccessToken(
        settings.twilio_account_sid,
        settings.twilio_api_key_sid,
        settings.twilio_api_key_secret.get_secret_value(),
        identity=grant.identity,
        ttl=grant.ttl_s,
    )
    token.add_grant(
        VoiceGrant(
            outgoing_application_sid=settings.twilio_twiml_app_sid,
            incoming_allow=grant.incoming,
        )
    )
    return token.to_jwt()


def _referent(request: web.Request, department: Department) -> Referent | None:
    referent_id = viewer_of(request).referent_id
    return department.referents.get(referent_id) if referent_id else None


@needs(Action.ANSWER_IN_BROWSER)
async def show(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    referent = _referent(request, department)
    page = render(
        "browser_phone.html",
        request,
        {
            "department": department,
            "referent": referent,
            "reach_labels": {reach.value: label for reach, label in REACH_LABELS.items()},
            "not_ready": ready(request.config_dict[SETTINGS], department),
            "sdk_url": f"/console{SDK_PATH}",
            # A callback to place from here (the request page's link): the TwiML App's
            # voice URL checks it is one of her department's (voice.browser_webhooks).
            "task_id": _task_id(request),
        },
    )
    page.headers.update(PHONE_HEADERS)
    return page


def _task_id(request: web.Request) -> int | None:
    value = request.query.get("tache", "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


@needs(Action.ANSWER_IN_BROWSER)
async def choose_reach(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    form = await read_form(request)
    try:
        reach = Reach(str(form.get("reach", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="choix inconnu") from None
    if reach is not Reach.MOBILE and ready(request.config_dict[SETTINGS], department):
        raise web.HTTPConflict(text="le navigateur n'est pas disponible pour ce département")
    try:
        change = reach_changed(
            _referent(request, department),
            reach,
            fresh_identity=IDENTITY_PREFIX + secrets.token_hex(IDENTITY_HEX_DIGITS // 2),
        )
    except TeamRefused as refused:
        raise web.HTTPBadRequest(text=str(refused)) from None
    async with request.config_dict[SESSIONS]() as session:
        await record_change(
            session=session,
            department=department.slug,
            change=change,
            before=None,
            by=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
        )
        await session.commit()
    await request.config_dict[STORE_COPIES].refresh()
    raise web.HTTPSeeOther(f"/console/navigateur?departement={department.slug}")


@needs(Action.ANSWER_IN_BROWSER)
async def token(request: web.Request) -> web.StreamResponse:
    """A fresh access token for her browser (JSON), journaled."""
    department = department_of(request)
    settings: Settings = request.config_dict[SETTINGS]
    why_not = ready(settings, department)
    if why_not is not None:
        raise web.HTTPConflict(text=why_not)
    try:
        grant = token_grant(_referent(request, department), ttl_s=settings.browser_token_ttl_s)
    except TeamRefused as refused:
        raise web.HTTPConflict(text=str(refused)) from None
    async with request.config_dict[SESSIONS]() as session:
        record_access(
            session=session,
            at=request.config_dict[CLOCK](),
            account=viewer_of(request).login,
            department=department.slug,
            action=TOKEN_ACTION,
            detail=f"{grant.ttl_s} s, appels entrants {'oui' if grant.incoming else 'non'}",
        )
        await session.commit()
    response = web.json_response(
        {"token": mint_token(settings, grant), "ttl_s": grant.ttl_s, "incoming": grant.incoming}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def voice_sdk(request: web.Request) -> web.StreamResponse:
    """Twilio's Voice SDK as npm built it (scripts/voice-sdk.sh), from this server."""
    path = request.config_dict[SETTINGS].voice_sdk_dir / SDK_FILE
    if not path.is_file():
        raise web.HTTPNotFound(text="SDK Twilio absent : lancer scripts/voice-sdk.sh")
    return web.FileResponse(path, headers={"Content-Type": "text/javascript"})


# Where the page renews the phone's token: a referent who cannot renew it cannot be rung.
TOKEN_PATH = "/navigateur/jeton"
ROUTES = [
    ("GET", "/navigateur", show),
    ("POST", "/navigateur/joignable", choose_reach),
    ("POST", TOKEN_PATH, token),
]
