"""The coordinator's page of outgoing events: an endpoint subscribed with its secret shown
once, an endpoint that cannot be refused in French, each subscription's delivery log (answers
and durations, never what was sent), and a subscription stopped."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine
from tests.console.conftest import LOT_COORDINATOR, MOSELLE_COORDINATOR, sign_in
from tests.events.conftest import MovableClock, a_voicemail, deliver, subscribe_in_console
from tests.events.receiver import Receiver
from tests.events.subscriptions import outbox
from tests.web.calls import NURSE, TUESDAY_MORNING


async def test_the_secret_is_shown_once_and_the_list_shows_the_endpoint(
    client: TestClient,
) -> None:
    secret = await subscribe_in_console(
        client, "https://partenaire.example.fr/hooks", scope="requests:read",
        types=("request.created", "request.closed"),
    )  # fmt: skip
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page = await (await coordinator.get("/console/evenements?departement=dac46")).text()

    assert secret.startswith("whsec_")
    assert secret not in page
    assert "https://partenaire.example.fr/hooks" in page
    assert "nouvelle demande, demande clôturée" in page
    assert "complet : le résumé et les données personnelles" in page


async def test_an_endpoint_that_cannot_be_subscribed_is_refused_in_french_and_kept_in_the_form(
    client: TestClient, app_settings: Settings
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    form = [("url", "http://partenaire.example.fr/hooks"), ("scope", "requests:summary"),
            ("types", "request.created")]  # fmt: skip

    response = await coordinator.post("/console/evenements?departement=dac46", form)

    page = await response.text()
    assert response.status == 400
    assert "Abonnement refusé : l&#39;adresse doit commencer par https://" in page
    assert 'value="http://partenaire.example.fr/hooks"' in page
    assert "Aucun abonnement." in page


async def test_the_delivery_log_shows_each_attempts_answer_and_duration_and_never_the_content(
    client: TestClient, receiver: Receiver, clock: MovableClock
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url, scope="requests:read")
    await a_voicemail(client, TUESDAY_MORNING)
    receiver.down = True
    await deliver(client)
    receiver.down = False
    clock.now += timedelta(minutes=5)
    await deliver(client)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    listed = await (await coordinator.get("/console/evenements?departement=dac46")).text()
    log = await (await coordinator.get("/console/evenements/1")).text()

    assert "1 livré(s), 0 en attente, 0 abandonné(s)" in listed
    rows = [row for row in log.split("<tr>")[1:] if " ms</td>" in row]
    assert len(rows) == 2
    assert "<td>204</td>" in rows[0]
    assert "<td>2</td>" in rows[0]
    assert "<td>503</td>" in rows[1]
    assert all("nouvelle demande" in row and "livré" in row for row in rows)
    assert NURSE not in log
    assert NURSE.replace("+33", "0") not in log


async def test_a_stopped_subscription_gets_no_more_events(
    client: TestClient, app_settings: Settings
) -> None:
    await subscribe_in_console(client, "https://partenaire.example.fr/hooks")
    coordinator = await sign_in(client, LOT_COORDINATOR)
    await a_voicemail(client, TUESDAY_MORNING)

    stopped = await coordinator.post("/console/evenements/1/desactivation")
    await a_voicemail(client, TUESDAY_MORNING + timedelta(minutes=5), "+33611223399")

    assert stopped.status == 303
    page = await (await coordinator.get("/console/evenements?departement=dac46")).text()
    assert "arrêté" in page
    engine = create_engine(app_settings.database_url)
    assert len(await outbox(engine)) == 1
    await engine.dispose()


async def test_another_departments_subscription_is_not_found(client: TestClient) -> None:
    await subscribe_in_console(client, "https://partenaire.example.fr/hooks")
    moselle = await sign_in(client, MOSELLE_COORDINATOR)

    assert (await moselle.get("/console/evenements/1")).status == 404
    assert (await moselle.post("/console/evenements/1/desactivation")).status == 404
