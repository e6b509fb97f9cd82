"""A request in the console: its timeline, and what a referent records on it.

Its handlers translate: each opens the request or calls one action (frontdoor.actions), whose
opener writes the audit row; every change is also a request event with its reasons, like the
decisions the call flow takes.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from aiohttp import web

from frontdoor.actions import answering, coordination_file, working
from frontdoor.actions.sms_answer import AnswerRefused
from frontdoor.console.auth import actor_of, needs, own_request, translated, viewer_of
from frontdoor.console.follow_up_views import follow_ups_block
from frontdoor.console.pages import render
from frontdoor.console.request_persons import persons_block
from frontdoor.console.timeline import timeline
from frontdoor.core import overflow, transfer
from frontdoor.core.access import Action
from frontdoor.core.attachments import ATTACHMENTS_EVENT, attachments_listed
from frontdoor.core.callbacks import OUTCOME_LABELS_FR, CallbackOutcome
from frontdoor.core.numbers import is_withheld
from frontdoor.core.qualification import QualificationError, parse_qualification
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import GROUP_LABELS, REFERRERS, ReferrerGroup
from frontdoor.core.repeats import CANDIDATE_WINDOW
from frontdoor.core.request_fields import AGE_BANDS, PROBLEMS, RESPONSE_TYPES, RequestStatus
from frontdoor.core.request_work import TO_ME, TO_NOBODY, WorkError
from frontdoor.core.responses import ORIENTING
from frontdoor.directory.search import search_typed
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.accounts import account_names, desk_accounts
from frontdoor.store.follow_ups import follow_ups_of
from frontdoor.store.models import Request
from frontdoor.store.notes import notes_of
from frontdoor.store.recordings import RecordingStore
from frontdoor.store.repeats import repeat_candidates, repeats_of
from frontdoor.store.requests import events_of, record_event
from frontdoor.store.responses import responses_of
from frontdoor.store.sms import messages_of
from frontdoor.store.tasks import task_of_request

RESOURCE_CHOICES = 8
MAIL_NOTICES = {
    "envoye": "Réponse envoyée par messagerie sécurisée.",
    "en-attente": "Réponse enregistrée : le serveur de messagerie ne répond pas, elle partira "
    "dès qu'il répondra.",
}  # directory hits offered for an orientation to name


TAKING = ("accepted", transfer.TRANSFERRED)
NOTICES = {
    "lance": "Votre téléphone va sonner : appuyez sur 1 pour appeler la personne.",
    "cold": "Transfert lancé : l'appelant entend qu'il est transféré, le correspondant doit "
    "taper 1.",
    "warm": "Transfert accompagné lancé : vous êtes mis en relation avec le correspondant ; "
    "appuyez sur étoile pour lui passer l'appelant.",
}


def back_to(found: Request, anchor: str = "") -> web.HTTPSeeOther:
    """Back to the request's page, with an anchor or a query ("?erreur=…")."""
    return web.HTTPSeeOther(f"/console/demandes/{found.id}{anchor}")


async def _form(request: web.Request) -> Any:
    return await read_form(request)


def trace(request: web.Request, session: Any, found: Request, kind: str, *reasons: Reason) -> None:
    """The change as a request event with its reasons, like the call flow's decisions."""
    viewer = viewer_of(request)
    event = record_event(
        session,
        found,
        kind=kind,
        at=request.config_dict[CLOCK](),
        referent_id=viewer.referent_id,
    )
    event.reasons = [reason.as_dict() for reason in reasons]


def referrer_choices() -> dict[str, list[tuple[str, str]]]:
    """What a referent may choose, by national group; "unknown" is the select's empty choice."""
    referrers: dict[str, list[tuple[str, str]]] = {}
    for code, info in REFERRERS.items():
        if info.group is not ReferrerGroup.UNKNOWN:
            referrers.setdefault(GROUP_LABELS[info.group], []).append((code.value, info.label))
    return referrers


@needs(Action.READ_REQUEST)
async def show(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@needs(Action.READ_REQUEST)
async def search(request: web.Request) -> web.StreamResponse:
    """The page with what the referent searched: a person by name (`nom`, #personnes) or the
    directory's resource to orient to (`ressource`, #reponses). What is typed comes in the POST
    body with the CSRF token, never in a URL (browser history, logs, the sign-in's `suite=`
    and Referer headers keep URLs): the results are in the answer, as /recherche's are."""
    form = await read_form(request)
    return await _page(
        request, name=str(form.get("nom", "")), resource=str(form.get("ressource", ""))
    )


async def _page(request: web.Request, *, name: str = "", resource: str = "") -> web.Response:
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "view")
        request_id = found.id or 0
        events = await events_of(session=session, request_id=request_id)
        messages = await messages_of(session=session, request_id=request_id)
        notes = await notes_of(session=session, request_id=request_id)
        persons = await persons_block(request, session, found, typed=name)
        task = await task_of_request(session=session, request_id=request_id)
        responses = await responses_of(session=session, request_id=request_id)
        follow_ups = await follow_ups_of(session=session, request_id=request_id)
        candidates = await repeat_candidates(
            session=session, request=found, window=CANDIDATE_WINDOW
        )
        repeated_by = await repeats_of(session=session, request_id=request_id)
        dispatch_to = await desk_accounts(session=session, department=found.department)
        # What the referent searched for an orientation to name (POSTed `ressource`).
        resource_hits = await search_typed(session, resource, limit=RESOURCE_CHOICES)
        logins = await account_names(session=session, department=found.department)
        await session.commit()  # each person shown, journaled (persons_block)
    department = request.config_dict[DEPARTMENTS].for_slug(found.department)
    roster = department.referents if department else {}
    # Who has the caller of a call still going on (core.transfer): the last to press 1.
    taker = next(
        (e.referent_id for e in reversed(events) if e.kind in TAKING and e.referent_id), None
    )
    names = {**logins, **{rid: referent.name for rid, referent in roster.items()}}
    referrers = referrer_choices()
    return render(
        "request.html",
        request,
        {
            "found": found,
            "department": department,
            "task": task,
            "entries": timeline(events=events, messages=messages, notes=notes, names=names),
            "names": names,
            "referrers": referrers,
            "referrer_codes": [code for group in referrers.values() for code, _label in group],
            "response_types": RESPONSE_TYPES,
            "responses": responses,
            **follow_ups_block(department, follow_ups, now=request.config_dict[CLOCK]()),
            "repeat_candidates": candidates,
            "repeated_by": repeated_by,
            "orienting": sorted(kind.value for kind in ORIENTING),
            "resource_typed": resource,
            "resource_hits": resource_hits,
            "age_bands": AGE_BANDS,
            "problems": PROBLEMS,
            "error": request.query.get("erreur"),
            "answerable_by_sms": not is_withheld(found.caller_number),
            # Where the call went when the referents could not take it (core.overflow).
            "overflowed_to": next(
                (e.detail for e in reversed(events) if e.kind == overflow.EVENT), None
            ),
            "answerable_by_mail": bool(
                department is not None and department.mailbox and found.contact_address
            ),
            "attachments": attachments_listed(
                [(e.id or 0, e.reasons) for e in events if e.kind == ATTACHMENTS_EVENT]
            ),
            "mail_notice": MAIL_NOTICES.get(request.query.get("courriel", "")),
            "callback_outcomes": OUTCOME_LABELS_FR,
            "dispatch_to": [
                (account.login, account.display_name)
                for account in dispatch_to
                if account.login != viewer_of(request).login
            ],
            "notice": NOTICES.get(
                request.query.get("rappel") or request.query.get("transfert") or ""
            ),
            # A call in progress, taken: whom it can be handed to (core.transfer).
            "transfer_targets": transfer.targets(department, taker=taker)
            if department and taker and found.ended_at is None
            else (),
            **persons,
        },
    )


def refused_to(found_id: int | None, reason: str) -> web.HTTPSeeOther:
    """Back to the request's page, saying why the action was refused."""
    return web.HTTPSeeOther(f"/console/demandes/{found_id}?erreur={quote(reason)}")


@needs(Action.WORK_REQUEST)
async def qualify(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    request_id = path_id(request, "request_id")
    try:
        wanted = parse_qualification(
            referrer_type=str(form.get("referrer_type", "")),
            age_band=str(form.get("age_band", "")),
            problems=[str(value) for value in form.getall("problems", [])],
        )
    except QualificationError as error:
        raise refused_to(request_id, str(error)) from None
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found = await working.qualify(
            session=session, actor=actor_of(request), request_id=request_id, wanted=wanted,
            at=request.config_dict[CLOCK](),
        )  # fmt: skip
    raise back_to(found)


@needs(Action.DISPATCH_REQUEST)
async def assign(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    # One takes a request for oneself, gives it back (empty), or hands it to a referent or
    # coordinator of its department (the switchboard's dispatch).
    to = str(form.get("to", TO_ME))
    async with request.config_dict[SESSIONS]() as session, translated(request):
        try:
            found = await working.assign(
                session=session, actor=actor_of(request),
                request_id=path_id(request, "request_id"),
                to=TO_NOBODY if to == "nobody" else to, at=request.config_dict[CLOCK](),
            )  # fmt: skip
        except WorkError as error:
            raise web.HTTPBadRequest(text=str(error)) from None
    raise back_to(found)


@needs(Action.DISPATCH_REQUEST)
async def add_note(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    async with request.config_dict[SESSIONS]() as session, translated(request):
        try:
            found = await working.note(
                session=session, actor=actor_of(request),
                request_id=path_id(request, "request_id"), text=str(form.get("body", "")),
                at=request.config_dict[CLOCK](),
            )  # fmt: skip
        except WorkError as error:
            raise web.HTTPBadRequest(text=str(error)) from None
    raise back_to(found, "#chronologie")


@needs(Action.WORK_REQUEST)
async def close_or_reopen(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    closing = str(form.get("status", RequestStatus.CLOSED)) == RequestStatus.CLOSED
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found = await working.set_status(
            session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
            close=closing, at=request.config_dict[CLOCK](),
        )  # fmt: skip
    raise back_to(found)


@needs(Action.WORK_REQUEST)
async def answer_sms(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    body = str(form.get("body", "")).strip()
    if not body:
        raise web.HTTPBadRequest(text="la réponse est vide")
    request_id = path_id(request, "request_id")
    async with request.config_dict[SESSIONS]() as session, translated(request):
        try:
            await answering.answer_sms(
                session=session, actor=actor_of(request), request_id=request_id, body=body,
                runtime=request.config_dict[JOB_RUNTIME],
            )  # fmt: skip
        except AnswerRefused as refused:
            raise refused_to(request_id, refused.reason) from None
    raise web.HTTPSeeOther(f"/console/demandes/{request_id}#chronologie")


@needs(Action.WORK_REQUEST)
async def call_back(request: web.Request) -> web.StreamResponse:
    """Click-to-call: the referent's phone rings, they press 1, the person is dialled from
    the DAC's number."""
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found, _sid = await answering.call_back(
            session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
            runtime=request.config_dict[JOB_RUNTIME],
        )  # fmt: skip
    raise back_to(found, "?rappel=lance")


@needs(Action.WORK_REQUEST)
async def close_callback_task(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    chosen = str(form.get("outcome", ""))
    try:
        outcome = CallbackOutcome(chosen) if chosen else None
    except ValueError:
        raise web.HTTPBadRequest(text="issue du rappel inconnue") from None
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found, _task = await answering.close_callback_task(
            session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
            outcome=outcome, runtime=request.config_dict[JOB_RUNTIME],
        )  # fmt: skip
    raise back_to(found)


@needs(Action.WORK_REQUEST)
async def hand_to_coordination_file(request: web.Request) -> web.StreamResponse:
    """The request, with the person it is about, to the region's coordination file."""
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found = await coordination_file.hand_over(
            session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
            runtime=request.config_dict[JOB_RUNTIME],
        )  # fmt: skip
    raise back_to(found)


@needs(Action.READ_REQUEST)
async def recording(request: web.Request) -> web.StreamResponse:
    """The voicemail, through Frontdoor after the access check: the DAC's own copy, or the
    provider's (fetched with the account's credentials) until it is brought home."""
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "play_recording")
        if not (found.recording_key or found.recording_url):
            raise web.HTTPNotFound(text="pas de message vocal")
    if found.recording_key:
        store = RecordingStore(request.config_dict[SETTINGS].recordings_dir)
        audio = await asyncio.to_thread(store.read, found.recording_key)
    else:
        assert found.recording_url is not None
        try:
            audio = await twilio_api_for(request.config_dict, found.department).recording_audio(
                found.recording_url
            )
        except OutboundError:
            raise web.HTTPBadGateway(text="message vocal indisponible chez l'opérateur") from None
    return web.Response(
        body=audio,
        # Twilio's recordings are MP3; the development mode's stand-in makes WAV files.
        content_type="audio/wav" if audio.startswith(b"RIFF") else "audio/mpeg",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


ROUTES = [
    ("GET", "/demandes/{request_id}", show),
    ("POST", "/demandes/{request_id}", search),
    ("POST", "/demandes/{request_id}/qualification", qualify),
    ("POST", "/demandes/{request_id}/attribution", assign),
    ("POST", "/demandes/{request_id}/notes", add_note),
    ("POST", "/demandes/{request_id}/statut", close_or_reopen),
    ("GET", "/demandes/{request_id}/message-vocal", recording),
    ("POST", "/demandes/{request_id}/reponse-sms", answer_sms),
    ("POST", "/demandes/{request_id}/rappel", call_back),
    ("POST", "/demandes/{request_id}/rappel/cloture", close_callback_task),
    ("POST", "/demandes/{request_id}/dossier-de-coordination", hand_to_coordination_file),
]
