"""Which referents a call rings, in which order."""

from __future__ import annotations

from datetime import datetime

import pytest

from frontdoor.core.department import Department, RingStrategy
from frontdoor.core.routing import MAX_SIMULTANEOUS, plan_route
from tests.core.departments_made import CROWD, MONDAY_10H, PARIS, department

SATURDAY = datetime(2026, 5, 23, 10, 0, tzinfo=PARIS)


SIMULTANEOUS, SEQUENTIAL = RingStrategy.SIMULTANEOUS, RingStrategy.SEQUENTIAL


@pytest.mark.parametrize(
    ("dept", "at", "attempts"),
    [
        pytest.param(department(), MONDAY_10H,
                     [("duty", ("amartin", "bleroy")), ("backup", ("coordination",))],
                     id="simultaneous-duty-then-backup"),
        pytest.param(department(strategy=SEQUENTIAL), MONDAY_10H,
                     [("duty", ("amartin",)), ("duty", ("bleroy",)),
                      ("backup", ("coordination",))],
                     id="sequential-one-at-a-time-then-backup"),
        pytest.param(department(backup=("bleroy", "coordination")), MONDAY_10H,
                     [("duty", ("amartin", "bleroy")), ("backup", ("coordination",))],
                     id="backup-skips-people-already-rung"),
        pytest.param(department(backup=("bleroy", "coordination"), strategy=SEQUENTIAL),
                     MONDAY_10H,
                     [("duty", ("amartin",)), ("duty", ("bleroy",)),
                      ("backup", ("coordination",))],
                     id="sequential-backup-skips-people-already-rung"),
        pytest.param(department(backup=("amartin",)), MONDAY_10H,
                     [("duty", ("amartin", "bleroy"))],
                     id="backup-only-people-on-duty-no-backup-attempt"),
        pytest.param(department(), SATURDAY, [("backup", ("coordination",))],
                     id="nobody-on-duty-backup-only"),
        pytest.param(department(backup=()), SATURDAY, [], id="nobody-on-duty-no-backup"),
        pytest.param(department(strategy=SEQUENTIAL, backup=()), SATURDAY, [],
                     id="sequential-nobody-at-all"),
        pytest.param(department(on_duty=CROWD[:10], backup=()), MONDAY_10H,
                     [("duty", CROWD[:10])], id="ten-ring-at-once"),
        pytest.param(department(on_duty=CROWD), MONDAY_10H,
                     [("duty", CROWD[:10]), ("duty", CROWD[10:]),
                      ("backup", ("coordination",))],
                     id="beyond-ten-the-rest-ring-next"),
    ],
)  # fmt: skip
def test_plan_route(
    dept: Department, at: datetime, attempts: list[tuple[str, tuple[str, ...]]]
) -> None:
    plan = plan_route(dept, at)

    assert [(a.stage, tuple(r.id for r in a.referents)) for a in plan.attempts] == attempts
    assert all(len(a.referents) <= MAX_SIMULTANEOUS for a in plan.attempts)


@pytest.mark.parametrize(
    ("dept", "at", "codes"),
    [
        pytest.param(department(), MONDAY_10H,
                     ["on-duty", "backup-list", "ring-simultaneous"], id="simultaneous"),
        pytest.param(department(strategy=SEQUENTIAL), MONDAY_10H,
                     ["on-duty", "backup-list", "ring-sequential"], id="sequential"),
        pytest.param(department(backup=()), MONDAY_10H,
                     ["on-duty", "ring-simultaneous"], id="no-backup-list"),
        pytest.param(department(backup=()), SATURDAY,
                     ["nobody-on-duty", "ring-simultaneous"], id="nobody-on-duty"),
    ],
)  # fmt: skip
def test_plan_route_reasons(dept: Department, at: datetime, codes: list[str]) -> None:
    assert [r.code for r in plan_route(dept, at).reasons] == codes


def test_plan_route_reasons_are_readable() -> None:
    plan = plan_route(department(strategy=SEQUENTIAL), MONDAY_10H)

    assert [r.text for r in plan.reasons] == [
        "de permanence (lundi 08:30–18:30) : amartin, bleroy",
        "en secours : coordination",
        "sonnerie l'un après l'autre (20 s chacun), puis liste de secours",
    ]
