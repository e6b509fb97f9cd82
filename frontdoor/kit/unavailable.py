"""503 Service Unavailable, in French, with Retry-After: one answer for every "not now" (the
console yielding to the callers; the CPU pools full or a worker lost, wherever the work was
asked for: `busy_answers`).

A person opening a console page in a browser gets a page that says so and asks again by
itself after Retry-After (a browser shows a plain-text answer as a bare line of text, and
leaves it there); the API, the live streams, scripts and forms' fetches get the sentence
alone, as every other short answer of theirs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from frontdoor.cpu import BUSY_RETRY_AFTER_S, BUSY_TEXT, LOST_TEXT, CpuBusy, WorkerLost

CONSOLE = "/console"  # where the console is mounted (web.app)

_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>Service momentanément indisponible</title>
</head>
<body>
<h1>Service momentanément indisponible</h1>
<p>{text}</p>
<p>{then}</p>
</body>
</html>
"""


def unavailable(request: web.Request, text: str, *, retry_after_s: int) -> web.Response:
    """The 503 to give `request`, saying `text` (French)."""
    headers = {"Retry-After": str(retry_after_s)}
    status = web.HTTPServiceUnavailable.status_code
    if not _opens_a_page(request):
        return web.Response(status=status, text=text, headers=headers)
    if request.method in ("GET", "HEAD"):
        refresh = f'<meta http-equiv="refresh" content="{retry_after_s}">\n'
        then = "Cette page se recharge d'elle-même dans quelques secondes."
    else:  # a form sent: reloading would not send it again
        refresh, then = "", "Revenez à la page précédente et envoyez-la de nouveau dans un instant."
    body = _PAGE.format(refresh=refresh, text=escape(text), then=then)
    return web.Response(status=status, text=body, content_type="text/html", headers=headers)


def accepted_types(request: web.Request) -> set[str]:
    """The media types the request's Accept header names, without their parameters."""
    return {part.split(";")[0].strip() for part in request.headers.get("Accept", "").split(",")}


def _opens_a_page(request: web.Request) -> bool:
    """A browser navigating to a console page: it asks for HTML by name (fetch, EventSource
    and the API's clients do not)."""
    if request.path != CONSOLE and not request.path.startswith(CONSOLE + "/"):
        return False
    return "text/html" in accepted_types(request)


@web.middleware
async def busy_answers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """CpuBusy and WorkerLost, wherever they come from, are a 503 with Retry-After and a
    French sentence."""
    try:
        return await handler(request)
    except (CpuBusy, WorkerLost) as error:
        text = BUSY_TEXT if isinstance(error, CpuBusy) else LOST_TEXT
        return unavailable(request, text, retry_after_s=BUSY_RETRY_AFTER_S)
