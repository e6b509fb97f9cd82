"""The inbox: a department's requests, newest first, filtered; new ones arrive live.

The list shows no personal data (no number, name or message: those are on the request's own
page, where each view is audited), so it can stay open on a screen all day.
The live feed is a server-sent event stream fed from the store (console.live_feed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.follow_up_views import due_items
from frontdoor.console.formats import short_moment
from frontdoor.console.labels import CHANNELS, OUTCOMES, STATUSES, label, name_of
from frontdoor.console.live_feed import SIGNED_OUT, Endings, Event, serve
from frontdoor.console.live_streams import Ending
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.callbacks import past_deadline
from frontdoor.core.follow_ups import DUE_SOON, local_today
from frontdoor.core.referrers import REFERRERS, ReferrerType
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import as_id
from frontdoor.kit.date_parameters import DateKind, DateParameter, page_mark_of, takes_dates
from frontdoor.store.accounts import account_names
from frontdoor.store.follow_ups import follow_ups_due
from frontdoor.store.inbox import InboxFilters, InboxRow, inbox_page, newest_request_id

PAGE_SIZE = 50
# The follow-ups of orientations listed above the requests: overdue and due within a week.
FOLLOW_UPS_SHOWN = 30
# The last event of a stream that is not to come back (the page says why and stops).
ENDINGS = Endings(
    farewells={
        Ending.REPLACED: "Mise à jour en direct arrêtée : la liste est ouverte dans un autre "
        "onglet. Rechargez la page pour la reprendre ici.",
        Ending.SIGNED_OUT: SIGNED_OUT,
    },
    too_many="Trop de listes ouvertes en direct : rechargez la page dans un instant.",
)


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


@dataclass(frozen=True)
class LiveRow:
    """A row of the live inbox, as every stream of the department sends it: made once a look."""

    html: str
    as_new: Event  # to a browser that has not had it: with its id, to resume from
    as_changed: Event  # to one that shows it otherwise


class InboxPage:
    """The newest page of a department's requests as every live inbox of it shows them, by
    request id, made once a look for all the department's viewers. A row is made from its
    item alone (no viewer in it: the pages' StrictUndefined refuses anything else), so one
    viewer's row is every viewer's."""

    def __init__(self, request: web.Request, *, department: str, timezone: tzinfo) -> None:
        self.key = ("inbox", department)
        self.department, self.timezone = department, timezone
        self.row_template = aiohttp_jinja2.get_env(request.app).get_template("inbox_row.html")

    async def read(
        self, session: AsyncSession, *, now: datetime
    ) -> tuple[Sequence[InboxRow], Mapping[str, str]]:
        rows = await inbox_page(
            session,
            department=self.department,
            filters=InboxFilters(status=None),
            limit=PAGE_SIZE,
        )
        return rows, await account_names(session=session, department=self.department)

    def made(
        self, read: tuple[Sequence[InboxRow], Mapping[str, str]], *, now: datetime
    ) -> dict[int, LiveRow]:
        rows, names = read
        items = (inbox_item(row, timezone=self.timezone, now=now, names=names) for row in rows)
        return {item.id: self._live_row(item) for item in sorted(items, key=lambda item: item.id)}

    def _live_row(self, item: InboxItem) -> LiveRow:
        html = self.row_template.render(item=item)
        data = {"id": item.id, "html": html}
        return LiveRow(
            html=html,
            as_new=Event(kind="request", data=data, id=str(item.id)),
            as_changed=Event(kind="request", data=data),
        )


class InboxFeed:
    """Each look sends the rows of the newest page that are new or no longer as the browser
    shows them: a call taken while the page is open changes its row from "en cours" to "pris
    par un référent", a callback past its deadline turns late. Only new rows carry an event
    id, so that a reconnecting browser asks for what came after them."""

    def __init__(self, page: InboxPage, *, last_id: int) -> None:
        self.page = page
        self.last_id = last_id
        # The rows the browser has, as last sent (the page it loaded is sent once, on the
        # first look, in case a row changed between the page and the stream).
        self.sent: Mapping[int, LiveRow] = {}

    def news(self, look: Mapping[int, LiveRow], *, now: datetime) -> list[Event]:
        events = []
        for row_id, row in look.items():
            shown = self.sent.get(row_id)
            if shown is not None and shown.html == row.html:
                continue
            events.append(row.as_new if row_id > self.last_id else row.as_changed)
            self.last_id = max(self.last_id, row_id)
        self.sent = look
        return events


@needs(Action.INBOX)
async def live(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each new or changed request of the department, as an inbox row."""
    department = chosen_department(request)
    timezone = request.config_dict[DEPARTMENTS].for_slug(department).calendar.timezone  # type: ignore[union-attr]
    since = request.query.get("depuis") or request.headers.get("Last-Event-ID") or "0"
    last_id = 0 if since == "0" else as_id(since)
    if last_id is None:
        raise web.HTTPBadRequest(text="paramètre « depuis » invalide")
    page = InboxPage(request, department=department, timezone=timezone)
    feed = InboxFeed(page, last_id=last_id)
    return await serve(request, feed, department=department, endings=ENDINGS)


ROUTES = [
    ("GET", "/", show),
    ("GET", "/flux", live),
]
