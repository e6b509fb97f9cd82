"""Who is signed in, and whether they may do what they ask: the console's middleware.

Deny by default: a console handler that does not name its action (`needs`) is refused. The
role check happens here, before the handler; the department check happens where the thing
reached is opened (`own_request`, through frontdoor.actions.opening, which journals it), and
answers 404 so that nothing hints it exists.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from aiohttp import web

from frontdoor.actions.actor import Actor, NotFound, Refused
from frontdoor.actions.opening import open_request
from frontdoor.core.access import Action, Role, allowed, reaches
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.rate_limits import (
    count_failed_authentication,
    forgive_failures,
    refuse_past_failures,
)
from frontdoor.store.accounts import open_session, signed_in
from frontdoor.store.models import Account, Request

SESSION_COOKIE = "frontdoor_session"
CONSOLE_PREFIX = "/console"
# Reachable without signing in.
PUBLIC_PATHS = frozenset(
    {"/console/connexion", "/console/connexion/oidc", "/console/connexion/oidc/retour"}
)
STATIC_PREFIX = "/console/static/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The query parameters a page keeps across signing in again (`suite=`): filters that are not
# personal data (a department, an inbox filter or page mark, a period, a request number).
# Anything else (an old bookmark's typed name, a message) is dropped: the sign-in's URL
# lands in browser history, logs and Referer headers, where no personal data may travel.
KEPT_ACROSS_SIGN_IN = frozenset(
    {"departement", "canal", "statut", "adresseur", "attribuee", "retard", "avant", "periode",
     "demande"}
)  # fmt: skip


@dataclass(kw_only=True, frozen=True)
class Viewer:
    """The signed-in account, as the handlers see it."""

    account_id: int
    login: str
    display_name: str
    role: Role
    departments: tuple[str, ...]
    referent_id: str | None
    csrf_token: str

    def may(self, action: Action) -> bool:
        return allowed(self.role, action)


VIEWER = web.RequestKey("viewer", Viewer)


def needs(action: Action) -> Callable[[Handler], Handler]:
    """Names the action a console handler performs; the middleware checks it."""

    def mark(handler: Handler) -> Handler:
        handler.console_action = action  # type: ignore[attr-defined]
        return handler

    return mark


def action_of(handler: Any) -> Action | None:
    return getattr(handler, "console_action", None)


def viewer_of(request: web.Request) -> Viewer:
    viewer: Viewer = request[VIEWER]
    return viewer


def is_secure(request: web.Request) -> bool:
    """Behind a TLS-terminating proxy the app sees http; the public URL says what users see."""
    return request.secure or request.config_dict[SETTINGS].public_url.startswith("https://")


def same_origin(request: web.Request) -> bool:
    """A state-changing request must come from our own pages (when the browser says where)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return origin is None
    seen = urlsplit(origin)
    public = urlsplit(request.config_dict[SETTINGS].public_url)
    return (seen.scheme, seen.netloc) in {
        (public.scheme, public.netloc),
        (request.scheme, request.host),
    }


async def csrf_token_offered(request: web.Request) -> str:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_form(request)
        value = form.get("csrf")
        return value if isinstance(value, str) else ""
    return ""


@web.middleware  # on the console's sub-application only: webhooks never pass through it
async def console_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path.startswith(STATIC_PREFIX):
        try:
            return await handler(request)
        except OSError:  # a name the file system refuses (too long…): no such file
            raise web.HTTPNotFound() from None
    if path in PUBLIC_PATHS:
        return await handler(request)
    action = action_of(getattr(request.match_info, "handler", None))
    if action is None and request.match_info.http_exception is None:
        # A console route that forgot to say what it does is refused, not served.
        raise web.HTTPForbidden(text="route sans contrôle d'accès")
    viewer = await _signed_in_viewer(request)
    if viewer is None:
        if request.method == "GET" and "text/event-stream" not in request.headers.get("Accept", ""):
            raise web.HTTPSeeOther(f"/console/connexion?suite={quote(return_path(request))}")
        raise web.HTTPUnauthorized(text="connexion requise")
    if request.method not in ("GET", "HEAD"):
        offered = await csrf_token_offered(request)
        if not same_origin(request) or not hmac.compare_digest(offered, viewer.csrf_token):
            raise web.HTTPForbidden(text="jeton de sécurité (CSRF) absent ou invalide")
    request[VIEWER] = viewer  # also for the error pages (console/error_pages.py)
    if action is not None and not viewer.may(action):
        raise web.HTTPForbidden(text="accès refusé pour votre rôle")
    return await handler(request)


def return_path(request: web.Request) -> str:
    """Where signing in goes back to: the page's path, with only the parameters that are
    known not to be personal data (KEPT_ACROSS_SIGN_IN)."""
    kept = [(name, value) for name, value in request.query.items() if name in KEPT_ACROSS_SIGN_IN]
    return request.path + (f"?{urlencode(kept)}" if kept else "")


async def _signed_in_viewer(request: web.Request) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    # A cookie is looked up in the store: made-up ones are failed authentications, and a
    # client past them is answered 429 without a look (kit.rate_limits).
    refuse_past_failures(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await signed_in(session=session, token=token, now=request.config_dict[CLOCK]())
    if found is None:
        count_failed_authentication(request)
        return None
    console_session, account = found
    return Viewer(
        account_id=account.id or 0,
        login=account.login,
        display_name=account.display_name,
        role=Role(account.role),
        departments=tuple(account.departments),
        referent_id=account.referent_id,
        csrf_token=console_session.csrf_token,
    )


def actor_of(request: web.Request) -> Actor:
    """The signed-in account as the request actions see it."""
    viewer = viewer_of(request)
    return Actor(
        departments=viewer.departments,
        login=viewer.login,
        referent=viewer.referent_id,
        role=viewer.role,
        signs_as=viewer.login,
    )


async def own_request(request: web.Request, session: Any, purpose: str) -> Request:
    """The request of the path if it is one of the viewer's departments' (404 otherwise),
    journaled under `purpose` (frontdoor.actions.opening)."""
    try:
        return await open_request(
            session=session,
            actor=actor_of(request),
            request_id=path_id(request, "request_id"),
            at=request.config_dict[CLOCK](),
            purpose=purpose,
        )
    except NotFound:
        raise web.HTTPNotFound(text="demande introuvable") from None


@asynccontextmanager
async def translated(request: web.Request) -> AsyncIterator[None]:
    """An action's ends in the console's words: a request not found answers 404, a refusal
    goes back to the request's page saying why."""
    try:
        yield
    except NotFound as missing:
        raise web.HTTPNotFound(text=str(missing) or "demande introuvable") from None
    except Refused as refused:
        request_id = path_id(request, "request_id")
        raise web.HTTPSeeOther(
            f"/console/demandes/{request_id}?erreur={quote(refused.reason)}"
        ) from None


def chosen_department(request: web.Request) -> str:
    """The department a page is about: ?departement=, else the viewer's first (404 if not
    one of theirs)."""
    viewer = viewer_of(request)
    wanted = request.query.get("departement") or (viewer.departments or ("",))[0]
    if not reaches(viewer.departments, wanted):
        raise web.HTTPNotFound(text="département introuvable")
    return wanted


async def signed_in_redirect(
    request: web.Request, session: Any, account: Account, *, to: str
) -> web.HTTPSeeOther:
    """A new session for `account` (committed), and the redirect that gives its cookie: one
    place for the cookie's flags, whatever the way of signing in."""
    lifetime = timedelta(hours=request.config_dict[SETTINGS].console_session_hours)
    token, _row = await open_session(
        session=session, account=account, now=request.config_dict[CLOCK](), lifetime=lifetime
    )
    await session.commit()
    forgive_failures(request)  # the stale cookies its browser sent before count no more
    response = web.HTTPSeeOther(to)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=is_secure(request),
        path="/console",
        max_age=int(lifetime.total_seconds()),
    )
    return response
