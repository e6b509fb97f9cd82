"""The store unreachable while calls come in: every caller hears a way forward, every webhook
is kept in the instance's outage journal, and the journal is written to the store once it
answers again — once, merged with what the store already had, then deleted."""

from __future__ import annotations

import logging
import shutil
import stat
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.roster import NobodyOnDuty, WhenNobody
from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.phone import Answer, Said, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import CallResult
from frontdoor.settings import Settings
from frontdoor.store.journal import Entry, Journal
from frontdoor.store.models import CallbackTaskRow
from frontdoor.voice.replay import replay
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    COORDINATION,
    LOT,
    MOSELLE,
    NURSE,
    TUESDAY_MORNING,
    reason_codes,
    said,
    stored,
)
from tests.web.outage import UNREACHABLE, journal_files, replayed, rows

NEIGHBOUR = "+33387000000"
# Wednesday afternoon in the Moselle: open, nobody on duty.
WEDNESDAY_AFTERNOON = TUESDAY_MORNING.replace(day=13, hour=15)

Serve = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def serve(aiohttp_client: Any, settings: Settings, departments: Departments) -> Serve:
    """An instance of the app: on the test's store, or (`store_down=True`) on none."""

    async def start(
        *, store_down: bool, instance: str = "alpha", served: Departments = departments
    ) -> TestClient:
        url = UNREACHABLE if store_down else settings.database_url
        update = {"database_url": url, "instance_name": instance}
        client: TestClient = await aiohttp_client(
            create_app(settings.model_copy(update=update), served)
        )
        return client

    return start


class Switch:
    """A transport that posts to one instance, then to another: the store fails mid-call."""

    def __init__(self, first: TestClient) -> None:
        self.to = TestClientTransport(first)

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        return await self.to.post(path_qs, form, headers)


def phone(transport: Any, at: Any = TUESDAY_MORNING) -> TwilioPhone:
    return TwilioPhone(transport, public_url=PUBLIC_URL, auth_token=AUTH_TOKEN, simulated_at=at)


async def call(
    client: TestClient, person: ScriptedPerson, *, to: str = LOT, at: Any = TUESDAY_MORNING
) -> CallResult:
    return await phone(TestClientTransport(client), at).call(from_=NURSE, to=to, person=person)


def taken_by_bleroy() -> ScriptedPerson:
    # A nurse; amartin does not pick up, bleroy presses 1.
    return ScriptedPerson(
        ["1", "2"], referents={AMARTIN: Answer(picks_up=False), BLEROY: Answer(presses="1")}
    )


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_with_the_store_down_the_referents_on_duty_are_still_rung_and_put_through(
    serve: Serve, settings: Settings
) -> None:
    down = await serve(store_down=True)

    result = await call(down, taken_by_bleroy())

    assert result.connected_to == BLEROY
    assert "DAC du Lot : appel d'un infirmier ou d'une infirmière" in said(result, BLEROY)
    assert await stored(settings) == ([], [])
    assert down.app[JOURNAL].waiting == len(result.exchanges)  # every webhook, the status too
    assert down.app[COUNTERS]["webhook_degraded"] == len(result.exchanges)


async def test_a_call_kept_in_the_journal_is_stored_as_if_the_store_had_never_gone(
    serve: Serve, settings: Settings
) -> None:
    healthy = await serve(store_down=False, instance="reference")
    reference = await call(healthy, taken_by_bleroy())
    down = await serve(store_down=True)
    await call(down, taken_by_bleroy())
    await down.close()

    back = await serve(store_down=False, instance="alpha")  # the same instance, restarted
    await replayed(back)

    requests, events = await stored(settings)
    by_sid = {r.call_sid: r for r in requests}
    assert len(requests) == 2
    expected = by_sid.pop(reference.call_sid)
    [journaled] = by_sid.values()
    ignored = {"id", "call_sid", "received_at", "answered_at", "ended_at", "duration_s"}
    assert journaled.model_dump(exclude=ignored) == expected.model_dump(exclude=ignored)
    kinds = [e.kind for e in events if e.request_id == journaled.id]
    assert kinds == [
        "incoming", "journaled", "menu", "menu", "ring-ended", "picked-up", "accepted",
        "ring-ended", "ended",
    ]  # fmt: skip
    assert "kept-in-journal" in reason_codes([e for e in events if e.kind == "journaled"])
    assert journal_files(settings) == []


@pytest.mark.parametrize(
    ("words", "whispered", "stored_as"),
    [
        ([Said(text="je suis infirmière libérale", confidence=0.9)],
         "appel d'un infirmier ou d'une infirmière", "nurse"),
        ([Said(text="je suis kiné", confidence=0.3), Said(text="oui")],
         "appel d'un kinésithérapeute", "physio"),
    ],
    ids=["understood", "read-back-and-confirmed"],
)  # fmt: skip
async def test_with_the_store_down_what_a_caller_says_is_understood_and_stored_after(
    serve: Serve, settings: Settings, words: list[Said], whispered: str, stored_as: str
) -> None:
    down = await serve(store_down=True)
    person = ScriptedPerson(words, referents={AMARTIN: Answer(presses="1")})

    result = await call(down, person)

    assert result.connected_to == AMARTIN
    assert whispered in said(result, AMARTIN)
    await down.close()
    back = await serve(store_down=False)
    await replayed(back)
    [request], _ = await stored(settings)
    assert (request.referrer_type, request.referrer_source) == (stored_as, "menu")


async def test_with_the_store_down_a_member_of_the_public_hears_where_to_turn_and_is_kept(
    serve: Serve, settings: Settings
) -> None:
    down = await serve(store_down=True)

    # 2: a member of the public on the Moselle's professionals-only line; a postal code.
    result = await call(down, ScriptedPerson(["2", "57100"]), to=MOSELLE)

    # The directory cannot be read: the department's fixed sentence, never a referent.
    assert "la Maison départementale des solidarités de votre secteur" in said(result)
    assert result.transcript[-1].kind == "hangup"
    await down.close()
    back = await serve(store_down=False)
    await replayed(back)
    [request], events = await stored(settings)
    assert (request.referrer_type, request.outcome) == ("patient", "public_not_allowed")
    assert (request.callback_needed, request.response_kinds) == (False, [])
    assert "public-orientation-unstored" in reason_codes(events)


async def test_replaying_the_journal_twice_writes_each_call_once(
    serve: Serve, settings: Settings, tmp_path: Path
) -> None:
    down = await serve(store_down=True)
    await call(down, taken_by_bleroy())
    await down.close()
    kept = tmp_path / "kept"
    shutil.copytree(settings.journal_dir, kept)

    back = await serve(store_down=False)
    await replayed(back)
    once = await stored(settings)
    # As if the instance died after writing the entries and before deleting them.
    for segment in kept.glob("*.jsonl"):
        shutil.copy(segment, settings.journal_dir / segment.name)
    again = await replay(back.app)

    assert again.written == 0
    assert await stored(settings) == once
    assert len(once[0]) == 1


async def test_a_call_that_began_in_the_store_and_went_on_in_the_journal_is_one_request(
    serve: Serve, settings: Settings
) -> None:
    healthy = await serve(store_down=False, instance="alpha")
    down = await serve(store_down=True, instance="beta")
    switch = Switch(healthy)

    class StoreFailsWhenTheReferentPicksUp(ScriptedPerson):
        async def picks_up(self, number: str) -> bool:
            switch.to = TestClientTransport(down)
            return await super().picks_up(number)

    person = StoreFailsWhenTheReferentPicksUp(["1", "2"], referents={AMARTIN: Answer(presses="1")})
    result = await phone(switch).call(from_=NURSE, to=LOT, person=person)
    await down.close()
    back = await serve(store_down=False, instance="gamma")  # adopts beta's journal
    await replayed(back)

    assert result.connected_to == AMARTIN
    [request], events = await stored(settings)
    assert (request.outcome, request.taken_by, request.referrer_type) == (
        "taken",
        "amartin",
        "nurse_to_confirm",
    )
    assert [e.kind for e in events] == [
        "incoming", "menu", "menu", "picked-up", "journaled", "accepted", "ring-ended", "ended",
    ]  # fmt: skip


async def test_a_call_taken_just_before_the_store_went_down_is_not_rung_again_after_it(
    serve: Serve, settings: Settings
) -> None:
    healthy = await serve(store_down=False, instance="alpha")
    down = await serve(store_down=True, instance="beta")
    switch = Switch(healthy)

    class StoreFailsDuringTheConversation(ScriptedPerson):
        async def connected(self, number: str) -> None:
            switch.to = TestClientTransport(down)
            await super().connected(number)

    person = StoreFailsDuringTheConversation(["1", "2"], referents={AMARTIN: Answer(presses="1")})
    result = await phone(switch).call(from_=NURSE, to=LOT, person=person)
    await down.close()
    back = await serve(store_down=False, instance="gamma")
    await replayed(back)

    assert [line.leg for line in result.transcript if line.kind == "ring"] == [AMARTIN]
    [request], _ = await stored(settings)
    assert (request.outcome, request.taken_by, request.callback_needed) == (
        "taken", "amartin", False,
    )  # fmt: skip
    assert await rows(settings, CallbackTaskRow) == []


async def test_a_call_that_began_in_the_journal_and_went_on_in_the_store_is_one_request(
    serve: Serve, settings: Settings
) -> None:
    # Two instances behind a proxy: the first webhook met the store down on one of them.
    down = await serve(store_down=True, instance="alpha")
    healthy = await serve(store_down=False, instance="beta")
    switch = Switch(down)

    class StoreBackAfterTheGreeting(ScriptedPerson):
        async def press(self, prompt: str, *, leg: str) -> str | None:
            switch.to = TestClientTransport(healthy)
            return await super().press(prompt, leg=leg)

    person = StoreBackAfterTheGreeting(["1", "2"], referents={AMARTIN: Answer(presses="1")})
    result = await phone(switch).call(from_=NURSE, to=LOT, person=person)
    await down.close()
    back = await serve(store_down=False, instance="gamma")
    await replayed(back)

    assert result.connected_to == AMARTIN
    [request], events = await stored(settings)
    assert (request.outcome, request.taken_by, request.referrer_type) == (
        "taken",
        "amartin",
        "nurse_to_confirm",
    )
    assert request.caller_number == NURSE
    assert request.received_at == min(e.at for e in events)
    # The store knew the call first by a later step ("first-step-late"), then the journal
    # brought its first.
    assert sorted(e.kind for e in events) == sorted(
        ["incoming", "journaled", "first-step-late", "menu", "menu", "picked-up", "accepted",
         "ring-ended", "ended"]
    )  # fmt: skip


async def test_when_nobody_takes_it_the_message_is_kept_and_gets_its_callback_task(
    serve: Serve, settings: Settings
) -> None:
    down = await serve(store_down=True)
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi pour Mme X.")

    result = await call(down, person)
    await down.close()
    back = await serve(store_down=False)
    await replayed(back)

    rung = [line.leg for line in result.transcript if line.kind == "ring"]
    assert rung == [AMARTIN, BLEROY, COORDINATION]
    assert "Aucun référent n'est disponible" in said(result)
    assert result.message is not None
    [request], events = await stored(settings)
    assert request.outcome == "voicemail"
    assert request.recording_url is not None
    [left] = [e.request.form for e in result.exchanges if "RecordingUrl" in e.request.form][:1]
    assert request.recording_url == left["RecordingUrl"]  # at Twilio until it is fetched
    assert request.callback_needed is True
    [task] = await rows(settings, CallbackTaskRow)
    assert task.request_id == request.id
    assert "nobody-accepted" in reason_codes(events)


async def test_with_a_backup_number_the_call_is_forwarded_while_the_store_is_down(
    serve: Serve, settings: Settings, departments: Departments
) -> None:
    moselle = departments.for_slug("dac57")
    assert moselle is not None
    forwarding = NobodyOnDuty(action=WhenNobody.FORWARD, forward_to=NEIGHBOUR)
    moselle = replace(moselle, roster=replace(moselle.roster, when_nobody=forwarding))
    served = Departments([d if d.slug != "dac57" else moselle for d in departments])
    down = await serve(store_down=True, served=served)
    person = ScriptedPerson(["1", "1"], referents={NEIGHBOUR: Answer()})

    result = await call(down, person, to=MOSELLE, at=WEDNESDAY_AFTERNOON)
    await down.close()
    back = await serve(store_down=False, served=served)
    await replayed(back)

    assert result.connected_to == NEIGHBOUR
    [request], _ = await stored(settings)
    assert request.outcome == "forwarded"


async def test_a_call_on_a_closed_line_is_kept_with_its_callback(
    serve: Serve, settings: Settings
) -> None:
    down = await serve(store_down=True)
    evening = TUESDAY_MORNING.replace(hour=21)

    result = await call(down, ScriptedPerson(message="Merci de me rappeler."), at=evening)
    await down.close()
    back = await serve(store_down=False)
    await replayed(back)

    assert "fermé" in said(result)
    [request], _ = await stored(settings)
    assert (request.outcome, request.out_of_hours, request.callback_needed) == (
        "voicemail", True, True,
    )  # fmt: skip
    assert len(await rows(settings, CallbackTaskRow)) == 1


async def test_the_journal_is_private_and_no_caller_data_reaches_the_logs(
    serve: Serve, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    down = await serve(store_down=True)

    await call(down, ScriptedPerson(["1", "5"], referents={}, message="Mme X, diabète."))

    [segment] = journal_files(settings)
    assert stat.S_IMODE(settings.journal_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(segment.stat().st_mode) == 0o600
    assert NURSE in segment.read_text(encoding="utf-8")  # what the store will need
    assert NURSE not in caplog.text
    assert "Recordings/" not in caplog.text


async def test_an_unusable_journal_folder_still_answers_callers_and_says_calls_are_lost(
    aiohttp_client: Any,
    settings: Settings,
    departments: Departments,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    update = {"database_url": UNREACHABLE, "journal_dir": tmp_path / "not-a-folder" / "journal"}
    client = await aiohttp_client(create_app(settings.model_copy(update=update), departments))

    result = await call(client, taken_by_bleroy())

    assert result.connected_to == BLEROY
    assert client.app[COUNTERS]["journal_failed"] == len(result.exchanges)
    assert "outage journal unusable" in caplog.text
    assert "NOT journaled" in caplog.text


def entry(number: int) -> Entry:
    return Entry(
        path="/twilio/voice/menu", query={"level": "who", "try": "1"},
        form={"CallSid": "CA1", "Digits": str(number)}, at=TUESDAY_MORNING,
        key=f"key-{number}", answer="<Response/>",
    )  # fmt: skip


async def test_a_journal_left_by_an_instance_that_is_gone_is_taken_over_in_order(
    tmp_path: Path,
) -> None:
    old = Journal(tmp_path, "frontdoor-1234")
    old.open()
    await old.append(entry(1))
    await old.seal()
    await old.append(entry(2))
    old.close()  # the process ended (a restart gives it another name)

    new = Journal(tmp_path, "frontdoor-5678")
    new.open()

    assert [e.key for e in new.entries_of("CA1")] == ["key-1", "key-2"]
    assert names(tmp_path) == [
        "frontdoor-5678.1.jsonl", "frontdoor-5678.2.jsonl", "frontdoor-5678.lock",
    ]  # fmt: skip
    new.close()


async def test_two_running_instances_cannot_share_a_name_on_one_journal(tmp_path: Path) -> None:
    first = Journal(tmp_path, "alpha")
    first.open()

    with pytest.raises(RuntimeError, match="FRONTDOOR_INSTANCE_NAME"):
        Journal(tmp_path, "alpha").open()
    first.close()
