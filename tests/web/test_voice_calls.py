"""Whole calls through the real app, placed the way Twilio places them.

Every request is signed; the TwiML that comes back is followed as Twilio follows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from frontdoor.keys import STORE_COPIES
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import KnownContact
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    COORDINATION,
    DWEBER,
    ESCHMITT,
    LOT,
    MOSELLE,
    NURSE,
    PARIS,
    TUESDAY_MORNING,
    place_call,
    reason_codes,
    said,
    stored,
)


async def test_a_nurse_is_put_through_to_the_second_referent_when_the_first_does_not_answer(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        ["1", "2"],  # a professional, a nurse
        referents={AMARTIN: Answer(picks_up=False), BLEROY: Answer(presses="1")},
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert result.connected_to == BLEROY
    assert "Bonjour, vous êtes bien au DAC du Lot" in said(result)
    assert "DAC du Lot : appel d'un infirmier ou d'une infirmière" in said(result, BLEROY)
    # The referent sees the department's number, never the caller's.
    whisper = next(r for r in result.exchanges if "/whisper" in r.request.path_qs)
    assert whisper.request.form["From"] == LOT
    assert NURSE not in "".join(text for _, text in result.documents)

    [request], events = await stored(settings)
    assert request.department == "dac46"
    assert request.channel == "voice"
    assert request.caller_number == NURSE
    assert request.referrer_type == "nurse_to_confirm"
    assert request.referrer_source == "menu"
    assert request.outcome == "taken"
    assert request.taken_by == "bleroy"
    assert request.attempts == 2
    assert request.callback_needed is False
    assert timedelta(0) <= request.received_at - TUESDAY_MORNING < timedelta(seconds=5)
    assert request.answered_at is not None
    assert request.answered_at >= request.received_at
    assert request.ended_at is not None
    assert [e.kind for e in events] == [
        "incoming", "menu", "menu", "ring-ended", "picked-up", "accepted", "ring-ended", "ended",
    ]  # fmt: skip
    codes = reason_codes(events)
    assert codes[:1] == ["weekly-hours"]
    assert {"menu-choice", "on-duty", "attempt-unanswered", "taken"} <= set(codes)


async def test_a_personal_voicemail_picking_up_never_takes_the_call(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        ["1", "1"],
        referents={AMARTIN: Answer(presses=None), BLEROY: Answer(presses="1")},
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert result.connected_to == BLEROY
    [request], events = await stored(settings)
    assert request.taken_by == "bleroy"
    assert request.referrer_type == "doctor_to_confirm"
    assert [(e.kind, e.referent_id) for e in events if e.kind == "picked-up"] == [
        ("picked-up", "amartin"), ("picked-up", "bleroy"),
    ]  # fmt: skip


async def test_when_nobody_on_duty_accepts_the_backup_list_is_rung_then_a_message_is_offered(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi pour Mme X.")

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    rung = [line.leg for line in result.transcript if line.kind == "ring"]
    assert rung == [AMARTIN, BLEROY, COORDINATION]  # on duty one by one, then the backup
    assert "Aucun référent n'est disponible" in said(result)
    [request], events = await stored(settings)
    assert request.outcome == "voicemail"
    assert request.callback_needed is True
    assert request.recording_url is not None
    assert request.recording_url.startswith("https://api.twilio.com/")
    assert request.attempts == 3
    assert "nobody-accepted" in reason_codes(events)


async def test_a_member_of_the_public_on_a_professionals_only_line_is_told_where_to_turn(
    client: TestClient, settings: Settings
) -> None:
    # No directory here: whatever the postal code, the department's fixed sentence.
    person = ScriptedPerson(["2", "57100"])

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert result.connected_to is None
    assert "Si vous êtes un particulier, tapez 2" in said(result)
    assert "Maison départementale des solidarités" in said(result)
    assert "appelez le 15 ou le 112" in said(result)
    [request], events = await stored(settings)
    assert request.department == "dac57"
    assert request.outcome == "public_not_allowed"
    assert request.callback_needed is False
    assert "public-not-allowed" in reason_codes(events)


async def test_a_patient_where_the_public_is_allowed_is_put_through(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["2"], referents={AMARTIN: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert result.connected_to == AMARTIN
    assert "appel d'un patient" in said(result, AMARTIN)
    [request], _ = await stored(settings)
    assert request.referrer_type == "patient"


async def test_on_ascension_thursday_the_line_is_closed_and_says_when_it_reopens(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([], message="Bonjour, c'est le cabinet infirmier de Figeac.")

    result = await place_call(
        client, at=datetime(2026, 5, 14, 10, 30, tzinfo=PARIS), to=LOT, person=person
    )

    assert "Il rouvrira demain, vendredi 15 mai, à 8 h 30." in said(result)
    assert "15 ou le 112" in said(result)
    assert "116 117" in said(result)
    assert result.connected_to is None
    [request], events = await stored(settings)
    assert request.out_of_hours is True
    assert request.outcome == "voicemail"
    assert request.callback_needed is True
    assert events[0].reasons[0] == {"code": "public-holiday", "text": "fermé : Ascension"}


async def test_a_closed_line_with_no_message_left_stays_a_tracked_callback(
    client: TestClient, settings: Settings
) -> None:
    friday_evening = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)

    result = await place_call(client, at=friday_evening, to=LOT, person=ScriptedPerson([]))

    assert "Il rouvrira lundi 18 mai à 8 h 30." in said(result)
    assert "Nous n'avons pas reçu de message" in said(result)
    [request], _ = await stored(settings)
    assert request.outcome == "closed"
    assert request.callback_needed is True


async def test_nobody_on_duty_offers_a_message_and_marks_a_callback(
    client: TestClient, settings: Settings
) -> None:
    # Moselle leaves Wednesday afternoon uncovered and has no backup list.
    wednesday_afternoon = datetime(2026, 5, 13, 15, 0, tzinfo=PARIS)
    person = ScriptedPerson(["1", "1"], message="Dr Weber, merci de me rappeler.")

    result = await place_call(client, at=wednesday_afternoon, to=MOSELLE, person=person)

    assert not any(line.kind == "ring" for line in result.transcript)
    assert "Aucun référent n'est disponible" in said(result)
    [request], events = await stored(settings)
    assert request.outcome == "voicemail"
    assert request.callback_needed is True
    assert {"nobody-on-duty"} <= set(reason_codes(events))


async def test_a_caller_who_hangs_up_while_waiting_becomes_an_abandoned_callback(
    client: TestClient, settings: Settings
) -> None:
    wednesday_afternoon = datetime(2026, 5, 13, 15, 0, tzinfo=PARIS)
    person = ScriptedPerson(["1", "1"], message=None)

    await place_call(client, at=wednesday_afternoon, to=MOSELLE, person=person)

    [request], events = await stored(settings)
    assert request.outcome == "abandoned"
    assert request.callback_needed is True
    assert [event.kind for event in events][-2:] == ["ended", "callback-task"]


async def test_moselle_rings_everyone_on_duty_at_once(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        ["1", "3"], referents={DWEBER: Answer(presses="2"), ESCHMITT: Answer(presses="1")}
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert result.connected_to == ESCHMITT
    dials = [text for url, text in result.documents if "<Dial" in text]
    assert len(dials) == 1
    assert DWEBER in dials[0]
    assert ESCHMITT in dials[0]
    [request], events = await stored(settings)
    assert request.referrer_type == "hospital"
    assert request.taken_by == "eschmitt"
    assert request.attempts == 1
    assert [(e.kind, e.referent_id) for e in events if e.kind in ("accepted", "declined")] == [
        ("declined", "dweber"), ("accepted", "eschmitt"),
    ]  # fmt: skip


async def test_a_known_caller_skips_the_menu_and_is_named_in_the_whisper(
    client: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(
            KnownContact(
                department="dac46", number=NURSE, name="Docteur Jeanne Roux", referrer_type="gp"
            )
        )
        await session.commit()
    await engine.dispose()
    # Each instance refreshes its copy every FRONTDOOR_STORE_COPIES_REFRESH_S seconds.
    await client.app[STORE_COPIES].refresh()
    person = ScriptedPerson([], referents={AMARTIN: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert "tapez 1" not in said(result)
    assert "appel de Docteur Jeanne Roux, médecin généraliste" in said(result, AMARTIN)
    [request], events = await stored(settings)
    assert request.caller_name == "Docteur Jeanne Roux"
    assert request.referrer_type == "gp"
    assert request.referrer_source == "known_contact"
    assert "known-caller" in reason_codes(events)


async def test_one_process_serves_both_departments(client: TestClient, settings: Settings) -> None:
    await place_call(
        client,
        at=TUESDAY_MORNING,
        to=LOT,
        person=ScriptedPerson(["1", "2"], referents={AMARTIN: Answer(presses="1")}),
    )
    await place_call(
        client,
        at=TUESDAY_MORNING,
        to=MOSELLE,
        person=ScriptedPerson(["1", "2"], referents={DWEBER: Answer(presses="1")}),
    )

    requests, _ = await stored(settings)
    assert [(r.department, r.taken_by) for r in requests] == [
        ("dac46", "amartin"), ("dac57", "dweber"),
    ]  # fmt: skip


async def test_the_status_callback_fills_the_end_and_duration(
    client: TestClient, settings: Settings
) -> None:
    result = await place_call(
        client,
        at=TUESDAY_MORNING,
        to=LOT,
        person=ScriptedPerson(["1", "2"], referents={AMARTIN: Answer(presses="1")}),
    )

    status = next(r for r in result.exchanges if r.request.path_qs == "/twilio/voice/status")
    [request], _ = await stored(settings)
    assert request.duration_s == int(status.request.form["CallDuration"])
    assert request.ended_at is not None
    assert request.ended_at > request.received_at


async def test_a_menu_without_a_choice_is_asked_again_then_put_through_unclassified(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["7", None], referents={AMARTIN: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert "Je n'ai pas compris votre choix" in said(result)
    assert result.connected_to == AMARTIN
    [request], events = await stored(settings)
    assert request.referrer_type == "unknown"
    assert "menu-no-choice" in reason_codes(events)
