"""The API's lists: a department's requests, callback tasks and persons, filtered, newest
first, page by page.

One shape for the three: {"data": [...], "count": <rows in this page>, "limit": …,
"next": <the next page's URL, or null at the end>}. `next` carries an opaque cursor
(core.listing): the last row's sort key and the filters, signed; a cursor changed, made for
another list or sent with other filters is answered 400, in French JSON, as is every filter
the list cannot read (an unknown parameter included: a misspelt filter never lists
everything). Days (`from`, `to`) are the department's, from its midnight.

Every row returned is journaled before it is (`api_list`: one audit row per request; a
person's read as `api_person_list`). GET /api/requests?q=… is still the inbox's search
(search_api), by numbered pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from frontdoor.core.channels import Channel
from frontdoor.core.listing import (
    ListingRefused,
    Mark,
    choice,
    cursor_key,
    decode_cursor,
    encode_cursor,
    local_days,
    parse_limit,
)
from frontdoor.core.person_identity import search_words
from frontdoor.core.referrers import ReferrerType
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id
from frontdoor.kit.callers import Caller, caller_of, journal
from frontdoor.kit.date_parameters import DateKind, DateParameter, day_of, takes_dates
from frontdoor.store.inbox import InboxFilters, inbox_page
from frontdoor.store.person_files import PersonFilters, journal_read, persons_page
from frontdoor.store.requests import public_request
from frontdoor.store.tasks import TaskFilters, tasks_page
from frontdoor.web import search_api
from frontdoor.web.persons_api import person_json
from frontdoor.web.tasks_api import task_json

FROM = DateParameter(name="from", kind=DateKind.DAY, source="query", label="from (premier jour)")
TO = DateParameter(name="to", kind=DateKind.DAY, source="query", label="to (dernier jour)")
PAGING = ("limit", "cursor")
REQUEST_FILTERS = ("from", "to", "status", "channel", "referrer_type", "assigned_to", "person_id")
TASK_FILTERS = ("from", "to", "status", "assignee", "overdue")
PERSON_FILTERS = ("from", "to", "q")
STATUSES = frozenset({"open", "closed"})
TASK_STATUSES = frozenset({"open", "closed", "all"})
MAX_TEXT = 120


def refused(text: str) -> web.HTTPBadRequest:
    """400 with the reason in French, as JSON: {"error": "…"}."""
    return web.HTTPBadRequest(
        text=json.dumps({"error": text}, ensure_ascii=False), content_type="application/json"
    )


class Page:
    """What a list request asks: its filters (as sent: what the cursor is bound to), its
    limit, where the previous page ended, and the department's days."""

    def __init__(self, request: web.Request, listing: str, names: Sequence[str]) -> None:
        self.request = request
        self.listing = listing
        self.caller: Caller = caller_of(request)
        query = request.query
        if unknown := sorted(set(query) - {*names, *PAGING}):
            raise refused(
                f"paramètre inconnu : {', '.join(unknown)} (attendus : "
                f"{', '.join([*names, *PAGING])})"
            )
        self.filters = {name: query[name] for name in names if query.get(name)}
        if any(len(value) > MAX_TEXT for value in self.filters.values()):
            raise refused(f"un filtre fait au plus {MAX_TEXT} caractères")
        department = request.app[DEPARTMENTS].for_slug(self.caller.department)
        if department is None:
            raise web.HTTPNotFound(text="no such department")
        self.timezone: ZoneInfo = department.calendar.timezone
        self.key = cursor_key(request.app[SETTINGS].pseudonym_secret)
        try:
            self.limit = parse_limit(query.get("limit"))
            cursor = query.get("cursor")
            self.after = (
                decode_cursor(cursor, key=self.key, listing=listing, filters=self.filters)
                if cursor
                else None
            )
        except ListingRefused as error:
            raise refused(str(error)) from None

    def days(self) -> tuple[datetime | None, datetime | None]:
        first, last = self._day(FROM.name), self._day(TO.name)
        try:
            return local_days(first, last, self.timezone)
        except ListingRefused as error:
            raise refused(str(error)) from None

    def _day(self, name: str) -> date | None:
        try:
            return day_of(self.request, self.request.query, name)
        except web.HTTPBadRequest as error:  # said in French, as plain text: as JSON here
            raise refused(error.text or name) from None

    def choice(self, name: str, allowed: Mapping[str, str] | frozenset[str]) -> str | None:
        try:
            return choice(name, self.filters.get(name), allowed)
        except ListingRefused as error:
            raise refused(str(error)) from None

    def answer(self, data: list[dict[str, Any]], last: Mark | None) -> web.Response:
        """The page; `last`: the sort key of its last row (None when it is empty)."""
        next_url = None
        if last is not None and len(data) == self.limit:
            cursor = encode_cursor(key=self.key, listing=self.listing, filters=self.filters,
                                   mark=last)  # fmt: skip
            asked = {**self.filters, "limit": str(self.limit), "cursor": cursor}
            next_url = f"{self.request.path}?{urlencode(asked)}"
        return web.json_response(
            {"data": data, "count": len(data), "limit": self.limit, "next": next_url}
        )


@takes_dates(FROM, TO)
async def list_requests(request: web.Request) -> web.Response:
    if "q" in request.query:
        return await search_api.search(request)
    page = Page(request, "requests", REQUEST_FILTERS)
    received_from, received_until = page.days()
    person = page.filters.get("person_id")
    person_id = as_id(person)
    if person is not None and person_id is None:
        raise refused("person_id : un numéro de personne est attendu")
    filters = InboxFilters(
        channel=page.choice("channel", frozenset(Channel)),
        status=page.choice("status", STATUSES),
        referrer_type=page.choice("referrer_type", frozenset(ReferrerType)),
        assigned_to=page.filters.get("assigned_to"),
        received_from=received_from,
        received_until=received_until,
        person_id=person_id,
        before=(page.after.at, page.after.id) if page.after else None,
    )
    async with request.app[SESSIONS]() as session:
        rows = await inbox_page(session, department=page.caller.department, filters=filters,
                                limit=page.limit)  # fmt: skip
        found = [row.request for row in rows]
        # Journaled before anything is returned: one row per request listed.
        journal(request, page.caller, session, [r.id or 0 for r in found], "api_list")
        await session.commit()
    last = Mark(at=found[-1].received_at, id=found[-1].id or 0) if found else None
    return page.answer([public_request(r) for r in found], last)


@takes_dates(FROM, TO)
async def list_tasks(request: web.Request) -> web.Response:
    page = Page(request, "tasks", TASK_FILTERS)
    created_from, created_until = page.days()
    status = page.choice("status", TASK_STATUSES) or "open"
    now = request.app[CLOCK]()
    filters = TaskFilters(
        status=None if status == "all" else status,
        assignee=page.filters.get("assignee"),
        overdue_at=now if page.choice("overdue", frozenset({"true", "false"})) == "true" else None,
        created_from=created_from,
        created_until=created_until,
        after=page.after,
    )
    async with request.app[SESSIONS]() as session:
        rows = await tasks_page(session=session, department=page.caller.department,
                                filters=filters, limit=page.limit)  # fmt: skip
        journal(request, page.caller, session, [row.request_id for row in rows], "api_list")
        await session.commit()
    last = Mark(at=rows[-1].created_at, id=rows[-1].id or 0) if rows else None
    return page.answer([task_json(row, now) for row in rows], last)


@takes_dates(FROM, TO)
async def list_persons(request: web.Request) -> web.Response:
    page = Page(request, "persons", PERSON_FILTERS)
    created_from, created_until = page.days()
    named = page.filters.get("q")
    if named is not None and not search_words(named):
        raise refused("q : au moins un mot d'un nom est attendu")
    filters = PersonFilters(named=named, created_from=created_from, created_until=created_until,
                            after=page.after)  # fmt: skip
    async with request.app[SESSIONS]() as session:
        persons = await persons_page(session=session, department=page.caller.department,
                                     filters=filters, limit=page.limit)  # fmt: skip
        at = request.app[CLOCK]()
        for person in persons:
            journal_read(session, person, account=page.caller.journaled_as, at=at,
                         action="api_person_list")  # fmt: skip
        await session.commit()
        data = [await person_json(session, person) for person in persons]
    last = Mark(at=persons[-1].created_at, id=persons[-1].id or 0) if persons else None
    return page.answer(data, last)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/requests", list_requests, allow_head=False)
    app.router.add_get("/api/tasks", list_tasks, allow_head=False)
    app.router.add_get("/api/persons", list_persons, allow_head=False)
