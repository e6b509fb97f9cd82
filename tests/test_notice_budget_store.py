"""The notice budgets the store keeps (store.notice_budgets): one per department and recipient,
whichever instance decides, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from frontdoor.core.notice_budget import NOTICES, Verdict
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.notice_budgets import held_back, spend, take_summary

AT = datetime(2026, 5, 12, 12, 5, tzinfo=UTC)


async def test_instances_sharing_the_database_spend_one_budget(database_url: str) -> None:
    # Two instances (an engine each), each deciding twenty notices to one referent at once.
    engines = [create_engine(database_url) for _ in range(2)]

    async def decide(index: int) -> Verdict:
        engine = engines[index % 2]
        async with session_maker(engine)() as session:
            choice = await spend(session=session, department="dac46", recipient="amartin",
                                 at=AT + timedelta(seconds=index))  # fmt: skip
            await session.commit()
        return choice.verdict

    try:
        verdicts = await asyncio.gather(*(decide(i) for i in range(40)))
        async with session_maker(engines[0])() as session:
            waiting = await held_back(session=session)
            # An hour after the last of them (they were decided in any order).
            later = AT + NOTICES.window + timedelta(minutes=1)
            summary = await take_summary(session=session, department="dac46",
                                         recipient="amartin", at=later)  # fmt: skip
            again = await take_summary(session=session, department="dac46",
                                       recipient="amartin", at=later)  # fmt: skip
            await session.commit()
            after = await held_back(session=session)
    finally:
        for engine in engines:
            await engine.dispose()

    assert verdicts.count(Verdict.SEND) == NOTICES.limit
    assert verdicts.count(Verdict.HOLD) == 40 - NOTICES.limit
    assert waiting == [("dac46", "amartin")]
    assert summary is not None
    assert summary.count == 40 - NOTICES.limit
    assert again is None  # taken once
    assert after == []


async def test_each_department_and_referent_has_a_budget_of_its_own(database_url: str) -> None:
    engine = create_engine(database_url)
    verdicts: dict[tuple[str, str], list[Verdict]] = {}
    try:
        async with session_maker(engine)() as session:
            for department, recipient in [("dac46", "amartin"), ("dac46", "bleroy"),
                                          ("dac57", "amartin")]:  # fmt: skip
                for minute in range(NOTICES.limit + 1):
                    choice = await spend(session=session, department=department,
                                         recipient=recipient,
                                         at=AT + timedelta(minutes=minute))  # fmt: skip
                    verdicts.setdefault((department, recipient), []).append(choice.verdict)
            await session.commit()
    finally:
        await engine.dispose()

    for each in verdicts.values():
        assert each == [Verdict.SEND] * NOTICES.limit + [Verdict.HOLD]
