"""Every "not now", in French, with Retry-After: 503 Service Unavailable (the console yielding
to the callers; the CPU pools full or a worker lost, wherever the work was asked for:
`busy_answers`) and 429 Too Many Requests (kit.rate_limits).

A person opening a console page in a browser gets a page that says so (`short_page`, also
the page of an unhandled error: kit.failures) and asks again by itself after Retry-After (a
browser shows a plain-text answer as a bare line of text, and leaves it there); the API, the
live streams, scripts and forms' fetches get the sentence alone, as every other short answer
of theirs.
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
{refresh}<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>{text}</p>
<p>{then}</p>
{after}</body>
</html>
"""


def short_page(*, title: str, text: str, then: str, refresh_s: int | None = None,
               after: str = "") -> str:  # fmt: skip
    """A page of its own, French, for a browser that asked for one when the console cannot
    give its own (not now, or an error: its templates may be what failed). `text` is
    escaped; `then` and `after` (HTML) are the code's own words."""
    refresh = "" if refresh_s is None else f'<meta http-equiv="refresh" content="{refresh_s}">\n'
    after = f"{after}\n" if after else ""
    return _PAGE.format(refresh=refresh, title=title, text=escape(text), then=then, after=after)


_TITLES = {
    web.HTTPServiceUnavailable.status_code: "Service momentanément indisponible",
    web.HTTPTooManyRequests.status_code: "Trop de demandes",
}


def unavailable(request: web.Request, text: str, *, retry_after_s: int) -> web.Response:
    """The 503 to give `request`, saying `text` (French)."""
    status = web.HTTPServiceUnavailable.status_code
    body, content_type = not_now(request, text, retry_after_s=retry_after_s, status=status)
    headers = {"Retry-After": str(retry_after_s)}
    return web.Response(status=status, text=body, content_type=content_type, headers=headers)


def not_now(request: web.Request, text: str, *, retry_after_s: int, status: int) -> tuple[str, str]:
    """The body and content type of a "not now" (503 or 429) to `request`, saying `text`: a
    page for a browser opening a console page, the sentence alone otherwise."""
    if not opens_a_page(request):
        return text, "text/plain"
    title = _TITLES[status]
    if request.method not in ("GET", "HEAD"):  # a form sent: reloading would not send it again
        then = "Revenez à la page précédente et envoyez-la de nouveau dans un instant."
        return short_page(title=title, text=text, then=then), "text/html"
    plural = "s" if retry_after_s > 1 else ""
    then = f"Cette page se recharge d'elle-même dans {retry_after_s} seconde{plural}."
    return short_page(title=title, text=text, then=then, refresh_s=retry_after_s), "text/html"


def accepted_types(request: web.Request) -> set[str]:
    """The media types the request's Accept header names, without their parameters."""
    return {part.split(";")[0].strip() for part in request.headers.get("Accept", "").split(",")}


def opens_a_page(request: web.Request) -> bool:
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
