"""The inbox: a department's requests, newest first, filtered; new ones arrive live.

The list shows no personal data (no number, name or message: those are on the request's own
page, where each view is audited), so it can stay open on a screen all day.
The live feed is a server-sent event stream fed from the store, not from this process's
memory: a browser connected to any instance sees the requests every instance takes in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlencode

from aiohttp import web

from frontdoor.console.auth import SESSION_COOKIE, chosen_department, needs, viewer_of
from frontdoor.console.follow_up_views import due_items
from frontdoor.console.formats import short_moment
from frontdoor.console.labels import CHANNELS, OUTCOMES, STATUSES, label, name_of
from frontdoor.console.live_streams import LIVE_STREAMS, Ending, Stream
from frontdoor.console.pages import render, render_fragment
from frontdoor.core.access import Action, reaches
from frontdoor.core.callbacks import past_deadline
from frontdoor.core.follow_ups import DUE_SOON, local_today
from frontdoor.core.referrers import REFERRERS, ReferrerType
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id
from frontdoor.kit.date_parameters import DateKind, DateParameter, page_mark_of, takes_dates
from frontdoor.store.accounts import account_names, digest, signed_in
from frontdoor.store.follow_ups import follow_ups_due
from frontdoor.store.inbox import InboxFilters, InboxRow, inbox_page, newest_request_id

PAGE_SIZE = 50
# The follow-ups of orientations listed above the requests: overdue and due within a week.
FOLLOW_UPS_SHOWN = 30
# A comment line now and then keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0
# The last event of a stream that is not to come back (the page says why and stops).
FAREWELLS = {
    Ending.REPLACED: "Mise à jour en direct arrêtée : la liste est ouverte dans un autre "
    "onglet. Rechargez la page pour la reprendre ici.",
    Ending.SIGNED_OUT: "Mise à jour en direct arrêtée : votre session est terminée.",
}
TOO_MANY_STREAMS = "Trop de listes ouvertes en direct : rechargez la page dans un instant."


@dataclass(kw_only=True, frozen=True)
class InboxItem:
    id: int
    received: str
    channel: str
    referrer: str
    confirmed: bool
    outcome: str
    status: str
    open: bool
    assigned_to: str | None
    callback_due: str | None
    overdue: bool
    out_of_hours: bool


def inbox_item(
    row: InboxRow, *, timezone: tzinfo, now: datetime, names: Mapping[str, str]
) -> InboxItem:
    """``names``: the department's accounts' names by login, shown instead of logins."""
    request = row.request
    due = row.callback_due_at if row.callback_status == "open" else None
    try:
        referrer = REFERRERS[ReferrerType(request.referrer_type)].label
    except ValueError:
        referrer = request.referrer_type
    return InboxItem(
        id=request.id or 0,
        received=short_moment(request.received_at, timezone=timezone, now=now),
        channel=label(CHANNELS, request.channel),
        referrer=referrer,
        confirmed=request.referrer_source in ("referent", "known_contact"),
        outcome=label(OUTCOMES, request.outcome, default=""),
        status=label(STATUSES, request.status),
        open=request.status == "open",
        assigned_to=name_of(names, request.assigned_to, default="") or None,
        callback_due=short_moment(due, timezone=timezone, now=now) if due else None,
        overdue=due is not None and past_deadline(due, now),
        out_of_hours=request.out_of_hours,
    )


# The "older" link the page writes: the last row's instant and id.
BEFORE = DateParameter(
    name="avant", kind=DateKind.PAGE_MARK, source="query", label="paramètre « avant »"
)


def filters_of(request: web.Request, now: datetime) -> InboxFilters:
    query = request.query
    before = page_mark_of(request, query, BEFORE.name)
    assigned = query.get("attribuee")
    return InboxFilters(
        channel=query.get("canal") or None,
        status=query.get("statut", "open") or None,
        referrer_type=query.get("adresseur") or None,
        assigned_to=viewer_of(request).login if assigned == "moi" else (assigned or None),
        overdue=query.get("retard") == "1",
        now=now,
        before=before,
    )


@needs(Action.INBOX)
@takes_dates(BEFORE)
async def show(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    configured = request.config_dict[DEPARTMENTS].for_slug(department)
    if configured is None:
        raise web.HTTPNotFound(text="département introuvable")
    timezone = configured.calendar.timezone
    now = request.config_dict[CLOCK]()
    filters = filters_of(request, now)
    until = local_today(now, timezone) + DUE_SOON
    async with request.config_dict[SESSIONS]() as session:
        rows = await inbox_page(session, department=department, filters=filters, limit=PAGE_SIZE)
        newest = await newest_request_id(session, departments=[department])
        due = await follow_ups_due(
            session=session, department=department, until=until, limit=FOLLOW_UPS_SHOWN
        )
        names = await account_names(session=session, department=department)
    items = [inbox_item(row, timezone=timezone, now=now, names=names) for row in rows]
    next_page = None
    if len(rows) == PAGE_SIZE:
        last = rows[-1].request
        older = {**request.query, "departement": department}
        older["avant"] = f"{last.received_at.isoformat()}_{last.id}"
        next_page = "/console/?" + urlencode(older)
    return render(
        "inbox.html",
        request,
        {
            "department": department,
            "items": items,
            "follow_ups_due": due_items(configured, due, now=now),
            "filters": request.query,
            "newest": newest,
            "next_page": next_page,
            "live": filters.before is None,
            "channels": CHANNELS,
            "statuses": STATUSES,
            "referrers": {code.value: info.label for code, info in REFERRERS.items()},
        },
    )


@needs(Action.INBOX)
async def live(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each new or changed request of the department, as an inbox row."""
    department = chosen_department(request)
    timezone = request.config_dict[DEPARTMENTS].for_slug(department).calendar.timezone  # type: ignore[union-attr]
    since = request.query.get("depuis") or request.headers.get("Last-Event-ID") or "0"
    last_id = 0 if since == "0" else as_id(since)
    if last_id is None:
        raise web.HTTPBadRequest(text="paramètre « depuis » invalide")
    token = request.cookies.get(SESSION_COOKIE, "")
    live_streams = request.config_dict[LIVE_STREAMS]
    opened = live_streams.open(session=digest(token), account_id=viewer_of(request).account_id)
    if opened is None:
        raise web.HTTPServiceUnavailable(text=TOO_MANY_STREAMS, headers={"Retry-After": "30"})
    try:
        return await _stream(request, opened, token, department, timezone, last_id)
    finally:
        live_streams.closed(opened)


async def _stream(
    request: web.Request,
    opened: Stream,
    token: str,
    department: str,
    timezone: tzinfo,
    last_id: int,
) -> web.StreamResponse:
    stream = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass events on at once
        }
    )
    await stream.prepare(request)
    # The browser going away (page closed, network lost) ends the stream, and so does the app
    # shutting down; the browser reconnects by itself, to another instance if this one is gone.
    with contextlib.suppress(ConnectionResetError):
        await _feed(
            request, stream, opened, token, department=department, timezone=timezone,
            last_id=last_id,
        )  # fmt: skip
        if opened.ending in FAREWELLS:
            data = json.dumps({"message": FAREWELLS[opened.ending]}, ensure_ascii=False)
            await stream.write(f"event: fin\ndata: {data}\n\n".encode())
    return stream


async def _feed(
    request: web.Request,
    stream: web.StreamResponse,
    opened: Stream,
    token: str,
    *,
    department: str,
    timezone: tzinfo,
    last_id: int,
) -> None:
    """Each look at the store sends the rows of the newest page that are new or no longer
    as the browser shows them: a call taken while the page is open changes its row from
    "en cours" to "pris par un référent", a callback past its deadline turns late. Only new
    rows carry an event id, so that a reconnecting browser asks for what came after them."""
    every_s = request.config_dict[SETTINGS].console_live_every_s
    await stream.write(b"retry: 3000\n\n")
    quiet_s = 0.0
    # The rows the browser has, as last sent (the page it loaded is sent once, on the first
    # look, in case a row changed between the page and the stream).
    sent: dict[int, str] = {}
    while not opened.stop.is_set():
        now = request.config_dict[CLOCK]()
        # A short session per look: a stream must not hold a database connection.
        async with request.config_dict[SESSIONS]() as session:
            found = await signed_in(session=session, token=token, now=now)
            if found is None or not reaches(found[1].departments, department):
                opened.end(Ending.SIGNED_OUT)
                return
            rows = await inbox_page(
                session,
                department=department,
                filters=InboxFilters(status=None),
                limit=PAGE_SIZE,
            )
            names = await account_names(session=session, department=department)
        shown: dict[int, str] = {}
        wrote = False
        for row in sorted(rows, key=lambda row: row.request.id or 0):
            item = inbox_item(row, timezone=timezone, now=now, names=names)
            html = shown[item.id] = render_fragment("inbox_row.html", request, {"item": item})
            if sent.get(item.id) == html:
                continue
            data = json.dumps({"id": item.id, "html": html}, ensure_ascii=False)
            event_id = f"id: {item.id}\n" if item.id > last_id else ""
            await stream.write(f"{event_id}event: request\ndata: {data}\n\n".encode())
            last_id = max(last_id, item.id)
            wrote = True
        sent = shown
        quiet_s = 0.0 if wrote else quiet_s + every_s
        if quiet_s >= KEEPALIVE_S:
            await stream.write(b": keepalive\n\n")
            quiet_s = 0.0
        with contextlib.suppress(TimeoutError):  # the next look, unless the stream ends first
            await asyncio.wait_for(opened.stop.wait(), timeout=every_s)


async def end_live_streams(app: web.Application) -> None:
    """For on_shutdown: every open stream returns, so its response ends cleanly at once
    instead of being held open for the shutdown timeout, then cut (aiohttp's docs, "Graceful
    shutdown", close websockets the same way)."""
    app[LIVE_STREAMS].end_all()


def end_session_streams(request: web.Request, token: str) -> None:
    """At sign-out: this instance's streams of the session end now (the others' at their
    next look)."""
    request.config_dict[LIVE_STREAMS].end_session(digest(token))


ROUTES = [
    ("GET", "/", show),
    ("GET", "/flux", live),
]
