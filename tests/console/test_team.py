"""The team and the line changed by the coordinator in the console: journaled, laid over the
department file, and heard by the next call on every instance without a restart."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.keys import STORE_COPIES, Clock
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, sign_in
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    COORDINATION,
    LOT,
    TUESDAY_MORNING,
    place_call,
    rung,
    said,
)

TEAM = "/console/equipe?departement=dac46"


@pytest.fixture
def app_clock() -> Clock:
    return lambda: TUESDAY_MORNING


async def another_instance(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> TestClient:
    """A second app on the same database, with its own copy of the department files."""
    files = Departments(departments.as_configured(d.slug) or d for d in departments)
    own = settings.model_copy(update={"instance_name": "the-other-instance"})
    app = create_app(own, files, clock=lambda: TUESDAY_MORNING)
    return await aiohttp_client(app)  # type: ignore[operator,no-any-return]


async def test_a_closure_added_in_the_console_is_heard_by_the_next_call_on_another_instance(
    client: TestClient, aiohttp_client: object, app_settings: Settings, departments: Departments
) -> None:
    other = await another_instance(aiohttp_client, app_settings, departments)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    before = await place_call(
        other, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    response = await coordinator.post(
        "/console/equipe/fermetures?departement=dac46",
        {"from_date": "2026-05-12", "to_date": "2026-05-12", "reason": "séminaire d'équipe"},
    )
    await other.app[STORE_COPIES].refresh()  # what its refresh loop does every few seconds
    after = await place_call(
        other, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson([], message="")
    )

    assert response.status == 303
    assert "fermé en ce moment" not in said(before)
    assert "fermé en ce moment. Il rouvrira" in said(after)
    assert rung(after) == []
    page = await (await coordinator.get(TEAM)).text()
    assert "séminaire d'équipe" in page
    assert "fermeture ajoutée" in page
    assert "coordination@dac46.fr" in page


async def test_a_closure_removed_opens_the_line_again(client: TestClient) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    await coordinator.post(
        "/console/equipe/fermetures?departement=dac46",
        {"from_date": "2026-05-12", "from_time": "08:00", "to_date": "2026-05-12",
         "to_time": "12:00", "reason": "pont"},
    )  # fmt: skip
    page = await (await coordinator.get(TEAM)).text()
    closure = page.split("/console/equipe/fermetures/", 1)[1].split("/", 1)[0]

    response = await coordinator.post(
        f"/console/equipe/fermetures/{closure}/suppression?departement=dac46"
    )
    call = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    assert response.status == 303
    assert "fermé en ce moment" not in said(call)
    assert "fermeture retirée" in await (await coordinator.get(TEAM)).text()


async def test_a_number_changed_in_the_console_is_rung_and_journaled_with_before_and_after(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(
        "/console/equipe/referents/amartin/telephone?departement=dac46",
        {"phone": "06 12 00 00 77"},
    )
    call = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    assert response.status == 303
    assert "+33612000077" in rung(call)
    assert AMARTIN not in rung(call)
    journal = (await (await coordinator.get(TEAM)).text()).split('id="journal-equipe"')[1]
    assert "amartin : +33612000001 → +33612000077" in journal


async def test_a_referent_removed_is_rung_no_more_and_one_added_joins_the_team(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    removed = await coordinator.post(
        "/console/equipe/referents/amartin/suppression?departement=dac46"
    )
    added = await coordinator.post(
        "/console/equipe/referents?departement=dac46",
        {"name": "Julie Petit", "phone": "06 12 34 56 78"},
    )
    call = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )

    assert (removed.status, added.status) == (303, 303)
    assert AMARTIN not in rung(call)
    assert rung(call)[:2] == [BLEROY, COORDINATION]
    page = await (await coordinator.get(TEAM)).text()
    assert "Julie Petit" in page
    assert "+33612345678" in page
    assert "Réintégrer" in page  # Anne Martin, declared in the file, can be brought back
    board = await (await coordinator.get("/console/astreinte")).text()
    assert "Julie Petit" in board  # she may be put on duty there


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        pytest.param(
            "/console/equipe/referents", {"name": "X", "phone": "12"}, "numéro", id="bad-number"
        ),
        pytest.param(
            "/console/equipe/referents/nobody/suppression", {}, "inconnu", id="unknown-referent"
        ),
        pytest.param(
            "/console/equipe/fermetures",
            {"from_date": "2026-05-13", "to_date": "2026-05-12"},
            "la fin doit venir après le début",
            id="closure-backwards",
        ),
    ],
)
async def test_a_change_that_cannot_be_made_is_refused_in_french(
    client: TestClient, path: str, form: dict[str, str], message: str
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(f"{path}?departement=dac46", form)

    assert response.status == 400
    assert message in await response.text()


async def test_a_referent_has_no_team_page(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)

    response = await referent.get(TEAM)

    assert response.status == 403
    assert "/console/equipe" not in await (await referent.get("/console/astreinte")).text()
