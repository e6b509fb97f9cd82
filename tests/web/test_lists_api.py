"""The API's lists of requests, tasks and persons: the department's own, filtered, newest first,
page by page with a cursor that cannot be forged, every row journaled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.keys import Clock
from frontdoor.settings import Settings
from tests.console.conftest import LOT_REFERENT, a_person_concerned, create_accounts, sign_in
from tests.console.requests_made import a_voicemail, audit_rows
from tests.console.tokens import new_token
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY
from tests.web.calls import PARIS
from tests.web.lists import a_page, entered, every_page, refusal

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)  # a Tuesday morning
MONDAY = datetime(2026, 5, 11, tzinfo=PARIS)


@pytest.fixture
def app_clock() -> Clock:
    return lambda: NOW


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the console's accounts, whose tokens are scoped."""
    await create_accounts(wired_settings)
    return wired_settings


async def test_requests_are_listed_newest_first_within_the_departments_days(
    client: TestClient,
) -> None:
    sunday_night = await entered(client, MONDAY - timedelta(minutes=30))
    monday_morning = await entered(client, MONDAY + timedelta(hours=9))
    monday_night = await entered(client, MONDAY + timedelta(hours=23, minutes=30))
    await entered(client, MONDAY + timedelta(days=1, minutes=30))  # Tuesday 00:30

    page = await a_page(client, "/api/requests", **{"from": "2026-05-11", "to": "2026-05-11"})

    assert [row["id"] for row in page["data"]] == [monday_night, monday_morning]
    assert page["count"] == 2
    assert page["next"] is None
    everything = await a_page(client, "/api/requests")
    assert everything["data"][-1]["id"] == sunday_night


async def test_following_next_gives_every_request_once_in_pages_of_the_limit(
    client: TestClient,
) -> None:
    made = [await entered(client, MONDAY + timedelta(hours=8 + n)) for n in range(5)]

    pages = await every_page(client, "/api/requests", limit="2")

    assert pages == [made[:2:-1], made[2:0:-1], made[:1]]


async def test_requests_are_filtered_by_channel_referrer_assignee_and_person(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    visit = await entered(client, MONDAY + timedelta(hours=9), referrer_type="gp")
    letter = await entered(client, MONDAY + timedelta(hours=10), channel="letter")
    person = await a_person_concerned(wired_settings, voicemail.id or 0)

    async def ids(**params: str) -> list[int]:
        return [row["id"] for row in (await a_page(client, "/api/requests", **params))["data"]]

    assert await ids(channel="letter") == [letter]
    assert await ids(referrer_type="gp") == [visit]
    # Entered by hand: assigned to whoever entered them (the key's referent).
    assert await ids(assigned_to="clé:amartin") == [letter, visit]
    assert await ids(person_id=str(person)) == [voicemail.id]
    assert await ids(status="open", channel="voice") == [voicemail.id]
    assert await ids(status="closed") == []


async def test_another_departments_requests_are_never_listed(client: TestClient) -> None:
    await entered(client, MONDAY + timedelta(hours=9))

    page = await a_page(client, "/api/requests", headers=MOSELLE_KEY)

    assert page["data"] == []


async def test_each_request_listed_is_journaled_before_it_is_returned(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await entered(client, MONDAY + timedelta(hours=9))
    second = await entered(client, MONDAY + timedelta(hours=10))

    await a_page(client, "/api/requests", limit="1")

    listed = [row for row in await audit_rows(wired_settings) if row[2] == "api_list"]
    assert listed == [("clé:amartin", second, "api_list")]
    assert first != second


async def test_the_search_still_answers_with_q(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    page = await a_page(client, "/api/requests", q="06 11 22 33 44")

    assert [row["id"] for row in page["data"]] == [voicemail.id]
    assert page["pages"] == 1


async def test_a_tampered_cursor_is_refused_in_french_json(client: TestClient) -> None:
    for hour in range(3):
        await entered(client, MONDAY + timedelta(hours=9 + hour))
    cursor = (await a_page(client, "/api/requests", limit="1"))["next"].split("cursor=")[1]
    tampered = cursor[:10] + ("x" if cursor[10] != "x" else "y") + cursor[11:]

    assert await refusal(client, "/api/requests", limit="1", cursor=tampered) == (
        400, "application/json", "curseur invalide : il a été modifié ou vient d'ailleurs",
    )  # fmt: skip
    status, _, reason = await refusal(client, "/api/requests", cursor=cursor, status="open")
    assert (status, reason) == (
        400,
        "curseur invalide : les filtres ont changé depuis la première page ; reprenez sans curseur",
    )
    status, _, reason = await refusal(client, "/api/tasks", cursor=cursor)
    assert (status, reason) == (400, "curseur invalide : il a été donné pour une autre liste")


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        pytest.param({"statut": "open"}, "paramètre inconnu : statut", id="unknown-parameter"),
        pytest.param({"status": "shut"}, "status : une valeur parmi closed, open", id="status"),
        pytest.param({"channel": "fax"}, "channel : une valeur parmi", id="channel"),
        pytest.param({"referrer_type": "x"}, "referrer_type : une valeur parmi", id="referrer"),
        pytest.param({"limit": "500"}, "limit : un nombre entier de 1 à 200", id="limit"),
        pytest.param({"from": "11/05/2026"}, "from (premier jour) : ", id="date"),
        pytest.param({"from": "2026-05-12", "to": "2026-05-11"}, "to : le dernier", id="order"),
        pytest.param({"person_id": "Ginette"}, "person_id : un numéro", id="person"),
    ],
)
async def test_a_filter_the_list_cannot_read_is_refused_in_french_json(
    client: TestClient, params: dict[str, str], reason: str
) -> None:
    status, content_type, said = await refusal(client, "/api/requests", **params)

    assert (status, content_type) == (400, "application/json")
    assert said.startswith(reason), said


async def test_callback_tasks_are_listed_page_by_page_and_journal_their_requests(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    page = await a_page(client, "/api/tasks")

    [task] = page["data"]
    assert (task["request_id"], task["status"], page["next"]) == (voicemail.id, "open", None)
    assert ("clé:amartin", voicemail.id, "api_list") in await audit_rows(wired_settings)
    assert (await a_page(client, "/api/tasks", status="closed"))["data"] == []
    assert (await a_page(client, "/api/tasks", status="all"))["count"] == 1
    assert task["assignees"] == ["amartin", "bleroy"]  # on duty when the message was left
    assert (await a_page(client, "/api/tasks", assignee="bleroy"))["count"] == 1
    assert (await a_page(client, "/api/tasks", assignee="bler"))["data"] == []
    assert (await a_page(client, "/api/tasks", assignee="b_eroy"))["data"] == []
    assert (await a_page(client, "/api/tasks", overdue="true"))["data"] == []  # due later
    assert (await a_page(client, "/api/tasks", headers=MOSELLE_KEY))["data"] == []


async def test_persons_are_listed_by_name_and_each_read_is_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    person = await a_person_concerned(wired_settings, voicemail.id or 0)

    page = await a_page(client, "/api/persons", q="tém gin")

    assert [(p["id"], p["family_name"], p["request_ids"]) for p in page["data"]] == [
        (person, "Témoin", [voicemail.id])
    ]
    assert (await a_page(client, "/api/persons", q="dupont"))["data"] == []
    assert (await a_page(client, "/api/persons", headers=MOSELLE_KEY))["data"] == []
    journaled = [row for row in await audit_rows(wired_settings) if row[2] == "api_person_list"]
    assert journaled == [("clé:amartin", None, "api_person_list")]


@pytest.mark.parametrize("path", ["/api/requests", "/api/tasks", "/api/persons"])
async def test_a_token_without_the_read_scope_lists_nothing(client: TestClient, path: str) -> None:
    token = await new_token(await sign_in(client, LOT_REFERENT), "directory:read")

    response = await client.get(path, headers={"Authorization": f"Bearer {token}"})

    assert response.status == 403


async def test_the_lists_need_a_key(client: TestClient) -> None:
    assert (await client.get("/api/requests")).status == 401
    assert (await client.get("/api/requests", headers=LOT_KEY)).status == 200
