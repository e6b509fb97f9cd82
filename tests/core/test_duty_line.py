"""What the duty board says of the line, and when it has something new to say."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from frontdoor.core.duty_line import DutyLine, duty_line, line_news
from frontdoor.core.waiting import Waiter

PARIS = ZoneInfo("Europe/Paris")
NAMES = {"amartin": "Anne Martin", "bleroy": "Bruno Leroy"}


def waiter(request_id: int, hour: int, minute: int) -> Waiter:
    return Waiter(
        request_id=request_id, enqueued_at=datetime(2026, 5, 12, hour, minute, tzinfo=UTC)
    )


def test_a_quiet_line() -> None:
    line = duty_line(busy=(), names=NAMES, waiters=(), timezone=PARIS)

    assert line == DutyLine(
        on_a_call="En ligne : personne", waiting="Aucun appel en attente", callers_waiting=0
    )


def test_referents_on_a_call_by_name_in_order_an_unnamed_one_by_id() -> None:
    line = duty_line(busy={"bleroy", "amartin", "gone"}, names=NAMES, waiters=(), timezone=PARIS)

    assert line.on_a_call == "En ligne : Anne Martin, Bruno Leroy, gone"


def test_one_caller_waits_since_she_entered_the_queue_in_local_time() -> None:
    line = duty_line(busy=(), names=NAMES, waiters=[waiter(1, 8, 2)], timezone=PARIS)

    assert line.waiting == "1 appel en attente depuis 10:02"
    assert line.callers_waiting == 1


def test_several_wait_since_the_longest_waiting_one() -> None:
    waiters = [waiter(2, 8, 7), waiter(1, 8, 2), waiter(3, 8, 9)]

    line = duty_line(busy=(), names=NAMES, waiters=waiters, timezone=PARIS)

    assert line.waiting == "3 appels en attente, le premier depuis 10:02"


def test_a_line_is_sent_once_then_again_only_when_it_says_something_else() -> None:
    quiet = duty_line(busy=(), names=NAMES, waiters=(), timezone=PARIS)
    busy = duty_line(busy={"amartin"}, names=NAMES, waiters=(), timezone=PARIS)

    assert line_news(None, quiet) == quiet
    assert line_news(quiet, duty_line(busy=(), names=NAMES, waiters=(), timezone=PARIS)) is None
    assert line_news(quiet, busy) == busy
