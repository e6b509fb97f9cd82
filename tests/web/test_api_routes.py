"""Every route of the JSON API, taken from the app's own router: no answer of it is kept by a
browser or a proxy, and each route that reaches a request journals who reached which one.

A route added later is walked too; one that shows nothing of a person says why below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import func, or_, select

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    AuditEvent,
    CallbackTaskRow,
    RequestResponse,
)
from frontdoor.web.app import create_app
from tests.conftest import ROOT
from tests.console.conftest import a_person_concerned
from tests.console.requests_made import a_voicemail

LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}
# Routes that show nothing of a person, and what they show instead.
NOT_PERSONAL = {
    "/api/directory/search": "the territory's resources",
    "/api/openapi.json": "the API's own description",
    "/api/indicators": "aggregates (tests/web/test_indicators_and_duty_api.py)",
    "/api/duty": "who of the staff is on duty",
}
# Routes that reach no existing request: they make one, journaled as it is made.
MAKES_ONE = {("POST", "/api/requests"): "a request entered by hand (tests/web/test_manual_api.py)"}
# What each route that takes a body is sent: a valid one, so the call really acts.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/api/requests"): {"channel": "visit"},
    ("PATCH", "/api/requests/{request_id}"): {"referrer_type": "gp"},
    ("POST", "/api/requests/{request_id}/sms"): {"body": "Bonjour, nous vous rappelons."},
    ("POST", "/api/requests/{request_id}/mail"): {"body": "Bonjour, nous vous rappelons."},
    ("POST", "/api/tasks/{task_id}/close"): {"outcome": "reached"},
    ("PUT", "/api/requests/{request_id}/qualification"): {
        "referrer_type": "gp",
        "age_band": None,
        "problems": ["medical"],
    },
    ("PUT", "/api/requests/{request_id}/assignment"): {"to": "me"},
    ("POST", "/api/requests/{request_id}/responses"): {"kind": "information"},
    # The response is an information: refused (422) after the journal, as is closing the
    # follow-up it does not have (404).
    ("PUT", "/api/requests/{request_id}/responses/{response_id}/follow-up"): {"in_days": 15},
    ("POST", "/api/requests/{request_id}/responses/{response_id}/follow-up/close"): {
        "outcome": "no_news"
    },
    # A voicemail: no call going on to transfer, refused (409) after the journal.
    ("POST", "/api/requests/{request_id}/transfer"): {"target": "bleroy", "mode": "cold"},
    # The only request there is: refused (400) as a repeat of itself, after the journal.
    ("PUT", "/api/requests/{request_id}/repeat-of"): {"repeat_of": "1"},
    ("POST", "/api/persons/{person_id}/identity"): {
        "identity_document": "CN",
        "identity_checked_on": "2026-05-11",
        "insi_checked_on": None,
    },
}

# What each route that takes a query is asked: the search finds the voicemail by its number.
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/requests"): {"q": "06 11 22 33 44"},
}


def api_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(templates_dir=ROOT / "templates", dev_mode=True), Departments([]))
    return sorted(
        {
            (route.method, route.resource.canonical)
            for route in app.router.routes()
            if route.resource is not None
            and route.resource.canonical.startswith("/api/")
            and route.method != "HEAD"  # answered as its GET
        }
    )


ROUTES = api_routes()


def test_the_walk_sees_the_apis_routes() -> None:
    assert ("GET", "/api/tasks") in ROUTES
    assert ("GET", "/api/requests/{request_id}") in ROUTES


@pytest.fixture
def app_settings(wired_settings: Settings, tmp_path: Path) -> Settings:
    return wired_settings.model_copy(update={"mail_attachments_dir": tmp_path / "files"})


async def audit_rows_of(settings: Settings, request_id: int) -> int:
    """Audit rows naming the request, or its person (person 1, see `concerning`)."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        count = (
            await session.exec(
                select(func.count()).where(  # type: ignore[arg-type]
                    or_(AuditEvent.request_id == request_id, AuditEvent.detail == "personne n° 1")
                )
            )
        ).one()
    await engine.dispose()
    return int(count)


async def ids_of(settings: Settings, request_id: int) -> dict[str, int]:
    """What a path names: the request, its callback task, a response given to it, and the
    person it is about."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        task = (
            await session.exec(
                select(CallbackTaskRow).where(CallbackTaskRow.request_id == request_id)
            )
        ).one()
        response = RequestResponse(request_id=request_id, kind="information", at=task.created_at)
        session.add(response)
        await session.commit()
    await engine.dispose()
    return {
        "request_id": request_id,
        "task_id": task.id or 0,
        "response_id": response.id or 0,
        "person_id": await a_person_concerned(settings, request_id),
    }


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_no_answer_of_the_api_is_kept_by_a_browser_or_a_proxy(
    client: TestClient, wired_settings: Settings, method: str, path: str
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    url = path.format(**await ids_of(wired_settings, voicemail.id or 0))

    answers = [
        await client.request(
            method,
            url,
            headers=LOT_KEY,
            json=BODIES.get((method, path)),
            params=QUERIES.get((method, path)),
        ),
        await client.request(method, url),  # no token: refused, and not kept either
        await client.request(
            method,
            path.format(request_id=999999, task_id=999999, person_id=999999, response_id=999999),
            headers=LOT_KEY,
        ),
    ]

    for answer in answers:
        assert answer.headers.get("Cache-Control") == "no-store", (answer.status, url)


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p in ROUTES if p not in NOT_PERSONAL and (m, p) not in MAKES_ONE],
    ids=[f"{m} {p}" for m, p in ROUTES if p not in NOT_PERSONAL and (m, p) not in MAKES_ONE],
)
async def test_every_api_route_that_reaches_a_request_journals_it(
    client: TestClient, wired_settings: Settings, method: str, path: str
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    request_id = voicemail.id or 0
    url = path.format(**await ids_of(wired_settings, request_id))
    before = await audit_rows_of(wired_settings, request_id)

    answer = await client.request(
        method,
        url,
        headers=LOT_KEY,
        json=BODIES.get((method, path)),
        params=QUERIES.get((method, path)),
    )

    assert answer.status < 500, await answer.text()
    assert await audit_rows_of(wired_settings, request_id) > before, f"{method} {path}"
