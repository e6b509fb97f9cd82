"""The indicators in the console: the month's table, its CSV and XLSX exports with the right
figures, the coordinator's entered figures, and who may see them."""

from __future__ import annotations

import csv
import io

import openpyxl
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    OPERATOR,
    sign_in,
)
from tests.console.requests_made import two_calls

MAY = "periode=2026-05&departement=dac46"


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


async def test_the_coordinator_sees_the_months_indicators(client: TestClient) -> None:
    await two_calls(client)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page = await (await coordinator.get(f"/console/indicateurs?{MAY}")).text()

    assert "Indicateurs · mai 2026" in page
    assert "<strong>2</strong> sollicitation(s)" in page
    assert "Sollicitations par type d&#39;adresseur" in page


async def test_the_csv_export_carries_the_months_figures(client: TestClient) -> None:
    await two_calls(client)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.get(f"/console/indicateurs.csv?{MAY}")

    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = await response.read()
    assert data.startswith(b"\xef\xbb\xbfDAC;")  # one byte-order mark, then the first row
    rows = csv_rows(data.decode("utf-8"))
    assert ["Période", "mai 2026"] in rows
    assert any(row[:2] == ["Sollicitations", "2"] for row in rows)
    assert any(row[:2] == ["Appels", "2"] for row in rows)


async def test_the_xlsx_report_opens_and_carries_the_same_count(client: TestClient) -> None:
    await two_calls(client)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.get(f"/console/indicateurs.xlsx?{MAY}")

    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    cells = [
        [cell for cell in row if cell is not None]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    assert ["Sollicitations", 2] in cells


async def test_entered_figures_give_the_share_of_the_territorys_gps(
    client: TestClient, wired_settings: Settings
) -> None:
    await two_calls(client)
    # The first caller pressed "médecin": a referent confirms a general practitioner.
    referent = await sign_in(client, LOT_REFERENT)
    confirmed = await referent.post("/console/demandes/1/qualification", {"referrer_type": "gp"})
    assert confirmed.status == 303
    coordinator = await sign_in(client, LOT_COORDINATOR)
    # The first caller pressed "médecin": a doctor to confirm, counted as a GP once a
    # referent says so.
    confirmed = await coordinator.post("/console/demandes/1/qualification", {"referrer_type": "gp"})
    assert confirmed.status == 303

    response = await coordinator.post(
        f"/console/indicateurs/chiffres?{MAY}",
        {
            "year": "2026",
            "staff_fte": "4,5",
            "funding_ars_fir": "400 000",
            "funding_assurance_maladie": "50 000",
            "territory_gps": "180",
        },  # fmt: skip
    )

    assert response.status == 303
    rows = csv_rows(
        (await (await coordinator.get(f"/console/indicateurs.csv?{MAY}")).read()).decode()
    )
    assert any(row[:2] == ["Effectif (ETP)", "4,5"] for row in rows)
    assert ["Médecins généralistes du territoire (source : saisie)", "180", "—"] in rows
    assert ["Financement total (€)", "450000", "—"] in rows
    assert ["dont Assurance maladie", "50000", "11,1 %"] in rows
    # One GP called in May: 1 of the territory's 180.
    assert ["Médecins généralistes ayant sollicité le DAC", "1", "0,6 %"] in rows


async def test_an_operator_consolidates_the_region_but_a_referent_sees_no_indicators(
    client: TestClient,
) -> None:
    await two_calls(client)
    operator = await sign_in(client, OPERATOR)
    referent = await sign_in(client, LOT_REFERENT)
    moselle = await sign_in(client, MOSELLE_COORDINATOR)

    region = await (
        await operator.get("/console/indicateurs?periode=2026-05&departement=tous")
    ).text()

    assert "<strong>2</strong> sollicitation(s)" in region
    assert (await referent.get(f"/console/indicateurs?{MAY}")).status == 403
    assert (await moselle.get(f"/console/indicateurs.csv?{MAY}")).status == 404
