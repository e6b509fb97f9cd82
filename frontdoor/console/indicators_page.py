"""The indicators in the console: a month, a quarter or a year, for one department or, for an
operator, the region's consolidation; exported as CSV or as an XLSX report.

Aggregates only, no request content: the operator reaches them too. The figures the store
cannot compute (staff, funding by source, the territory's GPs with the count's source) are
entered here by the coordinator.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.pages import render
from frontdoor.core.access import Action, reaches
from frontdoor.core.department import Department
from frontdoor.core.figures import FUNDING_SOURCES, FundingSource
from frontdoor.core.indicators import IndicatorTable
from frontdoor.indicators.export_csv import to_csv
from frontdoor.indicators.export_xlsx import to_xlsx
from frontdoor.indicators.formatting import share_text, value_text
from frontdoor.indicators.periods import Period, PeriodKind
from frontdoor.indicators.queries import indicator_table
from frontdoor.keys import CLOCK, CPU_PROCESSES, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import read_form
from frontdoor.kit.date_parameters import (
    DateKind,
    DateParameter,
    period_of,
    takes_dates,
    year_of,
)
from frontdoor.store.figures import figures_of, save_figures

ALL = "tous"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _departments(request: web.Request) -> list[Department]:
    """The departments asked for: one of the viewer's, or all of them (?departement=tous)."""
    viewer = viewer_of(request)
    wanted = request.query.get("departement") or viewer.departments[0]
    slugs = viewer.departments if wanted == ALL else (wanted,)
    found = [request.config_dict[DEPARTMENTS].for_slug(slug) for slug in slugs]
    if not all(reaches(viewer.departments, slug) for slug in slugs) or None in found:
        raise web.HTTPNotFound(text="département introuvable")
    return [department for department in found if department is not None]


PERIOD = DateParameter(name="periode", kind=DateKind.PERIOD, source="query", label="période")
YEAR = DateParameter(name="year", kind=DateKind.YEAR, source="form", label="année")


def _period(request: web.Request) -> Period:
    """The period asked for (?periode=), else this month."""
    asked = period_of(request, request.query, PERIOD.name)
    now = request.config_dict[CLOCK]()
    return asked or Period(kind=PeriodKind.MONTH, year=now.year, number=now.month)


async def _table(
    request: web.Request, departments: Sequence[Department], period: Period
) -> IndicatorTable:
    async with request.config_dict[SESSIONS]() as session:
        return await indicator_table(session, departments=departments, period=period)


@needs(Action.SEE_INDICATORS)
@takes_dates(PERIOD)
async def show(request: web.Request) -> web.StreamResponse:
    departments = _departments(request)
    period = _period(request)
    table = await _table(request, departments, period)
    viewer = viewer_of(request)
    figures = None
    if len(departments) == 1 and viewer.may(Action.ENTER_FIGURES):
        async with request.config_dict[SESSIONS]() as session:
            found = await figures_of(session, departments=[departments[0].slug], year=period.year)
            figures = found.get(departments[0].slug)
    query = f"departement={request.query.get('departement') or departments[0].slug}"
    query += f"&periode={period.code}"
    return render(
        "indicators.html",
        request,
        {
            "table": table,
            "period": period,
            "query": query,
            "departments": departments,
            "choices": viewer.departments,
            "chosen": request.query.get("departement") or departments[0].slug,
            "all": ALL,
            "value_text": value_text,
            "share_text": share_text,
            "figures": figures,
            "may_enter": len(departments) == 1 and viewer.may(Action.ENTER_FIGURES),
            "funding_sources": FUNDING_SOURCES,
            "unsplit": FundingSource.UNSPLIT,
        },
    )


@needs(Action.SEE_INDICATORS)
@takes_dates(PERIOD)
async def export_csv(request: web.Request) -> web.StreamResponse:
    period = _period(request)
    table = await _table(request, _departments(request), period)
    body = await request.config_dict[CPU_PROCESSES].run("indicators_csv", to_csv, table)
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="indicateurs-{period.code}.csv"'},
    )


@needs(Action.SEE_INDICATORS)
@takes_dates(PERIOD)
async def export_xlsx(request: web.Request) -> web.StreamResponse:
    period = _period(request)
    table = await _table(request, _departments(request), period)
    # openpyxl takes tens of milliseconds for a workbook, in pure Python: in a process.
    processes = request.config_dict[CPU_PROCESSES]
    workbook = await processes.run("indicators_xlsx", to_xlsx, table)
    return web.Response(
        body=workbook,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="indicateurs-{period.code}.xlsx"'},
    )


def _number(typed: object) -> float | None:
    """A figure as a French person types it: "12,5", "450 000"; empty: not entered."""
    text = str(typed or "").strip().replace(",", ".").replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise web.HTTPBadRequest(text=f"« {text} » n'est pas un nombre") from None
    if value < 0:
        raise web.HTTPBadRequest(text="un nombre positif est attendu")
    return value


def _whole(typed: object) -> int | None:
    value = _number(typed)
    return None if value is None else round(value)


@needs(Action.ENTER_FIGURES)
@takes_dates(YEAR, PERIOD)
async def enter_figures(request: web.Request) -> web.StreamResponse:
    [department] = _departments(request)[:1]
    form = await read_form(request)
    year = year_of(request, form, YEAR.name)
    if year is None:
        raise web.HTTPBadRequest(text="année : à renseigner")
    if year > (latest := request.config_dict[CLOCK]().year + 1):
        raise web.HTTPBadRequest(text=f"année : {latest} au plus")
    shown = period_of(request, request.query, PERIOD.name)  # the page to go back to
    async with request.config_dict[SESSIONS]() as session:
        await save_figures(
            session,
            department=department.slug,
            year=year,
            staff_fte=_number(form.get("staff_fte")),
            funding={s: _whole(form.get(f"funding_{s.value}")) for s in FundingSource},
            territory_gps=_whole(form.get("territory_gps")),
            territory_gps_source=str(form.get("territory_gps_source") or ""),
            by=viewer_of(request).login,
            at=request.config_dict[CLOCK](),
        )
    period = shown.code if shown else str(year)
    raise web.HTTPSeeOther(f"/console/indicateurs?departement={department.slug}&periode={period}")


ROUTES = [
    ("GET", "/indicateurs", show),
    ("GET", "/indicateurs.csv", export_csv),
    ("GET", "/indicateurs.xlsx", export_xlsx),
    ("POST", "/indicateurs/chiffres", enter_figures),
]
