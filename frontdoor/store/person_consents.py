"""The non-oppositions a person's file carries, with their history, and the trace that she
was informed of the DAC's action (and how). The stance in force is core.consents'.

Rows recorded before persons existed carry a request and no person: `stances_of_request`
still finds them for their request's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.consents import InformedHow
from frontdoor.core.request_fields import NON_OPPOSITIONS, STANCES, NonOpposition, Stance
from frontdoor.store.match import equal
from frontdoor.store.models import NonOppositionRecord, Person
from frontdoor.store.person_files import trace


def record_stance(
    *,
    session: AsyncSession,
    person: Person,
    request_id: int | None,
    kind: NonOpposition,
    stance: Stance,
    informed_how: InformedHow | None,
    account: str,
    now: datetime,
) -> NonOppositionRecord:
    """A change of her stance on one non-opposition, noted on the request it was asked on."""
    row = NonOppositionRecord(
        person_id=person.id,
        request_id=request_id,
        kind=kind.value,
        stance=stance.value,
        informed_how=informed_how.value if informed_how else None,
        recorded_by=account,
        recorded_at=now,
    )
    session.add(row)
    trace(session, person, kind="non-opposition", account=account, at=now,
          request_id=request_id,
          detail=f"{NON_OPPOSITIONS[kind]} : {STANCES[stance].lower()}"[:200])  # fmt: skip
    return row


def record_informed(
    *,
    session: AsyncSession,
    person: Person,
    request_id: int | None,
    how: InformedHow,
    template: str | None,
    account: str,
    now: datetime,
) -> None:
    """She was informed of the DAC's action: how, and from which template (never the text)."""
    detail = how.value + (f" : {template}" if template else "")
    trace(session, person, kind="informed", account=account, at=now, request_id=request_id,
          detail=detail)  # fmt: skip


async def stances_of_person(
    *, session: AsyncSession, person_id: int
) -> Sequence[NonOppositionRecord]:
    """Her non-oppositions' history, oldest first."""
    result = await session.exec(
        select(NonOppositionRecord)
        .where(equal(NonOppositionRecord.person_id, person_id))
        .order_by(col(NonOppositionRecord.recorded_at), col(NonOppositionRecord.id))
    )
    return result.all()


async def stances_before_persons(
    *, session: AsyncSession, request_id: int
) -> Sequence[NonOppositionRecord]:
    """The rows recorded on this request before files of persons existed (no person)."""
    result = await session.exec(
        select(NonOppositionRecord)
        .where(
            equal(NonOppositionRecord.request_id, request_id),
            col(NonOppositionRecord.person_id).is_(None),
        )
        .order_by(col(NonOppositionRecord.recorded_at), col(NonOppositionRecord.id))
    )
    return result.all()
