"""Who may do what: the roles' rights, as the national framework and the DAC's team split them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdoor.core.access import (
    ALLOWED,
    Action,
    Role,
    allowed,
    may_edit_resource,
    reaches,
    resource_owners,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_every_action_names_who_may_do_it() -> None:
    assert set(ALLOWED) == set(Action)


@pytest.mark.parametrize(
    "action",
    [
        Action.INBOX,
        Action.READ_REQUEST,
        Action.WORK_REQUEST,
        Action.EXPORT_PERSON,
        Action.MANAGE_CONTACTS,
    ],
)
def test_an_operator_reaches_no_request_content(action: Action) -> None:
    assert not allowed(Role.OPERATOR, action)


def test_an_operator_consolidates_indicators_and_sees_who_is_on_duty() -> None:
    assert allowed(Role.OPERATOR, Action.SEE_INDICATORS)
    assert allowed(Role.OPERATOR, Action.SEE_DUTY)


def test_only_the_coordinator_overrides_duty_reads_the_audit_and_exports_a_person() -> None:
    for action in (
        Action.OVERRIDE_DUTY,
        Action.READ_AUDIT,
        Action.EXPORT_PERSON,
        Action.ERASE_PERSON,
    ):
        assert [role for role in Role if allowed(role, action)] == [Role.COORDINATOR]


def test_referents_work_requests_but_see_no_indicators_or_audit() -> None:
    assert allowed(Role.REFERENT, Action.WORK_REQUEST)
    assert not allowed(Role.REFERENT, Action.SEE_INDICATORS)
    assert not allowed(Role.REFERENT, Action.READ_AUDIT)


def test_an_account_reaches_only_its_own_departments() -> None:
    assert reaches(("dac46",), "dac46")
    assert not reaches(("dac46",), "dac57")
    assert not reaches((), "dac46")


# Two DACs share the Nord; the Lot and the Moselle have one each.
TERRITORIES = {"dac46": {"46"}, "dac57": {"57"}, "dac59-lille": {"59"}, "dac59-flandre": {"59"}}


@pytest.mark.parametrize(
    ("departement", "owners"),
    [
        pytest.param("46", {"dac46"}, id="one-dac"),
        pytest.param("59", {"dac59-lille", "dac59-flandre"}, id="a-shared-departement"),
        pytest.param("12", set(), id="a-departement-no-dac-covers"),
        pytest.param(None, set(), id="no-departement-known"),
        pytest.param("", set(), id="empty"),
    ],
)
def test_a_resource_belongs_to_the_dacs_whose_territory_holds_it(
    departement: str | None, owners: set[str]
) -> None:
    assert resource_owners(departement, TERRITORIES) == owners


_R = Role
# (id, role, the account's departments, the resource's owners, may edit)
EDITS = [
    ("a referent, her department's", _R.REFERENT, ("dac46",), {"dac46"}, True),
    ("a coordinator, his department's", _R.COORDINATOR, ("dac46",), {"dac46"}, True),
    ("a referent, another department's", _R.REFERENT, ("dac57",), {"dac46"}, False),
    ("a coordinator, another department's", _R.COORDINATOR, ("dac57",), {"dac46"}, False),
    ("a referent, a shared one", _R.REFERENT, ("dac59-lille",), {"dac59-lille", "dac59-flandre"},
     True),
    ("a referent, one of no department", _R.REFERENT, ("dac46",), set(), False),
    ("the territory level, one of no department", _R.OPERATOR, ("dac46", "dac57"), set(), True),
    ("the territory level, a department's", _R.OPERATOR, ("dac46", "dac57"), {"dac46"}, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("role", "departments", "owners", "may"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS]
)
def test_a_resource_is_corrected_by_its_departments_staff_or_else_the_territory_level(
    role: Role, departments: tuple[str, ...], owners: set[str], may: bool
) -> None:
    assert may_edit_resource(role, departments, owners) is may
