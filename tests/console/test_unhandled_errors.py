"""A failure no handler expected (a database error, here): the referent gets a 500 in French
with a reference, the log its type and where, never the values the failing statement carried
— names, a birth date, an INS — neither SQLAlchemy's "[parameters: …]" nor asyncpg's
"DETAIL: Key (…)=(…)", on SQLite and PostgreSQL. And names that fold longer than their
column (each "Œ" is "oe") no longer make one."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console import request_persons
from frontdoor.core.person_identity import MAX_NAME_CHARS, MAX_NAME_KEY_CHARS
from frontdoor.logs import REQUEST_ID_HEADER
from frontdoor.settings import Settings
from frontdoor.store.models import Person
from frontdoor.store.person_files import create_person
from tests.console.conftest import LOT_REFERENT, sign_in
from tests.console.requests_made import a_call, rows
from tests.service_log import service_log_at

FAMILY, GIVEN, INS = "Personnelle", "Jocelyne", "241034604200192"
TYPED = {"nom": FAMILY, "prenoms": GIVEN, "naissance": "02/03/1941", "ins": INS}


@pytest.fixture
def failing_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating a person writes her file, then a second row with the same id: the database
    refuses it (an IntegrityError whose parameters are her traits)."""

    async def create_then_fail(*, session: AsyncSession, **given: Any) -> Person:
        person = await create_person(session=session, **given)
        connection = await session.connection()
        await connection.execute(insert(Person).values(**person.model_dump()))
        return person

    monkeypatch.setattr(request_persons, "create_person", create_then_fail)


@pytest.mark.usefixtures("failing_store")
async def test_a_database_error_logs_no_value_and_answers_500_in_french(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    written = service_log_at("DEBUG")  # the most talkative an operator can choose

    failed = await browser.post(f"/console/demandes/{request_id}/personnes/nouvelle", TYPED)

    log = written()
    for value in (FAMILY, GIVEN, INS, "1941"):
        assert value not in log
    assert failed.status == 500
    reference = failed.headers[REQUEST_ID_HEADER]
    assert await failed.text() == (
        "Le service a rencontré une erreur et n'a pas pu traiter la demande. Si elle se "
        f"reproduit, signalez-la en donnant la référence {reference}."
    )
    assert f"[{reference}]: POST /console/demandes/{request_id}/personnes/nouvelle: " in log
    assert "sqlalchemy.exc.IntegrityError" in log
    assert "request_persons.py" in log  # where
    assert await rows(wired_settings, Person) == []  # nothing half done


@pytest.mark.usefixtures("failing_store")
async def test_a_browser_sending_a_form_gets_a_page_in_french(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    failed = await client.post(
        f"/console/demandes/{request_id}/personnes/nouvelle",
        data={"csrf": browser.csrf, **TYPED},
        headers={**browser.headers, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )

    assert failed.status == 500
    page = await failed.text()
    assert '<html lang="fr">' in page
    assert "<h1>Erreur interne</h1>" in page
    assert failed.headers[REQUEST_ID_HEADER] in page
    assert FAMILY not in page


async def test_names_that_fold_longer_than_their_column_are_kept(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    family, given = "Œ" * MAX_NAME_CHARS, ("Cœur " * 40).strip()
    written = service_log_at("DEBUG")

    created = await browser.post(
        f"/console/demandes/{request_id}/personnes/nouvelle", {"nom": family, "prenoms": given}
    )

    assert created.status == 303, written()
    [person] = await rows(wired_settings, Person)
    assert (person.family_name, person.given_names) == (family, given)
    assert person.name_key is not None
    assert len(person.name_key) <= MAX_NAME_KEY_CHARS
