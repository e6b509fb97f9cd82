"""Which provider account may act on which department: the deployment's account holds the
departments without a subaccount, a subaccount its own department only."""

from __future__ import annotations

import pytest

from frontdoor.core.ownership import (
    DEPLOYMENT,
    owner_of,
    owns,
    owns_recording,
    same_account,
    signing_account,
)

DEPLOYMENT_SID = "AC" + "0" * 32  # the deployment's own account
MOSELLE_SID = "AC" + "57" * 16  # the Moselle's subaccount
HAUT_RHIN_SID = "AC" + "68" * 16  # the Haut-Rhin's subaccount
UNKNOWN_SID = "AC" + "f" * 32  # named by no department file
SUBACCOUNTS = {"dac57": MOSELLE_SID, "dac68": HAUT_RHIN_SID}


@pytest.mark.parametrize(
    ("account_sid", "department", "owned"),
    [
        pytest.param(DEPLOYMENT_SID, "dac46", True, id="deployment-account-own-department"),
        pytest.param(DEPLOYMENT_SID, "dac57", False, id="deployment-account-subaccount-department"),
        pytest.param(MOSELLE_SID, "dac57", True, id="subaccount-its-department"),
        pytest.param(MOSELLE_SID, "dac46", False, id="subaccount-deployment-department"),
        pytest.param(MOSELLE_SID, "dac68", False, id="subaccount-another-subaccount-department"),
        pytest.param(HAUT_RHIN_SID, "dac57", False, id="another-subaccount"),
        # An unknown AccountSid is checked with the deployment's token: it is the deployment.
        pytest.param(UNKNOWN_SID, "dac46", True, id="unknown-sid-deployment-department"),
        pytest.param(UNKNOWN_SID, "dac57", False, id="unknown-sid-subaccount-department"),
        pytest.param(None, "dac46", True, id="no-sid-deployment-department"),
        pytest.param(None, "dac57", False, id="no-sid-subaccount-department"),
        pytest.param("", "dac57", False, id="empty-sid-subaccount-department"),
        # A department no file names any more: the deployment's, as a number would be.
        pytest.param(DEPLOYMENT_SID, "dac99", True, id="deployment-account-unknown-department"),
        pytest.param(MOSELLE_SID, "dac99", False, id="subaccount-unknown-department"),
    ],
)
def test_an_account_owns_the_departments_whose_numbers_it_holds(
    account_sid: str | None, department: str, owned: bool
) -> None:
    assert owns(department, account_sid, SUBACCOUNTS) is owned


@pytest.mark.parametrize(
    ("account_sid", "account"),
    [
        pytest.param(MOSELLE_SID, MOSELLE_SID, id="a-subaccount-is-itself"),
        pytest.param(DEPLOYMENT_SID, DEPLOYMENT, id="the-deployments-sid"),
        pytest.param(UNKNOWN_SID, DEPLOYMENT, id="an-unknown-sid"),
        pytest.param(None, DEPLOYMENT, id="no-sid"),
    ],
)
def test_a_webhook_is_signed_by_the_subaccount_it_names_else_by_the_deployment(
    account_sid: str | None, account: str
) -> None:
    assert signing_account(account_sid, SUBACCOUNTS) == account


def test_a_department_without_a_subaccount_belongs_to_the_deployment() -> None:
    assert owner_of("dac46", SUBACCOUNTS) == DEPLOYMENT
    assert owner_of("dac57", SUBACCOUNTS) == MOSELLE_SID


def test_without_subaccounts_the_deployment_owns_every_department() -> None:
    assert owns("dac57", UNKNOWN_SID, {})
    assert same_account(UNKNOWN_SID, DEPLOYMENT_SID, {})


@pytest.mark.parametrize(
    ("recording_account", "account_sid", "kept"),
    [
        pytest.param(MOSELLE_SID, MOSELLE_SID, True, id="subaccount-its-own-recording"),
        pytest.param(DEPLOYMENT_SID, MOSELLE_SID, False, id="subaccount-deployments-recording"),
        pytest.param(HAUT_RHIN_SID, MOSELLE_SID, False, id="subaccount-another-subaccounts"),
        pytest.param(DEPLOYMENT_SID, DEPLOYMENT_SID, True, id="deployment-its-own-recording"),
        pytest.param(MOSELLE_SID, DEPLOYMENT_SID, False, id="deployment-a-subaccounts-recording"),
        pytest.param(None, MOSELLE_SID, True, id="a-bare-recording-sid"),
    ],
)
def test_a_recording_is_kept_only_when_it_is_the_signing_accounts(
    recording_account: str | None, account_sid: str, kept: bool
) -> None:
    assert owns_recording(recording_account, account_sid, SUBACCOUNTS) is kept
