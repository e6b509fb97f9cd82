"""An exception no handler caught: logged as its type and where it was raised, never its
message (SQLAlchemy's quotes the statement's parameters, asyncpg's the values of a key: names,
birth dates, an INS), and answered 500 in French with the request's id, which the log line
carries too. A browser opening a console page or sending one of its forms gets a page of its
own, written here (the console's templates may be what failed); the API, the live streams,
scripts and forms' fetches get the sentence alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from frontdoor.kit.unavailable import opens_a_page, short_page
from frontdoor.logs import REQUEST_ID, exception_kind, loggable_path, traceback_without_messages

log = logging.getLogger(__name__)

TITLE = "Erreur interne"
BACK_TO_THE_INBOX = '<p><a href="/console/">Retour aux demandes</a></p>'
TEXT = (
    "Le service a rencontré une erreur et n'a pas pu traiter la demande. Si elle se reproduit, "
    "signalez-la en donnant la référence {reference}."
)


@web.middleware
async def unhandled_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except (web.HTTPException, TimeoutError):
        raise  # answers already (a timeout: aiohttp's 504)
    except Exception as error:
        if request.writer.output_size > 0:
            raise  # an answer has begun: aiohttp ends the connection, and logs it as below
        log.error(
            "%s %s: %s not caught, answered 500\n%s",
            request.method,
            loggable_path(request.path),
            exception_kind(error),
            traceback_without_messages(error),
        )
        return _answer(request)


def _answer(request: web.Request) -> web.Response:
    text = TEXT.format(reference=REQUEST_ID.get())
    status = web.HTTPInternalServerError.status_code
    if not opens_a_page(request):
        return web.Response(status=status, text=text, content_type="text/plain")
    then = (
        "Réessayez dans un instant."
        if request.method in ("GET", "HEAD")
        else "Ce qui a été envoyé n'a peut-être pas été enregistré : vérifiez-le avant de "
        "l'envoyer de nouveau."
    )
    body = short_page(title=TITLE, text=text, then=then, after=BACK_TO_THE_INBOX)
    return web.Response(
        status=status, text=body, content_type="text/html", headers={"Cache-Control": "no-store"}
    )
