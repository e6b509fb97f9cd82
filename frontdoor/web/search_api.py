"""The search of the console's inbox in the JSON API: GET /api/requests?q=…&page=… (the
list's route, lists_api, answers with it when `q` is asked).

The caller's department only; the same query as the console's (a request number, a phone
number written any way, an address, names folded, text of notes and messages), the same
pages. Journaled as the console's search is (`api_search`): what was asked as a pseudonym
and how many requests it found, then one line per request returned.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.console.request_search import query_of
from frontdoor.core.request_search import QueryError, pages
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id
from frontdoor.kit.callers import caller_of
from frontdoor.store.request_search import record_search, search_requests
from frontdoor.store.requests import public_request

PAGE_SIZE = 50
JOURNALED = "api_search"


async def search(request: web.Request) -> web.Response:
    caller = caller_of(request)
    try:
        query = query_of(request.query.get("q", ""))
    except QueryError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    page = as_id(request.query.get("page", "1"))
    if page is None:
        raise web.HTTPBadRequest(text="page: a whole number from 1")
    async with request.app[SESSIONS]() as session:
        found = await search_requests(
            session=session, department=caller.department, query=query, page=page, size=PAGE_SIZE
        )
        # Journaled before anything is returned.
        record_search(session, at=request.app[CLOCK](), account=caller.journaled_as,
                      department=caller.department, query=query, found=found,
                      key=request.app[SETTINGS].pseudonym_secret, action=JOURNALED)  # fmt: skip
        await session.commit()
    data = [
        {**public_request(row.request), "matched": [str(m) for m in found.why[row.request.id or 0]]}
        for row in found.rows
    ]
    return web.json_response(
        {"data": data, "count": found.total, "page": page, "pages": pages(found.total, PAGE_SIZE)}
    )
