"""A calendar of who is on duty — a file a coordinator imports, or a feed the service reads —
changes who the calls ring, on every instance."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from frontdoor.cli import main
from frontdoor.core.calendar import opening_at
from frontdoor.departments import Departments
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.roster_feeds import import_feeds
from frontdoor.keys import STORE_COPIES
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.web.calls import AMARTIN, BLEROY, LOT, PARIS, place_call, reason_codes, stored

CDURAND = "+33612000003"


def next_open_tuesday_morning(departments: Departments) -> datetime:
    """A Tuesday 10:00 within the import window, on which the Lot is open."""
    lot = departments.for_slug("dac46")
    assert lot is not None
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=2)
    while True:
        moment = datetime.combine(day, time(10, 0), tzinfo=PARIS)
        if day.weekday() == 1 and opening_at(moment, lot.calendar).is_open:
            return moment
        day += timedelta(days=1)


def duty_calendar(morning: datetime) -> str:
    """Claire Durand reinforces the morning duty."""
    start = morning.replace(hour=8, minute=30)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//DAC du Lot//planning//FR\r\n"
        "BEGIN:VEVENT\r\nUID:renfort-1@dac46\r\nSUMMARY:Permanence Claire Durand\r\n"
        f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Europe/Paris:{start.replace(hour=13, minute=30):%Y%m%dT%H%M%S}\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:reunion-2@dac46\r\nSUMMARY:Réunion d'équipe\r\n"
        f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Europe/Paris:{start.replace(hour=9, minute=30):%Y%m%dT%H%M%S}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


NOBODY_BUT_CDURAND = {AMARTIN: Answer(picks_up=False), BLEROY: Answer(picks_up=False),
                      CDURAND: Answer(presses="1")}  # fmt: skip


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FRONTDOOR_FLOWS_DIR", str(settings.flows_dir))
    monkeypatch.setenv("FRONTDOOR_TEMPLATES_DIR", str(settings.templates_dir))


async def test_an_imported_calendar_puts_the_referent_it_names_on_duty(
    cli_environment: None,
    client: TestClient,
    settings: Settings,
    departments: Departments,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    morning = next_open_tuesday_morning(departments)
    planning = tmp_path / "planning.ics"
    planning.write_text(duty_calendar(morning), encoding="utf-8")

    # The CLI runs its own event loop: give it a thread.
    code = await asyncio.to_thread(main, ["roster", "import", "dac46", str(planning)])
    await client.app[STORE_COPIES].refresh()
    result = await place_call(
        client, at=morning, to=LOT, person=ScriptedPerson(["1", "2"], referents=NOBODY_BUT_CDURAND)
    )

    out = capsys.readouterr()
    assert code == 0
    assert "dac46: 1 période(s) de permanence importée(s)" in out.out
    assert "Réunion d'équipe" in out.err  # an event naming nobody is reported, not guessed
    assert result.connected_to == CDURAND
    [request], events = await stored(settings)
    assert request.taken_by == "cdurand"
    assert "on-duty" in reason_codes(events)


async def test_a_departments_feed_is_imported_by_the_job_and_a_feed_down_keeps_the_last_import(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    morning = next_open_tuesday_morning(departments)
    served = {"status": 200}

    async def planning(_request: web.Request) -> web.Response:
        if served["status"] != 200:
            return web.Response(status=served["status"])
        return web.Response(text=duty_calendar(morning), content_type="text/calendar")

    feed_app = web.Application()
    feed_app.router.add_get("/planning.ics", planning)
    async with TestServer(feed_app) as feed:
        lot = departments.for_slug("dac46")
        assert lot is not None
        with_feed = Departments(
            replace(d, roster_feed=str(feed.make_url("/planning.ics"))) if d is lot else d
            for d in departments
        )
        client = await aiohttp_client(create_app(settings, with_feed))  # type: ignore[operator]

        first = await import_feeds(
            JobContext(runtime=client.app[JOB_RUNTIME], slot=datetime.now(UTC))
        )
        served["status"] = 503
        second = await import_feeds(
            JobContext(runtime=client.app[JOB_RUNTIME], slot=datetime.now(UTC))
        )
        await client.app[STORE_COPIES].refresh()
        result = await place_call(
            client,
            at=morning,
            to=LOT,
            person=ScriptedPerson(["1", "2"], referents=NOBODY_BUT_CDURAND),
        )

    assert first == "dac46: 1 override(s), 1 problem(s)"
    assert second == "dac46: FeedError (HTTP 503)"
    assert result.connected_to == CDURAND
