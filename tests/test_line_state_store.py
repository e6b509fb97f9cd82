"""A step of a call that rings reads the line's state (store.waiting) from the recent events of
its kinds: what it costs follows what the last hours hold, not the requests the department
ever had. Counted in SQLite's own steps (its progress handler), so a busy machine does not
move the figure, on SQLite, whose planner without statistics chose the department's history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy

from frontdoor.core.waiting import LONGEST_CALL
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import upgrade
from frontdoor.store.waiting import _RECENT
from tests.indicators.random_year import fill_with_random_year

# After random_year's 2026: none of its requests is in the line's window.
A_RING = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def steps_of_the_line_read(database: Path) -> int:
    """SQLite's virtual machine steps for the Lot's line state at A_RING, the statement sent as
    the service sends it (its parameters bound by the store's types)."""
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    steps = 0

    def counted() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.set_progress_handler(counted, 1)
        connection.execute(_RECENT, {"department": "dac46", "since": A_RING - LONGEST_CALL}).all()
        raw.set_progress_handler(None, 1)
    engine.dispose()
    return steps


async def test_a_ring_does_not_read_through_the_departments_history(tmp_path: Path) -> None:
    database = tmp_path / "frontdoor.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    on_a_new_line = steps_of_the_line_read(database)

    await fill_with_random_year(engine, seed=7)  # 1,500 requests, about half the Lot's
    await engine.dispose()
    after_a_year = steps_of_the_line_read(database)

    # Before, the Lot's ~750 requests of the year were read: 4,057 steps against 1,065.
    assert after_a_year < on_a_new_line + 100, (on_a_new_line, after_a_year)
