"""How a step of a call writes to the store without the ORM's flush: its events in one
statement, read back by its own transaction; its request's changes in one UPDATE of the
columns that changed, shown at once on the row it loaded, which is left with nothing to flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.requests import RequestChanges, event_row, insert_events

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The statements sent to the database from now on, as their first words."""
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()[:2]))

    event.listen(Engine, "before_cursor_execute", seen)
    yield sent
    event.remove(Engine, "before_cursor_execute", seen)


async def a_call(session: AsyncSession) -> Request:
    request = Request(department="dac46", channel="voice", call_sid="CA1", received_at=NOW)
    session.add(request)
    await session.commit()
    await session.refresh(request)  # loaded, as a step finds its call's request
    return request


async def test_events_are_read_back_by_their_own_transaction(session: AsyncSession) -> None:
    request = await a_call(session)
    later = NOW + timedelta(seconds=5)
    await insert_events(session, [
        event_row(request, kind="menu", at=NOW, detail="who: 1"),
        event_row(request, kind="accepted", at=later, attempt=1, referent_id="amartin"),
    ])  # fmt: skip

    found = (await session.exec(select(RequestEvent).order_by(col(RequestEvent.at)))).all()

    assert [(e.kind, e.detail, e.attempt, e.referent_id) for e in found] == [
        ("menu", "who: 1", None, None),
        ("accepted", None, 1, "amartin"),
    ]


async def test_only_the_columns_that_changed_are_written(
    session: AsyncSession, statements: list[str]
) -> None:
    request = await a_call(session)
    changes = RequestChanges(request)
    changes.set({"referrer_type": "hospital", "referrer_source": "menu"})
    # The step's later reads see the change at once, without it being flushed.
    assert request.referrer_type == "hospital"
    statements.clear()

    await changes.write(session)

    assert statements == ["UPDATE requests"]
    assert not session.dirty
    await session.commit()
    stored = (await session.exec(select(Request.referrer_type, Request.referrer_source))).one()
    assert tuple(stored) == ("hospital", "menu")


async def test_a_change_back_to_the_stored_value_writes_nothing(
    session: AsyncSession, statements: list[str]
) -> None:
    request = await a_call(session)
    stored = request.outcome
    changes = RequestChanges(request)
    changes.set({"outcome": "voicemail"})
    changes.set({"outcome": stored})
    statements.clear()

    await changes.write(session)

    assert statements == []
