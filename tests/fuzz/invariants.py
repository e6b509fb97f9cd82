"""What the store must never hold, whatever was posted: rows written half.

`half_written(settings)` names each broken rule with the ids it found; an empty list is a
store where every request, event, message, task and webhook answer is whole. Any test that
throws odd traffic at the app can end with `assert await half_written(settings) == []`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine


@dataclass(kw_only=True, frozen=True)
class Invariant:
    name: str
    # Selects the ids of the rows that break the rule (none when it holds).
    offenders: str


INVARIANTS = (
    Invariant(
        name="every request has its first event",
        offenders="SELECT r.id FROM requests r WHERE NOT EXISTS "
        "(SELECT 1 FROM request_events e WHERE e.request_id = r.id)",
    ),
    Invariant(
        name="every event belongs to a request",
        offenders="SELECT e.id FROM request_events e WHERE NOT EXISTS "
        "(SELECT 1 FROM requests r WHERE r.id = e.request_id)",
    ),
    Invariant(
        name="every message belongs to a request",
        offenders="SELECT m.id FROM messages m WHERE NOT EXISTS "
        "(SELECT 1 FROM requests r WHERE r.id = m.request_id)",
    ),
    Invariant(
        name="every callback task belongs to a request",
        offenders="SELECT t.id FROM callback_tasks t WHERE NOT EXISTS "
        "(SELECT 1 FROM requests r WHERE r.id = t.request_id)",
    ),
    Invariant(
        name="no webhook answer kept is a server error",
        offenders="SELECT w.key FROM webhook_receipts w WHERE w.status >= 500",
    ),
    Invariant(
        name="a voice request's call is the one it was opened for",
        offenders="SELECT r.id FROM requests r WHERE r.channel = 'voice' "
        "AND (r.call_sid IS NULL OR r.call_sid = '')",
    ),
)


async def half_written(settings: Settings) -> list[str]:
    """Each invariant of INVARIANTS the store breaks, with (at most ten of) its offenders."""
    engine = create_engine(settings.database_url)
    broken: list[str] = []
    try:
        async with engine.connect() as connection:
            for invariant in INVARIANTS:
                rows = (await connection.execute(text(invariant.offenders))).all()
                if rows:
                    ids = ", ".join(str(row[0]) for row in rows[:10])
                    broken.append(f"{invariant.name}: broken by {len(rows)} rows ({ids})")
    finally:
        await engine.dispose()
    return broken
