"""Signing in and out of the console.

Every failure takes one path, whatever its cause (no such login, a wrong password, a
disabled account, a client held by the throttle of core.sign_in): the password is checked
(against a decoy hash when there is no account), the failure is counted under the login and
client, and the same page comes back, at the same moment after the request arrived. The
form tells nobody which logins exist, and nobody can lock a referent out of her own machine.

An attempt that finds the CPU pool full (a flood of sign-ins) is shed: its password is not
checked, and it takes that same path, counted as a failure, with that same page at that same
moment. A flood thus learns nothing, not even whether its guess was tried, and its clients
are slowed and held as by any failure, instead of being answered at once and coming
straight back.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets

from aiohttp import web

from frontdoor.console import admission, oidc
from frontdoor.console.auth import (
    SESSION_COOKIE,
    Handler,
    is_secure,
    needs,
    same_origin,
    signed_in_redirect,
)
from frontdoor.console.live_feed import end_session_streams
from frontdoor.console.pages import render
from frontdoor.console.passwords import Checked, check_password
from frontdoor.core.access import Action
from frontdoor.core.sign_in import FAILURE_DELAY_S
from frontdoor.cpu import CpuBusy
from frontdoor.keys import CLOCK, COUNTERS, CPU_THREADS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import read_form
from frontdoor.store.accounts import close_session

log = logging.getLogger(__name__)

# The sign-in form's own CSRF token, before any session exists (double-submit cookie).
FORM_COOKIE = "frontdoor_signin"
# The one answer to every failure. It says what a person locked out by her own mistypes
# needs to know, and nothing about which case this is.
FAILED = (
    "Identifiant ou mot de passe incorrect. Après plusieurs essais manqués, ce poste doit "
    "attendre quelques minutes avant de réessayer."
)


def _safe_next(target: str | None) -> str:
    """Only a path of the console itself: never a redirect to another site."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/"


def _form(
    request: web.Request, *, error: str | None, login: str = "", next_path: str | None = None
) -> web.Response:
    token = secrets.token_urlsafe(24)
    settings = request.config_dict[SETTINGS]
    response = render(
        "sign_in.html",
        request,
        {
            "error": error,
            "login": login,
            "form_token": token,
            "next": _safe_next(next_path or request.query.get("suite")),
            "oidc_label": settings.oidc_label if oidc.configured(settings) else None,
        },
        status=401 if error else 200,
    )
    response.set_cookie(
        FORM_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=is_secure(request),
        path="/console/connexion",
    )
    return response


async def show_form(request: web.Request) -> web.StreamResponse:
    return _form(request, error=None)


async def sign_in(request: web.Request) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    answer_failure_at = loop.time() + FAILURE_DELAY_S
    form = await read_form(request)
    offered = str(form.get("form_token", ""))
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(offered, expected) or not same_origin(request):
        raise web.HTTPForbidden(text="jeton de sécurité (CSRF) absent ou invalide")
    login = str(form.get("login", "")).strip().lower()
    password = str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "")))
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        tried = await admission.attempt(request, session, login, now)
    account = tried.account
    try:
        checked: Checked | None = await check_password(
            request.config_dict[CPU_THREADS], account.password_hash if account else None, password
        )
    except CpuBusy:
        request.config_dict[COUNTERS]["sign_in_shed"] += 1
        checked = None
    async with request.config_dict[SESSIONS]() as session:
        if not (tried.admitted and account and not account.disabled and checked
                and checked.matches):  # fmt: skip
            await admission.failed(request, session, tried, now)
            why = tried.verdict.value if checked else "shed: the CPU pool is full"
            log.info("console sign-in refused (%s)", why)
            await asyncio.sleep(max(0.0, answer_failure_at - loop.time()))
            return _form(request, error=FAILED, login=login, next_path=next_path)
        if checked.rehashed:
            account.password_hash = checked.rehashed
            session.add(account)
        response = await signed_in_redirect(request, session, account, to=next_path)
        await admission.succeeded(request, session, tried, response, now)
    response.del_cookie(FORM_COOKIE, path="/console/connexion")
    raise response


@needs(Action.OWN_ACCOUNT)
async def sign_out(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    async with request.config_dict[SESSIONS]() as session:
        await close_session(session=session, token=token)
        await session.commit()
    end_session_streams(request, token)
    response = web.HTTPSeeOther("/console/connexion")
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/connexion", show_form),
    ("POST", "/connexion", sign_in),
    ("POST", "/deconnexion", sign_out),
]
