"""One's own tokens for the JSON API: created with scopes, shown once, revocable."""

from __future__ import annotations

from aiohttp import web

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.pages import render
from frontdoor.core.access import TOKEN_SCOPES, Action, allowed
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.store.accounts import add_api_token, tokens_of
from frontdoor.store.models import Account, ApiToken

SCOPE_LABELS = {
    "requests:read": "lire les demandes",
    "requests:write": "travailler les demandes",
    "directory:read": "chercher dans l'annuaire",
    "indicators:read": "lire les indicateurs",
    "duty:read": "voir qui est de permanence",
    "duty:phones": "voir les numéros des référents de permanence",
}


def _offered_scopes(request: web.Request) -> dict[str, str]:
    """The scopes this account's role could use: a token never exceeds its account."""
    viewer = viewer_of(request)
    return {
        scope: SCOPE_LABELS[scope]
        for scope, action in TOKEN_SCOPES.items()
        if allowed(viewer.role, action)
    }


async def _page(request: web.Request, *, new_token: str | None = None) -> web.Response:
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        tokens = await tokens_of(session=session, account_id=viewer.account_id)
    return render(
        "tokens.html",
        request,
        {
            "tokens": tokens,
            "scopes": _offered_scopes(request),
            "scope_labels": SCOPE_LABELS,
            "new_token": new_token,
        },
    )


@needs(Action.OWN_TOKENS)
async def show(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@needs(Action.OWN_TOKENS)
async def create(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    label = str(form.get("label", "")).strip()[:120]
    offered = _offered_scopes(request)
    scopes = [str(scope) for scope in form.getall("scopes", []) if str(scope) in offered]
    if not label or not scopes:
        raise web.HTTPBadRequest(text="un nom et au moins une autorisation sont nécessaires")
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        account = await session.get(Account, viewer.account_id)
        if account is None:
            raise web.HTTPNotFound(text="compte introuvable")
        token, _row = await add_api_token(
            session=session,
            account=account,
            label=label,
            scopes=scopes,
            now=request.config_dict[CLOCK](),
        )
        await session.commit()
    # Shown once, in the answer to the form: only its hash is kept.
    return await _page(request, new_token=token)


@needs(Action.OWN_TOKENS)
async def revoke(request: web.Request) -> web.StreamResponse:
    token_id = path_id(request, "token_id")
    if token_id is None:
        raise web.HTTPNotFound(text="jeton introuvable")
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        row = await session.get(ApiToken, token_id)
        if row is None or row.account_id != viewer.account_id:
            raise web.HTTPNotFound(text="jeton introuvable")
        row.revoked_at = request.config_dict[CLOCK]()
        session.add(row)
        await session.commit()
    raise web.HTTPSeeOther("/console/jetons")


ROUTES = [
    ("GET", "/jetons", show),
    ("POST", "/jetons", create),
    ("POST", "/jetons/{token_id}/revocation", revoke),
]
