"""Account tokens for the JSON API: resolved before the handler, checked against their scopes
and their account's role, so a handler sees the same `Caller` as with a static key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from frontdoor.core.access import TOKEN_SCOPES, Role, allowed
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.callers import API_CALLER, Caller
from frontdoor.store.accounts import api_token_holder

TOKEN_PREFIX = "fd_"
# The console shows the day a token was last used: written once an hour at most, not at every
# call (an integrator polling twice a second made as many writes).
LAST_USE_WRITTEN_EVERY = timedelta(hours=1)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def scope_needed(method: str, path: str) -> str:
    """The scope a call needs: reading or changing requests, or reading the directory."""
    if path.startswith("/api/directory"):
        return "directory:read"
    if path == "/api/indicators":
        return "indicators:read"
    if path == "/api/duty":
        return "duty:read"
    return "requests:read" if method in ("GET", "HEAD") else "requests:write"


@web.middleware
async def account_tokens(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return await handler(request)  # a static key, or nothing: the handler decides
    async with request.app[SESSIONS]() as session:
        found = await api_token_holder(session=session, token=token)
        if found is None:
            raise web.HTTPUnauthorized(text="unknown or revoked token")
        row, account = found
        scope = scope_needed(request.method, request.path)
        if scope not in row.scopes or not allowed(Role(account.role), TOKEN_SCOPES[scope]):
            raise web.HTTPForbidden(text=f"this token lacks the {scope} scope")
        now = request.app[CLOCK]()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_WRITTEN_EVERY:
            row.last_used_at = now
            session.add(row)
            await session.commit()
    request[API_CALLER] = Caller(
        department=(account.departments or [""])[0],
        referent=account.referent_id or account.login,
        account=account.login,
        # Never beyond the account's role, whatever the token was given.
        scopes=frozenset(
            s
            for s in row.scopes
            if s in TOKEN_SCOPES and allowed(Role(account.role), TOKEN_SCOPES[s])
        ),
    )
    return await handler(request)
