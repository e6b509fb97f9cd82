"""A demonstration where everything answers: in the development mode the service sends through
the stand-ins for Twilio and SMTP (frontdoor.standins), and the console's page "Envoyés
(démonstration)" shows each department's staff what left — the referents' SMS notices, the
callback call, the escalations by SMS and by mail — journaled, bound to the department."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import escalate_overdue
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from tests.conftest import PUBLIC_URL
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    OPERATOR,
    create_accounts,
    sign_in,
)
from tests.console.requests_made import a_moselle_voicemail, a_voicemail, audit_rows
from tests.web.calls import AMARTIN, BLEROY, COORDINATION, LOT, PARIS

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)
TUESDAY_EVENING = datetime(2026, 5, 12, 18, 0, tzinfo=PARIS)  # both callbacks are late


@pytest.fixture
async def app_settings(settings: Settings) -> Settings:
    """`./dev serve`'s own: the development mode starts its stand-ins (no provider named)."""
    await create_accounts(settings)
    return settings.model_copy(update={"stand_ins": None})


def rows_of(page: str) -> list[tuple[str, str, str, str]]:
    """(what, from, to, content) of each row of the page's table."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in body.split("<tr>")[1:]:
        cells = [cell.split("</td>", 1)[0].strip() for cell in row.split("<td>")[1:]]
        found.append((cells[1], cells[2], cells[3], cells[4]))
    return found


async def test_a_missed_call_shows_its_sms_callback_and_escalations_on_the_page(
    client: TestClient, settings: Settings
) -> None:
    # Nobody takes the Lot's call: a message, a callback task, the referents told by SMS.
    voicemail = await a_voicemail(client, settings)
    await a_moselle_voicemail(client, settings)
    lot = await sign_in(client, LOT_REFERENT)
    # Anne Martin calls back from the console: her phone is rung first, from the DAC's number.
    called = await lot.post(f"/console/demandes/{voicemail.id}/rappel")
    assert called.headers["Location"].endswith("?rappel=lance")
    # The evening: both callbacks are late; the Lot's coordination hears it by mail and by
    # SMS, the Moselle's by mail.
    await escalate_overdue(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_EVENING))

    page = await (await lot.get("/console/envoyes")).text()
    moselle = await (await sign_in(client, MOSELLE_COORDINATOR)).get("/console/envoyes")
    moselle_page = await moselle.text()

    lot_rows = rows_of(page)
    assert [(kind, to) for kind, _sender, to, _text in lot_rows] == [
        ("SMS", COORDINATION),  # the escalation, newest first
        ("Courriel", "coordination@dac46.mssante.fr"),
        ("Appel", AMARTIN),  # the callback
        ("SMS", BLEROY),  # the notices of the message
        ("SMS", AMARTIN),
    ]
    assert all(sender == LOT for kind, sender, _to, _text in lot_rows if kind != "Courriel")
    assert "en retard" in lot_rows[0][3]
    assert "en retard" in lot_rows[1][3]
    assert f"{PUBLIC_URL}/twilio/voice/callback?task=" in lot_rows[2][3]
    assert "coordination@dac57.mssante.fr" not in page
    assert "DAC de Moselle : rappel en retard" in moselle_page
    assert "coordination@dac57.mssante.fr" in moselle_page
    assert LOT not in moselle_page
    # Each look that showed something is journaled; the voicemail answers from the stand-in.
    assert (LOT_REFERENT.login, None, "sent_view") in await audit_rows(settings)
    audio = await lot.get(f"/console/demandes/{voicemail.id}/message-vocal")
    assert (audio.status, audio.headers["Content-Type"]) == (200, "audio/wav")


async def test_the_page_is_the_departments_staffs_only(client: TestClient) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    operator = await sign_in(client, OPERATOR)

    own = await coordinator.get("/console/envoyes")
    other = await coordinator.get("/console/envoyes?departement=dac57")
    refused = await operator.get("/console/envoyes?departement=dac46")

    assert own.status == 200
    assert "Envoyés (démonstration)" in await own.text()  # in the menu, too
    assert (other.status, refused.status) == (404, 403)
