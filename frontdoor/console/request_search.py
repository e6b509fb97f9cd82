"""Searching the department's requests from the inbox's box: by name, number, address,
request number or text of notes and messages (core.request_search, store.request_search).

What is typed travels in POST bodies with the CSRF token, never in a URL (browser history and
logs keep URLs), and the pages of results are asked the same way. The results are inbox rows
(no number, name or message) with why each request answered. Every search is journaled: what
was asked as a pseudonym and how many requests it found, and one line per request shown.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.inbox import inbox_item
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.request_search import MATCH_LABELS, QueryError, RequestQuery, pages, read_query
from frontdoor.directory.imported import e164
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id, read_form
from frontdoor.store.accounts import account_names
from frontdoor.store.request_search import record_search, search_requests

PAGE_SIZE = 25
JOURNALED = "request_search"


def query_of(typed: str) -> RequestQuery:
    """The query typed, its phone number read the way the store holds numbers (E.164)."""
    return read_query(typed, as_number=e164(typed))


@needs(Action.READ_REQUEST)
async def show(request: web.Request) -> web.StreamResponse:
    """The search box alone."""
    return _render(request, {"typed": ""})


@needs(Action.READ_REQUEST)
async def search(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    served = request.config_dict[DEPARTMENTS].for_slug(department)
    if served is None:
        raise web.HTTPNotFound(text="département introuvable")
    form = await read_form(request)
    typed = str(form.get("q", ""))
    try:
        query = query_of(typed)
    except QueryError as error:
        return _render(request, {"typed": typed, "error": str(error)}, status=400)
    page = as_id(str(form.get("page", "1"))) or 1
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        found = await search_requests(
            session=session, department=department, query=query, page=page, size=PAGE_SIZE
        )
        record_search(session, at=now, account=viewer_of(request).login, department=department,
                      query=query, found=found, key=request.config_dict[SETTINGS].pseudonym_secret,
                      action=JOURNALED)  # fmt: skip
        await session.commit()
        names = await account_names(session=session, department=department)
    timezone = served.calendar.timezone
    results = [
        (inbox_item(row, timezone=timezone, now=now, names=names),
         ", ".join(MATCH_LABELS[match] for match in found.why[row.request.id or 0]))
        for row in found.rows
    ]  # fmt: skip
    return _render(
        request,
        {"typed": query.typed, "results": results, "total": found.total, "page": page,
         "pages": pages(found.total, PAGE_SIZE)},
    )  # fmt: skip


def _render(request: web.Request, context: dict[str, object], *, status: int = 200) -> web.Response:
    return render(
        "search.html",
        request,
        {"department": chosen_department(request), "error": None, "results": None, **context},
        status=status,
    )


ROUTES = [
    ("GET", "/recherche", show),
    ("POST", "/recherche", search),
]
