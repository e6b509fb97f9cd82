"""The responses a request got (request_responses), and the triggers that keep each request's
`response_kinds` — what the indicator tallies read — from them.

Whatever adds or removes a response (the console, the API, a directory answer, a bulk load),
the database rewrites the request's kinds in the same transaction; the request's own tally
triggers then count the change, as they count a corrected referrer type.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.request_fields import ResponseType
from frontdoor.core.responses import ResponseChoice
from frontdoor.store.follow_ups import forget_follow_up
from frontdoor.store.models import Request, RequestResponse, Resource
from frontdoor.store.statement_triggers import postgres_trigger

_SQLITE_KINDS = (
    "UPDATE requests SET response_kinds = (SELECT json_group_array(kind) FROM (SELECT DISTINCT "
    "kind FROM request_responses WHERE request_id = {row}.request_id ORDER BY kind)) "
    "WHERE id = {row}.request_id"
)
_POSTGRES_KINDS = (
    "UPDATE requests SET response_kinds = coalesce((SELECT json_agg(DISTINCT x.kind ORDER BY "
    "x.kind) FROM request_responses AS x WHERE x.request_id = requests.id), '[]'::json) "
    "WHERE id IN ({changed})"
)
_EVENTS = ("insert", "update", "delete")


def kinds_trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep requests.response_kinds from request_responses."""
    if dialect == "sqlite":
        rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
        return [
            f"CREATE TRIGGER response_kinds_{event} AFTER {event.upper()} ON request_responses"
            "\nBEGIN\n  "
            + ";\n  ".join(_SQLITE_KINDS.format(row=row) for row in rows[event])
            + ";\nEND"
            for event in _EVENTS
        ]
    changed = {
        "insert": ("REFERENCING NEW TABLE AS new_rows", "SELECT request_id FROM new_rows"),
        "update": (
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "SELECT request_id FROM old_rows UNION SELECT request_id FROM new_rows",
        ),
        "delete": ("REFERENCING OLD TABLE AS old_rows", "SELECT request_id FROM old_rows"),
    }
    return [
        statement
        for event, (referencing, touched) in changed.items()
        for statement in postgres_trigger(
            f"response_kinds_{event}", "request_responses", event, referencing,
            _POSTGRES_KINDS.format(changed=touched),
        )
    ]  # fmt: skip


def kinds_drop_ddl(dialect: str) -> list[str]:
    names = [f"response_kinds_{event}" for event in _EVENTS]
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [f"DROP TRIGGER IF EXISTS {name} ON request_responses" for name in names] + [
        f"DROP FUNCTION IF EXISTS {name}()" for name in names
    ]


async def responses_of(*, session: AsyncSession, request_id: int) -> Sequence[RequestResponse]:
    result = await session.exec(
        select(RequestResponse)
        .where(RequestResponse.request_id == request_id)
        .order_by(col(RequestResponse.at), col(RequestResponse.id))
    )
    return result.all()


async def add_response(
    *,
    session: AsyncSession,
    request: Request,
    choice: ResponseChoice,
    at: datetime,
    by: str | None,
) -> RequestResponse | None:
    """The response, its resource named as the directory names it now; None when the
    resource named is not in the directory."""
    name = None
    if choice.resource_id is not None:
        resource = await session.get(Resource, choice.resource_id)
        if resource is None:
            return None
        name = resource.name
    row = RequestResponse(
        request_id=request.id or 0,
        kind=choice.kind.value,
        at=at,
        by=by,
        resource_id=choice.resource_id,
        resource_name=name,
    )
    session.add(row)
    await session.flush()
    await session.refresh(request, ["response_kinds"])  # as the database rewrote them
    return row


async def informed_from_directory(*, session: AsyncSession, request: Request, at: datetime) -> None:
    """Frontdoor itself answered from the directory (a call's menu, an SMS): simple
    information, recorded once."""
    if ResponseType.INFORMATION not in (request.response_kinds or []):
        choice = ResponseChoice(kind=ResponseType.INFORMATION)
        await add_response(session=session, request=request, choice=choice, at=at, by=None)


async def oriented_by_frontdoor(
    *, session: AsyncSession, request: Request, resource_ids: Sequence[int], at: datetime
) -> None:
    """Frontdoor itself oriented a member of the public (core.orientation): an orientation
    naming each resource read, recorded once each."""
    earlier = await responses_of(session=session, request_id=request.id or 0)
    given = {row.resource_id for row in earlier if row.kind == ResponseType.ORIENTATION}
    for resource_id in resource_ids:
        if resource_id not in given:
            choice = ResponseChoice(kind=ResponseType.ORIENTATION, resource_id=resource_id)
            await add_response(session=session, request=request, choice=choice, at=at, by=None)


async def remove_response(
    *, session: AsyncSession, request: Request, response_id: int
) -> RequestResponse | None:
    """The response removed, if it is one of the request's, with its follow-up."""
    row = await session.get(RequestResponse, response_id)
    if row is None or row.request_id != request.id:
        return None
    await forget_follow_up(session=session, response_id=response_id)
    await session.delete(row)
    await session.flush()
    await session.refresh(request, ["response_kinds"])
    return row
