"""One Twilio subaccount per department, where a region wants billing and numbers apart:
each webhook is checked with the token of the account that owns the number, and the
department's SMS leave through its own account."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.department_file.load import ConfigError, load_departments
from frontdoor.departments import Departments
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import AUTH_TOKEN
from tests.web.calls import LOT, MOSELLE, stored
from tests.web.subaccounts import (
    DEFAULT_SID,
    MOSELLE_SID,
    MOSELLE_TOKEN,
    PROMPTS,
    flows_with_moselle_subaccount,
    signed_as,
)


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


@pytest.fixture
def app_departments(subaccount_departments: Departments) -> Departments:
    return subaccount_departments


async def test_a_call_to_the_moselle_is_checked_with_its_subaccounts_token(
    client: TestClient, wired_settings: Settings
) -> None:
    result = await signed_as(client, token=MOSELLE_TOKEN, account_sid=MOSELLE_SID).call(
        from_="+33611223344", to=MOSELLE, person=ScriptedPerson(["1", "1"], message="")
    )

    assert "Bonjour" in result.transcript[0].text or result.transcript
    [request], _ = await stored(wired_settings)
    assert request.department == "dac57"


async def test_the_deployments_token_no_longer_speaks_for_the_moselle(client: TestClient) -> None:
    response = await signed_as(client, token=AUTH_TOKEN, account_sid=DEFAULT_SID).post(
        "/twilio/voice",
        {
            "CallSid": "CA" + "1" * 32,
            "From": "+33611223344",
            "To": MOSELLE,
            "AccountSid": DEFAULT_SID,
        },
    )

    assert response.status == 403


async def test_the_moselles_token_does_not_speak_for_the_lot(
    client: TestClient, wired_settings: Settings
) -> None:
    response = await signed_as(client, token=MOSELLE_TOKEN, account_sid=MOSELLE_SID).post(
        "/twilio/voice",
        {"CallSid": "CA" + "2" * 32, "From": "+33611223344", "To": LOT, "AccountSid": MOSELLE_SID},
    )

    assert response.status == 403
    assert await stored(wired_settings) == ([], [])


async def test_the_lot_keeps_the_deployments_account(client: TestClient) -> None:
    response = await signed_as(client, token=AUTH_TOKEN, account_sid=DEFAULT_SID).post(
        "/twilio/voice",
        {"CallSid": "CA" + "3" * 32, "From": "+33611223344", "To": LOT, "AccountSid": DEFAULT_SID},
    )

    assert response.status == 200


async def test_a_moselle_sms_answer_leaves_through_the_moselle_subaccount(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await signed_as(client, token=MOSELLE_TOKEN, account_sid=MOSELLE_SID).call(
        from_="+33611223344", to=MOSELLE, person=ScriptedPerson(["1", "1"], message="")
    )
    [request], _ = await stored(wired_settings)
    # The fake answers for the subaccount only: the deployment's credentials would get 401.
    twilio_api.account_sid, twilio_api.auth_token = MOSELLE_SID, MOSELLE_TOKEN

    response = await client.post(
        f"/api/requests/{request.id}/sms",
        json={"body": "Nous vous rappelons."},
        headers={"Authorization": "Bearer key-dac57-dweber"},
    )

    assert response.status == 201
    assert twilio_api.requests[-1].username == MOSELLE_SID


def test_a_department_file_naming_a_missing_token_is_refused(tmp_path: Path) -> None:
    folder = flows_with_moselle_subaccount(tmp_path, 'auth_token_env = "NOT_SET_ANYWHERE_57"')

    with pytest.raises(ConfigError) as refused:
        load_departments(folder, PROMPTS)

    assert "twilio.auth_token_env: 'NOT_SET_ANYWHERE_57' is not set in the environment" in str(
        refused.value
    )


def test_a_token_may_come_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "twilio_dac57"
    secret.write_text(MOSELLE_TOKEN + "\n", encoding="utf-8")
    flows = tmp_path / "flows"
    flows.mkdir()
    folder = flows_with_moselle_subaccount(flows, f'auth_token_file = "{secret}"')

    moselle = next(d for d in load_departments(folder, PROMPTS).values() if d.slug == "dac57")

    assert moselle.twilio is not None
    assert moselle.twilio.account_sid == MOSELLE_SID
