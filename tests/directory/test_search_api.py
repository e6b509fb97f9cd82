"""GET /api/directory/search and `frontdoor directory search`."""

from __future__ import annotations

import argparse
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.directory import search_command
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from tests.directory.search_data import add_directory

KEY = {"Authorization": "Bearer key-dac46-amartin"}


@pytest.fixture
async def filled(settings: Settings) -> Settings:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
    await engine.dispose()
    return settings


@pytest.fixture
def app_settings(filled: Settings) -> Settings:
    return filled


async def test_the_api_needs_a_key(client: TestClient) -> None:
    response = await client.get("/api/directory/search", params={"q": "ssiad figeac"})
    assert response.status == 401
    bad = await client.get(
        "/api/directory/search", params={"q": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert bad.status == 401


async def test_the_api_answers_hits_with_their_reasons(client: TestClient) -> None:
    response = await client.get("/api/directory/search", params={"q": "ssiad figeac"}, headers=KEY)
    assert response.status == 200
    body = await response.json()

    assert body["query"]["category"] == "ssiad"
    assert body["commune"]["insee"] == "46102"
    assert [(h["name"], h["reason"]) for h in body["hits"]] == [
        ("SSIAD du Grand Figeac", "dessert Figeac, situé à Figeac"),
        ("SSIAD du Causse", "dessert Figeac, à 31 km"),
        ("SSIAD de la vallée du Lot", "à 5 km"),
    ]
    assert body["hits"][0]["phones"] == ["+33565341200"]
    assert body["hits"][1]["distance_km"] == pytest.approx(31, abs=1)


async def test_the_api_parameters_override_the_text(client: TestClient) -> None:
    params = {"q": "", "category": "ehpad", "postal_code": "46000", "limit": "1"}
    body = await (await client.get("/api/directory/search", params=params, headers=KEY)).json()
    assert [h["name"] for h in body["hits"]] == ["EHPAD Les Tilleuls"]

    params = {"q": "maison de retraite", "commune": "46064"}
    body = await (await client.get("/api/directory/search", params=params, headers=KEY)).json()
    assert body["hits"][0]["name"] == "EHPAD de Catus"


@pytest.mark.parametrize(
    "params", [{"category": "boulangerie"}, {"limit": "0"}, {"limit": "lots"}, {"limit": "21"}]
)
async def test_the_api_refuses_bad_parameters(client: TestClient, params: dict) -> None:
    response = await client.get("/api/directory/search", params=params, headers=KEY)
    assert response.status == 400


def _args(text: str, **options: Any) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    search_command.add_parser(parser.add_subparsers())
    argv = ["search", text]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}"] + ([] if value is True else [str(value)])
    return parser.parse_args(argv)


async def test_the_command_prints_the_hits_in_french(filled: Settings) -> None:
    out = io.StringIO()
    assert await search_command.run(_args("ssiad figeac", limit=2), filled, out) == 0
    assert out.getvalue().splitlines() == [
        "1. SSIAD du Grand Figeac (SSIAD) — 46100 Figeac — +33565341200",
        "   dessert Figeac, situé à Figeac",
        "2. SSIAD du Causse (SSIAD) — 46500 Gramat — +33565387000",
        "   dessert Figeac, à 31 km",
    ]


async def test_the_command_prints_the_sms_answer_or_json(filled: Settings) -> None:
    sms = io.StringIO()
    assert await search_command.run(_args("clic figeac", sms=True), filled, sms) == 0
    assert sms.getvalue().splitlines()[:2] == [
        "CLIC près de Figeac :",
        "1. CLIC du Pays de Figeac : 05 65 50 50 50",
    ]
    as_json = io.StringIO()
    assert await search_command.run(_args("psy metz", json=True), filled, as_json) == 0
    assert '"hits": []' in as_json.getvalue()
    assert await search_command.run(_args("x", category="nope"), filled, io.StringIO()) == 2
