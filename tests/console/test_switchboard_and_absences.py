"""The assistante de coordination answers first and hands requests to the referents; a
referent declares her own absence, which every call then respects."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.access import Role
from frontdoor.keys import Clock
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    Person,
    create_accounts,
    sign_in,
)
from tests.console.requests_made import a_voicemail, the_request
from tests.web.calls import AMARTIN, BLEROY, LOT, TUESDAY_MORNING, place_call, rung

SWITCHBOARD = Person("accueil@dac46.fr", Role.SWITCHBOARD, ("dac46",))
BOARD = "/console/astreinte?departement=dac46"
ADMINISTRATION = ("/console/indicateurs", "/console/journal", "/console/jetons", "/console/equipe")


@pytest.fixture
def app_clock() -> Clock:
    return lambda: TUESDAY_MORNING


async def test_the_switchboard_reads_a_request_and_gives_it_to_a_referent_by_name(
    client: TestClient, app_settings: Settings
) -> None:
    await create_accounts(app_settings, (SWITCHBOARD,))
    voicemail = await a_voicemail(client, app_settings)
    desk = await sign_in(client, SWITCHBOARD)

    page = await (await desk.get(f"/console/demandes/{voicemail.id}")).text()
    given = await desk.post(
        f"/console/demandes/{voicemail.id}/attribution", {"to": LOT_REFERENT.login}
    )
    noted = await desk.post(f"/console/demandes/{voicemail.id}/notes", {"body": "à rappeler"})

    assert "Confier à" in page
    assert "anne.martin" in page  # the referent's account, by its name
    assert (given.status, noted.status) == (303, 303)
    assert (await the_request(app_settings, voicemail.id or 0)).assigned_to == LOT_REFERENT.login


async def test_the_switchboard_has_no_indicators_administration_or_qualification(
    client: TestClient, app_settings: Settings
) -> None:
    await create_accounts(app_settings, (SWITCHBOARD,))
    voicemail = await a_voicemail(client, app_settings)
    desk = await sign_in(client, SWITCHBOARD)

    statuses = [
        (await desk.get(path)).status
        for path in (
            "/console/indicateurs",
            "/console/journal",
            "/console/jetons",
            "/console/equipe",
        )
    ]
    qualified = await desk.post(
        f"/console/demandes/{voicemail.id}/qualification", {"referrer_type": "gp"}
    )
    inbox = await desk.get("/console/")

    assert statuses == [403, 403, 403, 403]
    assert qualified.status == 403
    assert inbox.status == 200
    assert "Jetons d'API" not in await inbox.text()


async def test_a_request_cannot_be_given_to_someone_outside_the_department(
    client: TestClient, app_settings: Settings
) -> None:
    await create_accounts(app_settings, (SWITCHBOARD,))
    voicemail = await a_voicemail(client, app_settings)
    desk = await sign_in(client, SWITCHBOARD)

    response = await desk.post(
        f"/console/demandes/{voicemail.id}/attribution", {"to": "d.weber@dac57.fr"}
    )

    assert response.status == 400
    assert (await the_request(app_settings, voicemail.id or 0)).assigned_to is None


async def test_a_referent_declares_her_absence_and_calls_skip_her_until_she_cancels_it(
    client: TestClient,
) -> None:
    referent = await sign_in(client, LOT_REFERENT)

    declared = await referent.post(
        "/console/astreinte/absences?departement=dac46",
        {"starts_date": "2026-05-12", "ends_date": "2026-05-13", "reason": "congé"},
    )
    during = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )
    board = await (await referent.get(BOARD)).text()
    absence = board.split("/console/astreinte/absences/", 1)[1].split("/", 1)[0]
    cancelled = await referent.post(
        f"/console/astreinte/absences/{absence}/suppression?departement=dac46"
    )
    after = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    assert (declared.status, cancelled.status) == (303, 303)
    assert AMARTIN not in rung(during)
    assert rung(during)[0] == BLEROY
    assert "absence : congé" in board
    assert rung(after)[0] == AMARTIN


async def test_a_referent_declares_only_her_own_absence(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)

    response = await referent.post(
        "/console/astreinte/absences?departement=dac46",
        {"referent_id": "bleroy", "starts_date": "2026-05-12", "ends_date": "2026-05-12"},
    )

    assert response.status == 400
    assert "votre propre absence" in await response.text()


async def test_the_coordinator_declares_anyones_absence_which_a_referent_cannot_cancel(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    await coordinator.post(
        "/console/astreinte/absences?departement=dac46",
        {"referent_id": "bleroy", "starts_date": "2026-05-12", "ends_date": "2026-05-12"},
    )
    board = await (await coordinator.get(BOARD)).text()
    absence = board.split("/console/astreinte/absences/", 1)[1].split("/", 1)[0]
    referent = await sign_in(client, LOT_REFERENT)

    refused = await referent.post(
        f"/console/astreinte/absences/{absence}/suppression?departement=dac46"
    )
    call = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    assert refused.status == 404
    assert BLEROY not in rung(call)
