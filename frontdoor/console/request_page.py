"""A request in the console: its timeline, and what a referent records on it.

Every view of its personal data writes an audit row in the same transaction as the read; every
change is also a request event with its reasons, like the decisions the call flow takes.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import col, select

from frontdoor.console.auth import needs, own_request, viewer_of
from frontdoor.console.follow_up_views import follow_ups_block
from frontdoor.console.pages import render
from frontdoor.console.request_persons import persons_block
from frontdoor.console.timeline import timeline
from frontdoor.core.access import Action
from frontdoor.core.callbacks import OUTCOME_LABELS_FR, CallbackOutcome
from frontdoor.core.numbers import is_withheld
from frontdoor.core.qualification import (
    QualificationError,
    changes,
    confirms_referrer,
    parse_qualification,
)
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import GROUP_LABELS, REFERRERS, ReferrerGroup
from frontdoor.core.repeats import CANDIDATE_WINDOW
from frontdoor.core.request_fields import (
    AGE_BANDS,
    PROBLEMS,
    RESPONSE_TYPES,
    RequestStatus,
)
from frontdoor.core.responses import ORIENTING
from frontdoor.directory.search import search_typed
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import read_form
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError
from frontdoor.sms.answers import REFUSALS_FR, AnswerRefused, answer_by_sms
from frontdoor.store.accounts import account_names
from frontdoor.store.audit import record_access
from frontdoor.store.follow_ups import follow_ups_of
from frontdoor.store.models import Request, RequestNote
from frontdoor.store.recordings import RecordingStore
from frontdoor.store.repeats import repeat_candidates, repeats_of
from frontdoor.store.requests import events_of, record_event
from frontdoor.store.responses import responses_of
from frontdoor.store.sms import messages_of
from frontdoor.store.tasks import task_of_request
from frontdoor.voice.callback_actions import REFUSALS_FR as CALLBACK_REFUSALS_FR
from frontdoor.voice.callback_actions import CallbackRefused, close_callback, place_callback

MAX_NOTE_CHARS = 5000
RESOURCE_CHOICES = 8  # directory hits offered for an orientation to name


def back_to(found: Request, anchor: str = "") -> web.HTTPSeeOther:
    """Back to the request's page, with an anchor or a query ("?erreur=…")."""
    return web.HTTPSeeOther(f"/console/demandes/{found.id}{anchor}")


async def _form(request: web.Request) -> Any:
    return await read_form(request)


def audit(request: web.Request, session: Any, found: Request, action: str) -> None:
    record_access(
        session=session,
        at=request.config_dict[CLOCK](),
        account=viewer_of(request).login,
        department=found.department,
        request_id=found.id,
        action=action,
    )


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


@needs(Action.READ_REQUEST)
async def show(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        request_id = found.id or 0
        events = await events_of(session=session, request_id=request_id)
        messages = await messages_of(session=session, request_id=request_id)
        notes = (
            await session.exec(
                select(RequestNote)
                .where(RequestNote.request_id == request_id)
                .order_by(col(RequestNote.at))
            )
        ).all()
        persons = await persons_block(request, session, found)
        task = await task_of_request(session=session, request_id=request_id)
        responses = await responses_of(session=session, request_id=request_id)
        follow_ups = await follow_ups_of(session=session, request_id=request_id)
        candidates = await repeat_candidates(
            session=session, request=found, window=CANDIDATE_WINDOW
        )
        repeated_by = await repeats_of(session=session, request_id=request_id)
        # What the referent searched for an orientation to name (?ressource=…#reponses).
        typed = request.query.get("ressource", "")
        resource_hits = await search_typed(session, typed, limit=RESOURCE_CHOICES)
        logins = await account_names(session=session, department=found.department)
        audit(request, session, found, "view")
        await session.commit()
    department = request.config_dict[DEPARTMENTS].for_slug(found.department)
    roster = department.referents if department else {}
    names = {**logins, **{rid: referent.name for rid, referent in roster.items()}}
    # What a referent may choose, by national group; "unknown" is the select's empty choice.
    referrers: dict[str, list[tuple[str, str]]] = {}
    for code, info in REFERRERS.items():
        if info.group is not ReferrerGroup.UNKNOWN:
            referrers.setdefault(GROUP_LABELS[info.group], []).append((code.value, info.label))
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
            "resource_typed": typed,
            "resource_hits": resource_hits,
            "age_bands": AGE_BANDS,
            "problems": PROBLEMS,
            "error": request.query.get("erreur"),
            "answerable_by_sms": not is_withheld(found.caller_number),
            "callback_outcomes": OUTCOME_LABELS_FR,
            "notice": "Votre téléphone va sonner : appuyez sur 1 pour appeler la personne."
            if request.query.get("rappel") == "lance"
            else None,
            **persons,
        },
    )


@needs(Action.WORK_REQUEST)
async def qualify(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        try:
            wanted = parse_qualification(
                referrer_type=str(form.get("referrer_type", "")),
                age_band=str(form.get("age_band", "")),
                problems=[str(value) for value in form.getall("problems", [])],
            )
        except QualificationError as error:
            raise web.HTTPSeeOther(
                f"/console/demandes/{found.id}?erreur={quote(str(error))}"
            ) from None
        reasons = changes(
            referrer_type=found.referrer_type,
            age_band=found.age_band,
            problems=found.problems or [],
            wanted=wanted,
            by=viewer.login,
        )
        if wanted.referrer_type is not None and confirms_referrer(
            referrer_source=found.referrer_source,
            wanted=wanted,
            referrer_type=found.referrer_type,
        ):
            found.referrer_source = "referent"
            if not any(reason.code == "referrer-corrected" for reason in reasons):
                reasons.insert(
                    0,
                    Reason(
                        code="referrer-confirmed",
                        text=f"type d'adresseur confirmé par {viewer.login} : "
                        f"{REFERRERS[wanted.referrer_type].label}",
                    ),
                )
        if wanted.referrer_type is not None:  # left empty: stays as it was, never guessed
            found.referrer_type = wanted.referrer_type.value
        found.age_band = wanted.age_band.value if wanted.age_band else None
        found.problems = [problem.value for problem in wanted.problems]
        session.add(found)
        if reasons:
            trace(request, session, found, "classified", *reasons)
        audit(request, session, found, "qualify")
        await session.commit()
    raise back_to(found)


@needs(Action.WORK_REQUEST)
async def assign(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    viewer = viewer_of(request)
    # One may take a request for oneself, or give it back (empty).
    to_me = str(form.get("to", "me")) == "me"
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        found.assigned_to = viewer.login if to_me else None
        session.add(found)
        taken = f"prise en charge par {viewer.login}"
        trace(
            request,
            session,
            found,
            "assigned",
            Reason(code="assigned", text=taken if to_me else f"rendue par {viewer.login}"),
        )
        audit(request, session, found, "assign")
        await session.commit()
    raise back_to(found)


@needs(Action.WORK_REQUEST)
async def add_note(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    body = str(form.get("body", "")).strip()
    if not body:
        raise web.HTTPBadRequest(text="la note est vide")
    if len(body) > MAX_NOTE_CHARS:
        raise web.HTTPBadRequest(text=f"note trop longue (au plus {MAX_NOTE_CHARS} caractères)")
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        session.add(
            RequestNote(
                request_id=found.id or 0,
                at=request.config_dict[CLOCK](),
                author=viewer.login,
                body=body,
            )
        )
        audit(request, session, found, "note")
        await session.commit()
    raise back_to(found, "#chronologie")


@needs(Action.WORK_REQUEST)
async def close_or_reopen(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    closing = str(form.get("status", RequestStatus.CLOSED)) == RequestStatus.CLOSED
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        found.status = RequestStatus.CLOSED if closing else RequestStatus.OPEN
        found.closed_at = now if closing else None
        found.closed_by = viewer.login if closing else None
        session.add(found)
        change = "closed" if closing else "reopened"
        text = f"{'close' if closing else 'rouverte'} par {viewer.login}"
        trace(request, session, found, change, Reason(code=change, text=text))
        audit(request, session, found, "close" if closing else "reopen")
        await session.commit()
    raise back_to(found)


@needs(Action.WORK_REQUEST)
async def answer_sms(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    body = str(form.get("body", "")).strip()
    if not body:
        raise web.HTTPBadRequest(text="la réponse est vide")
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        department = request.config_dict[DEPARTMENTS].for_slug(found.department)
        if department is None:
            raise web.HTTPNotFound(text="demande introuvable")
        audit(request, session, found, "answer")
        try:
            await answer_by_sms(
                session=session,
                twilio_api=twilio_api_for(request.config_dict, department.slug),
                department=department,
                owner=found,
                referent=viewer.referent_id or viewer.login,
                body=body,
                now=request.config_dict[CLOCK](),
                key=request.config_dict[SETTINGS].pseudonym_secret,
            )
        except AnswerRefused as refused:
            await session.commit()  # the audit, and the failed message if it was written
            raise web.HTTPSeeOther(
                f"/console/demandes/{found.id}?erreur={quote(REFUSALS_FR[refused.refusal])}"
            ) from None
    raise back_to(found, "#chronologie")


@needs(Action.WORK_REQUEST)
async def call_back(request: web.Request) -> web.StreamResponse:
    """Click-to-call: the referent's phone rings, they press 1, the person is dialled from
    the DAC's number."""
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        department = request.config_dict[DEPARTMENTS].for_slug(found.department)
        referent = (
            department.referents.get(viewer.referent_id or "") if department is not None else None
        )
        task = await task_of_request(session=session, request_id=found.id or 0)
        if department is None or referent is None or task is None:
            raise back_to(found, f"?erreur={quote('pas de rappel possible depuis votre compte')}")
        audit(request, session, found, "call_back")
        try:
            await place_callback(
                session=session,
                row=task,
                owner=found,
                department=department,
                referent=referent,
                twilio_api=twilio_api_for(request.config_dict, department.slug),
                public_url=request.config_dict[SETTINGS].public_url,
                now=request.config_dict[CLOCK](),
            )
        except CallbackRefused as refused:
            await session.commit()
            raise back_to(
                found, f"?erreur={quote(CALLBACK_REFUSALS_FR[refused.refusal])}"
            ) from None
        await session.commit()
    raise back_to(found, "?rappel=lance")


@needs(Action.WORK_REQUEST)
async def close_callback_task(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    chosen = str(form.get("outcome", ""))
    try:
        outcome = CallbackOutcome(chosen) if chosen else None
    except ValueError:
        raise web.HTTPBadRequest(text="issue du rappel inconnue") from None
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        if outcome is None:  # the select left on its empty choice: nothing is guessed
            raise back_to(found, f"?erreur={quote('issue du rappel : à choisir')}")
        task = await task_of_request(session=session, request_id=found.id or 0)
        if task is None:
            raise web.HTTPNotFound(text="pas de rappel pour cette demande")
        try:
            close_callback(
                session=session,
                row=task,
                owner=found,
                outcome=outcome,
                by=viewer.referent_id or viewer.login,
                now=request.config_dict[CLOCK](),
            )
        except ValueError:
            raise back_to(found, f"?erreur={quote('ce rappel est déjà clos')}") from None
        audit(request, session, found, "callback_closed")
        await session.commit()
    raise back_to(found)


@needs(Action.READ_REQUEST)
async def recording(request: web.Request) -> web.StreamResponse:
    """The voicemail, through Frontdoor after the access check: the DAC's own copy, or the
    provider's (fetched with the account's credentials) until it is brought home."""
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session)
        if not (found.recording_key or found.recording_url):
            raise web.HTTPNotFound(text="pas de message vocal")
        audit(request, session, found, "play_recording")
        await session.commit()
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
        content_type="audio/mpeg",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


ROUTES = [
    ("GET", "/demandes/{request_id}", show),
    ("POST", "/demandes/{request_id}/qualification", qualify),
    ("POST", "/demandes/{request_id}/attribution", assign),
    ("POST", "/demandes/{request_id}/notes", add_note),
    ("POST", "/demandes/{request_id}/statut", close_or_reopen),
    ("GET", "/demandes/{request_id}/message-vocal", recording),
    ("POST", "/demandes/{request_id}/reponse-sms", answer_sms),
    ("POST", "/demandes/{request_id}/rappel", call_back),
    ("POST", "/demandes/{request_id}/rappel/cloture", close_callback_task),
]
