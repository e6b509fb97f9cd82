"""What the dial action reads of a ring that ended (store.requests.ring_end), in one statement:
who pressed 1 during that attempt, on the bridged leg when Twilio names it, and whether that
leg left the caller's <Dial> for a warm transfer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import overflow, transfer
from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.requests import RingEnd, ring_end

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


async def a_call_with(session: AsyncSession, *events: RequestEvent) -> int:
    request = Request(department="dac46", channel="voice", call_sid="CA1", received_at=NOW)
    session.add(request)
    await session.flush()
    assert request.id is not None
    for offset, made in enumerate(events):
        made.request_id, made.at = request.id, NOW + timedelta(seconds=offset)
        session.add(made)
    await session.commit()
    return request.id


def pressed_1(referent: str, *, attempt: int, leg: str, detail: str | None = None) -> RequestEvent:
    return RequestEvent(request_id=0, at=NOW, kind="accepted", referent_id=referent,
                        attempt=attempt, leg_sid=leg, detail=detail)  # fmt: skip


def transfer_asked(mode: transfer.Mode, *, leg: str | None) -> RequestEvent:
    return RequestEvent(request_id=0, at=NOW, kind=transfer.REQUESTED, referent_id="amartin",
                        leg_sid=leg, detail=f"{mode.value}:bdupont")  # fmt: skip


async def test_the_referent_who_took_the_ring_and_her_warm_transfer_in_one_statement(
    session: AsyncSession, statements: list[str]
) -> None:
    call = await a_call_with(session, pressed_1("amartin", attempt=1, leg="CL1"),
                             transfer_asked(transfer.Mode.WARM, leg="CL1"))  # fmt: skip
    statements.clear()

    found = await ring_end(session=session, request_id=call, attempt=1, leg_sid="CL1")

    assert found == RingEnd(taker="amartin", consulting=True)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


async def test_only_the_bridged_leg_and_its_attempt_count(session: AsyncSession) -> None:
    call = await a_call_with(
        session,
        pressed_1("amartin", attempt=1, leg="CL1"),  # an earlier attempt
        pressed_1("bdupont", attempt=2, leg="CL2"),  # another leg of this attempt
        transfer_asked(transfer.Mode.WARM, leg="CL2"),
        pressed_1("cleroy", attempt=2, leg="CL3"),
    )

    found = await ring_end(session=session, request_id=call, attempt=2, leg_sid="CL3")

    assert found == RingEnd(taker="cleroy", consulting=False)


async def test_a_cold_transfer_leaves_no_leg_consulting(session: AsyncSession) -> None:
    call = await a_call_with(session, pressed_1("amartin", attempt=1, leg="CL1"),
                             transfer_asked(transfer.Mode.COLD, leg="CL1"))  # fmt: skip

    found = await ring_end(session=session, request_id=call, attempt=1, leg_sid="CL1")

    assert found == RingEnd(taker="amartin", consulting=False)


async def test_without_the_leg_the_first_press_of_the_attempt_and_no_transfer(
    session: AsyncSession,
) -> None:
    call = await a_call_with(session, pressed_1("amartin", attempt=1, leg="CL1"),
                             pressed_1("bdupont", attempt=1, leg="CL2"),
                             transfer_asked(transfer.Mode.WARM, leg="CL1"))  # fmt: skip

    found = await ring_end(session=session, request_id=call, attempt=1, leg_sid=None)

    assert found == RingEnd(taker="amartin", consulting=False)


async def test_the_overflow_line_is_named_as_such(session: AsyncSession) -> None:
    call = await a_call_with(session, pressed_1("", attempt=3, leg="CL9", detail=overflow.TAKER))

    found = await ring_end(session=session, request_id=call, attempt=3, leg_sid="CL9")
    nobody = await ring_end(session=session, request_id=call, attempt=1, leg_sid="CL1")

    assert found == RingEnd(taker=overflow.TAKER, consulting=False)
    assert nobody == RingEnd(taker=None, consulting=False)
