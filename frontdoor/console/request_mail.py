"""Secure mail on a request's page: a referent answers by mail (threaded, from the
department's mailbox), and opens the attachments of the mails received, each opening
journaled (frontdoor.actions.mail_answer, frontdoor.actions.attachments)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from frontdoor.actions.attachments import open_attachment
from frontdoor.actions.mail_answer import answer_by_mail
from frontdoor.console.auth import actor_of, needs, translated
from frontdoor.core.access import Action
from frontdoor.core.request_work import WorkError
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.store.attachments import FolderStore


@needs(Action.WORK_REQUEST)
async def answer_mail(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    text = form.get("body", "")
    request_id = path_id(request, "request_id")
    page = f"/console/demandes/{request_id}"
    async with request.config_dict[SESSIONS]() as session, translated(request):
        try:
            answer = await answer_by_mail(
                session=session, actor=actor_of(request), request_id=request_id,
                text=text if isinstance(text, str) else "",
                runtime=request.config_dict[JOB_RUNTIME],
            )  # fmt: skip
        except WorkError as error:
            raise web.HTTPSeeOther(f"{page}?erreur={quote(str(error))}") from None
    if answer.done.given_up:
        refused = "le serveur de messagerie a refusé le courriel : vérifiez l'adresse"
        raise web.HTTPSeeOther(f"{page}?erreur={quote(refused)}")
    raise web.HTTPSeeOther(f"{page}?courriel={'envoye' if answer.done.sent else 'en-attente'}")


@needs(Action.READ_REQUEST)
async def attachment(request: web.Request) -> web.StreamResponse:
    """Always a download, never shown inline: an attachment is whatever a sender chose to
    send (an HTML file would run in the console's origin)."""
    store = FolderStore(request.config_dict[SETTINGS].mail_attachments_dir)
    async with request.config_dict[SESSIONS]() as session, translated(request):
        opened = await open_attachment(
            session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
            ref=request.match_info["attachment"], store=store, at=request.config_dict[CLOCK](),
        )  # fmt: skip
    fallback = opened.name.encode("ascii", "replace").decode().replace("?", "_")
    return web.Response(
        body=opened.data,
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(opened.name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


ROUTES = [
    ("POST", "/demandes/{request_id}/reponse-mail", answer_mail),
    ("GET", "/demandes/{request_id}/pieces-jointes/{attachment}", attachment),
]
