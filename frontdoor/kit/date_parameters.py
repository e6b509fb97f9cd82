"""Dates read from query strings and forms, for the console and the API.

Each handler names the dates it takes (`takes_dates`, like `needs` names its action) and reads
them through the functions below, which parse them with frontdoor.core.dates: a date the
service cannot mean (year 9999 or 0001, garbage, a huge number) is answered 400 with a French
message naming the field, and never reaches a calendar. Reading a date the handler did not
name is a programming error (LookupError), so the declaration stays complete:
tests/fuzz/test_date_parameters.py walks every route of the app and sends each named date
the worst values it knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Literal, TypeVar

from aiohttp import web

from frontdoor.core.dates import parse_day, parse_instant, parse_wall_time, parse_year
from frontdoor.indicators.periods import Period
from frontdoor.kit.bodies import as_id


class DateKind(StrEnum):
    DAY = "day"  # 2026-05-12
    TIME = "time"  # 08:30
    INSTANT = "instant"  # 2026-05-12T10:00:00+02:00
    PERIOD = "period"  # 2026-10, 2026-Q3, 2026
    YEAR = "year"  # 2026
    PAGE_MARK = "page_mark"  # 2026-05-12T10:00:00+02:00_42: an instant and an id (the inbox)


@dataclass(kw_only=True, frozen=True)
class DateParameter:
    name: str
    kind: DateKind
    source: Literal["query", "form"]
    label: str  # in French, as the answer names it: "date de début"


Handler = TypeVar("Handler")
T = TypeVar("T")


def takes_dates(*parameters: DateParameter) -> Callable[[Handler], Handler]:
    """Names the dates a handler reads (the fuzz sends each of them year 9999)."""

    def mark(handler: Handler) -> Handler:
        handler.date_parameters = parameters  # type: ignore[attr-defined]
        return handler

    return mark


def date_parameters_of(handler: Any) -> tuple[DateParameter, ...]:
    return tuple(getattr(handler, "date_parameters", ()))


def _declared(request: web.Request, values: Mapping[str, Any], name: str) -> DateParameter:
    handler = getattr(request.match_info, "handler", None)
    for parameter in date_parameters_of(handler):
        if parameter.name == name:
            if (parameter.source == "query") != (values is request.query):
                raise LookupError(f"{name}: read from the {parameter.source}, as declared")
            return parameter
    raise LookupError(f"{name}: a date its handler does not name in @takes_dates")


def _read(
    request: web.Request, values: Mapping[str, Any], name: str, parse: Callable[[str], T]
) -> T | None:
    parameter = _declared(request, values, name)
    text = values.get(name)
    if text is None or text == "":
        return None
    if not isinstance(text, str):  # a file posted where a date was expected
        raise web.HTTPBadRequest(text=f"{parameter.label} : une date est attendue")
    try:
        return parse(text)
    except ValueError as refused:  # core.dates.DateRefused, or the period's own message
        raise web.HTTPBadRequest(text=f"{parameter.label} : {refused}") from None


def day_of(request: web.Request, values: Mapping[str, Any], name: str) -> date | None:
    return _read(request, values, name, parse_day)


def wall_time_of(request: web.Request, values: Mapping[str, Any], name: str) -> time | None:
    return _read(request, values, name, parse_wall_time)


def instant_of(request: web.Request, values: Mapping[str, Any], name: str) -> datetime | None:
    return _read(request, values, name, parse_instant)


def period_of(request: web.Request, values: Mapping[str, Any], name: str) -> Period | None:
    return _read(request, values, name, Period.parse)


def year_of(request: web.Request, values: Mapping[str, Any], name: str) -> int | None:
    return _read(request, values, name, parse_year)


def page_mark_of(
    request: web.Request, values: Mapping[str, Any], name: str
) -> tuple[datetime, int] | None:
    return _read(request, values, name, _page_mark)


def _page_mark(text: str) -> tuple[datetime, int]:
    at, _, mark_id = text.partition("_")
    found = as_id(mark_id)
    if found is None:
        raise ValueError(f"« {text[:32]} » : un instant et un numéro sont attendus")
    return parse_instant(at), found
