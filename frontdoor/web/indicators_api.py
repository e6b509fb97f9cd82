"""The indicator table in the JSON API: GET /api/indicators?period=2026-05 (a month, a quarter
"2026-Q2" or a year "2026"; this month by default), the caller's department.

The same table as the console's indicators page, its CSV and XLSX and `frontdoor report`
(indicators.queries.indicator_table), as JSON (indicators.export_json). Aggregates only: no
request is read, so nothing is journaled. The scope indicators:read (a coordinator's or an
operator's token); a static key, which acts as a referent, is refused.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.indicators.export_json import to_json
from frontdoor.indicators.periods import Period, PeriodKind
from frontdoor.indicators.queries import indicator_table
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.callers import caller_of, require_scope
from frontdoor.kit.date_parameters import DateKind, DateParameter, period_of, takes_dates

PERIOD = DateParameter(name="period", kind=DateKind.PERIOD, source="query", label="période")


@takes_dates(PERIOD)
async def get_indicators(request: web.Request) -> web.Response:
    caller = caller_of(request)
    require_scope(caller, "indicators:read")
    department = request.app[DEPARTMENTS].for_slug(caller.department)
    if department is None:
        raise web.HTTPNotFound(text="no such department")
    now = request.app[CLOCK]().astimezone(department.calendar.timezone)
    period = period_of(request, request.query, PERIOD.name) or Period(
        kind=PeriodKind.MONTH, year=now.year, number=now.month
    )
    async with request.app[SESSIONS]() as session:
        table = await indicator_table(session, departments=[department], period=period)
    return web.json_response(to_json(table))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/indicators", get_indicators, allow_head=False)
