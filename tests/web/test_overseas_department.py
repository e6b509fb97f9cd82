"""A DAC in La Réunion: its file writes numbers as people there do (0262…, 0692…), its line
keeps the island's hours and public holidays (20 December, the abolition of slavery), and a
call to it is answered as Twilio would place it, in Indian/Reunion time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.department_file.load import load_departments
from frontdoor.departments import Departments
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from tests.conftest import ROOT
from tests.flows_text import write
from tests.web.calls import place_call, said, stored

REUNION = ZoneInfo("Indian/Reunion")
DAC974 = "+262262901974"  # "0262 90 19 74" in the file
REFERENT = "+262692000001"  # "0692 00 00 01"
CALLER = "+262692123456"
FILE = """\
[department]
slug = "dac974"
name = "DAC de La Réunion"
number = "0262 90 19 74"
timezone = "Indian/Reunion"
holidays = "FR-974"
public_allowed = true

[hours]
weekly = ["mon-fri 08:00-16:00"]

[[referents]]
id = "lhoarau"
name = "Léa Hoarau"
phone = "0692 00 00 01"

[roster]
backup = []

[[roster.shifts]]
days = "mon-fri"
hours = "08:00-16:00"
referents = ["lhoarau"]
"""
# 20 December 2027 is a Monday: a public holiday in La Réunion only.
ABOLITION_DAY = datetime(2027, 12, 20, 10, 0, tzinfo=REUNION)
NEXT_MORNING = datetime(2027, 12, 21, 10, 0, tzinfo=REUNION)


@pytest.fixture
def app_departments(tmp_path: Path) -> Departments:
    """The example departments, and La Réunion's."""
    flows = tmp_path / "flows"
    flows.mkdir()
    for example in (ROOT / "flows").glob("*.toml"):
        write(flows, example.name, example.read_text(encoding="utf-8"))
    write(flows, "dac974.toml", FILE)
    return Departments(
        load_departments(flows, ROOT / "templates" / "voice" / "prompts.toml").values()
    )


def test_the_file_s_local_numbers_are_read_in_la_reunion(app_departments: Departments) -> None:
    reunion = app_departments.for_slug("dac974")

    assert reunion is not None
    assert (reunion.number, reunion.phone_region) == (DAC974, "RE")
    assert reunion.medical_advice_116117 is False  # overseas: only where the file says so
    assert reunion.referents["lhoarau"].phone == REFERENT


async def test_a_call_on_a_working_morning_reaches_the_referent_on_her_reunion_mobile(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["1", "1"], referents={REFERENT: Answer(presses="1")})

    result = await place_call(client, at=NEXT_MORNING, to=DAC974, person=person, from_=CALLER)

    assert result.connected_to == REFERENT
    [request], _ = await stored(settings)
    assert (request.department, request.caller_number) == ("dac974", CALLER)
    assert (request.outcome, request.taken_by) == ("taken", "lhoarau")


async def test_on_the_abolition_of_slavery_the_line_is_closed_until_the_next_morning(
    client: TestClient, settings: Settings
) -> None:
    result = await place_call(
        client, at=ABOLITION_DAY, to=DAC974, person=ScriptedPerson([], message=None),
        from_=CALLER,
    )  # fmt: skip

    assert "demain, mardi 21 décembre, à 8 h" in said(result)
    # 114 everywhere; 116 117 not named overseas unless the department file says so.
    assert "le 114, par SMS ou par l'application" in said(result)
    assert "116 117" not in said(result)
    assert result.connected_to is None
    [request], _ = await stored(settings)
    assert (request.department, request.outcome) == ("dac974", "closed")
