"""Signing in and out of the console.

Failed sign-ins are answered late, counted per account and lock it for a growing time
(core.sign_in); a wrong login costs as long as a wrong password, and both get the same
answer, so the form tells nobody which logins exist.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets

from aiohttp import web

from frontdoor.console import oidc
from frontdoor.console.auth import (
    SESSION_COOKIE,
    Handler,
    is_secure,
    needs,
    same_origin,
    signed_in_redirect,
)
from frontdoor.console.pages import render
from frontdoor.console.passwords import hash_password, needs_rehash, password_matches
from frontdoor.core.access import Action
from frontdoor.core.sign_in import FAILURE_DELAY_S, is_locked, lock_after
from frontdoor.store.accounts import account_by_login, close_session
from frontdoor.web.bodies import read_form
from frontdoor.web.keys import CLOCK, COUNTERS, SESSIONS, SETTINGS

log = logging.getLogger(__name__)

# The sign-in form's own CSRF token, before any session exists (double-submit cookie).
FORM_COOKIE = "frontdoor_signin"
FAILED = "Identifiant ou mot de passe incorrect."
LOCKED = "Trop d'essais : réessayez dans quelques minutes."


def _safe_next(target: str | None) -> str:
    """Only a path of the console itself: never a redirect to another site."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/"


def _form(request: web.Request, *, error: str | None, login: str = "") -> web.Response:
    token = secrets.token_urlsafe(24)
    settings = request.config_dict[SETTINGS]
    response = render(
        "sign_in.html",
        request,
        {
            "error": error,
            "login": login,
            "form_token": token,
            "next": _safe_next(request.query.get("suite")),
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
    form = await read_form(request)
    offered = str(form.get("form_token", ""))
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(offered, expected) or not same_origin(request):
        raise web.HTTPForbidden(text="jeton de sécurité (CSRF) absent ou invalide")
    login = str(form.get("login", "")).strip().lower()
    password = str(form.get("password", ""))
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        account = await account_by_login(session=session, login=login)
        if account is not None and is_locked(account.locked_until, now):
            request.config_dict[COUNTERS]["console_sign_in_locked"] += 1
            await asyncio.sleep(FAILURE_DELAY_S)
            return _form(request, error=LOCKED, login=login)
        matches = password_matches(account.password_hash if account else None, password)
        if account is None or not matches or account.disabled:
            request.config_dict[COUNTERS]["console_sign_in_failed"] += 1
            if account is not None:
                account.failed_sign_ins += 1
                account.locked_until = lock_after(account.failed_sign_ins, now)
                await session.commit()
            log.info("console sign-in refused (%s)", "known account" if account else "no account")
            await asyncio.sleep(FAILURE_DELAY_S)
            return _form(request, error=FAILED, login=login)
        account.failed_sign_ins = 0
        account.locked_until = None
        if account.password_hash and needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        response = await signed_in_redirect(
            request, session, account, to=_safe_next(str(form.get("next", "")))
        )
    response.del_cookie(FORM_COOKIE, path="/console/connexion")
    raise response


@needs(Action.OWN_ACCOUNT)
async def sign_out(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    async with request.config_dict[SESSIONS]() as session:
        await close_session(session=session, token=token)
        await session.commit()
    response = web.HTTPSeeOther("/console/connexion")
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/connexion", show_form),
    ("POST", "/connexion", sign_in),
    ("POST", "/deconnexion", sign_out),
]
