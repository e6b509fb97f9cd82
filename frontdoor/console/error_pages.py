"""403 and 404 in the console's own layout, in French, with a way back to the inbox, for a
signed-in person opening a page; the API, the live streams and forms keep their short answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from frontdoor.console.auth import VIEWER
from frontdoor.console.pages import render
from frontdoor.kit.unavailable import accepted_types

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MESSAGES = {
    403: ("Accès refusé", "Votre rôle ne permet pas d'ouvrir cette page."),
    404: ("Page introuvable", "Cette page n'existe pas, ou n'est pas de votre département."),
}


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (web.HTTPForbidden, web.HTTPNotFound) as refused:
        shown = (
            request.method in ("GET", "HEAD")
            and request.get(VIEWER) is not None
            and not {"application/json", "text/event-stream"} & accepted_types(request)
        )
        if not shown:
            raise
        title, text = MESSAGES[refused.status]
        return render("error.html", request, {"title": title, "text": text}, status=refused.status)
