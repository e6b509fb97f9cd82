"""Who calls the JSON API, and the request they may open.

A console account's token (`fd_…`, resolved by frontdoor.web.api_tokens before the handler
runs) or a key of FRONTDOOR_API_KEYS names a caller: one department, as one referent. Every
channel's API reads its caller here, and opens its department's requests through
frontdoor.actions.api_opening, which journals each access before its data is returned.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from frontdoor.core.access import STATIC_KEY_SCOPES
from frontdoor.keys import CLOCK, SETTINGS
from frontdoor.store.audit import record_access


@dataclass(kw_only=True, frozen=True)
class Caller:
    department: str
    referent: str
    # Who the audit journal names: the account's login, or "clé:<referent>" for a static key.
    account: str = ""
    # What the caller may do: its token's scopes, or a static key's.
    scopes: frozenset[str] = STATIC_KEY_SCOPES

    @property
    def journaled_as(self) -> str:
        return self.account or f"clé:{self.referent}"


# The caller an account token resolved to (set by frontdoor.web.api_tokens' middleware).
API_CALLER = web.RequestKey("api_caller", Caller)


def caller_of(request: web.Request) -> Caller:
    resolved = request.get(API_CALLER)
    if resolved is not None:
        return resolved
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise web.HTTPUnauthorized(text="Authorization: Bearer <key> required")
    offered = hashlib.sha256(token.encode()).digest()
    for key, grant in request.app[SETTINGS].api_keys.items():
        if hmac.compare_digest(offered, hashlib.sha256(key.encode()).digest()):
            department, _, referent = grant.partition(":")
            referent = referent or "api"
            return Caller(department=department, referent=referent, account=f"clé:{referent}")
    raise web.HTTPUnauthorized(text="unknown API key")


def require_scope(caller: Caller, scope: str) -> None:
    """403 unless the caller holds `scope` (a token's were checked against its path by
    web.api_tokens; a static key's are STATIC_KEY_SCOPES)."""
    if scope not in caller.scopes:
        raise web.HTTPForbidden(text=f"this key or token lacks the {scope} scope")


def journal(
    request: web.Request, caller: Caller, session: Any, request_ids: list[int], action: str = ""
) -> None:
    """An audit row per request the API reads (api_read) or acts on (api_write), in the
    session's transaction; the caller commits."""
    for request_id in request_ids:
        record_access(
            session=session,
            at=request.app[CLOCK](),
            account=caller.journaled_as,
            department=caller.department,
            request_id=request_id,
            action=action or ("api_read" if request.method == "GET" else "api_write"),
        )
