"""Each step of a voice call: what the caller or referent hears, and what the request records."""

from __future__ import annotations

from datetime import datetime

import pytest

from frontdoor.core.calendar import Opening, opening_at
from frontdoor.core.call_flow import (
    MENU_TRIES,
    NOT_READ,
    HuntNotRead,
    accept,
    call_ended,
    message_left,
    ring,
    ring_ended,
    whisper,
)
from frontdoor.core.department import Department, RingStrategy
from frontdoor.core.menus import PROFESSION_KEYS, PUBLIC_KEYS, Menu, incoming, menu
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import KnownCaller, ReferrerType
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    CallUpdate,
    Hangup,
    Next,
    Outcome,
    RecordMessage,
    Ring,
    Say,
)
from tests.core.call_flows_made import (
    GREETING,
    LOT,
    MESSAGE_OFFER,
    NOBODY,
    NUMBER,
    PARIS,
    PROS_ONLY,
    SATURDAY_10H,
    TUESDAY_10H,
    ask_menu,
    codes,
    department,
    first_ring,
    person,
    ringing,
    says,
)

# --- incoming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "sentence"),
    [
        pytest.param(datetime(2026, 5, 19, 19, 0, tzinfo=PARIS),
                     "Le DAC test est fermé. Il rouvrira demain, mercredi 20 mai, à 8 h 30.",
                     id="evening-reopens-tomorrow"),
        pytest.param(datetime(2026, 5, 19, 7, 0, tzinfo=PARIS),
                     "Le DAC test est fermé. Il rouvrira aujourd'hui à 8 h 30.",
                     id="early-morning-reopens-today"),
        pytest.param(datetime(2026, 5, 22, 18, 30, tzinfo=PARIS),
                     "Le DAC test est fermé. Il rouvrira mardi 26 mai à 8 h 30.",
                     id="friday-before-whit-monday"),
        pytest.param(datetime(2026, 5, 14, 10, 0, tzinfo=PARIS),
                     "Le DAC test est fermé. Il rouvrira demain, vendredi 15 mai, à 8 h 30.",
                     id="ascension-day"),
    ],
)  # fmt: skip
def test_incoming_closed_says_when_it_reopens_and_offers_a_message(
    at: datetime, sentence: str
) -> None:
    reply = incoming(LOT, at=at, opening=opening_at(at, LOT.calendar), known=None)

    assert reply.actions == (GREETING, Say(text=sentence), Say(text="Urgence : 15."),
                             *MESSAGE_OFFER)  # fmt: skip
    assert reply.update == CallUpdate(
        outcome=Outcome.CLOSED, out_of_hours=True, callback_needed=True
    )
    assert codes(reply)[-1] == "closed-message"


def test_incoming_closed_for_good_has_no_reopening_sentence() -> None:
    dept = department(weekly=False)
    reply = incoming(
        dept, at=TUESDAY_10H, opening=opening_at(TUESDAY_10H, dept.calendar), known=None
    )

    assert says(reply)[:3] == ["Bonjour, DAC test.", "Le DAC test est fermé.", "Urgence : 15."]
    assert any(isinstance(a, RecordMessage) for a in reply.actions)
    assert reply.update.outcome is Outcome.CLOSED


def test_incoming_closed_even_for_a_known_caller() -> None:
    at = SATURDAY_10H
    reply = incoming(
        LOT,
        at=at,
        opening=opening_at(at, LOT.calendar),
        known=KnownCaller(name="Dr Dupont", referrer_type=ReferrerType.GP),
    )

    assert reply.update.outcome is Outcome.CLOSED
    assert not ringing(reply)


@pytest.mark.parametrize(
    ("dept", "prompt_text"),
    [
        pytest.param(LOT, "Professionnel 1, patient 2, aidant 3.", id="public-allowed"),
        pytest.param(PROS_ONLY, "Professionnel 1, particulier 2.", id="professionals-only"),
    ],
)
def test_incoming_open_asks_who_is_calling(dept: Department, prompt_text: str) -> None:
    reply = incoming(
        dept, at=TUESDAY_10H, opening=opening_at(TUESDAY_10H, dept.calendar), known=None
    )

    assert reply.actions == (GREETING, *ask_menu(Menu.WHO, 1, prompt_text))
    assert reply.update == CallUpdate(out_of_hours=False)
    assert codes(reply) == ["weekly-hours"]


def test_known_caller_skips_the_menu() -> None:
    reply = incoming(
        LOT,
        at=TUESDAY_10H,
        opening=opening_at(TUESDAY_10H, LOT.calendar),
        known=KnownCaller(name="Dr Dupont", referrer_type=ReferrerType.GP),
    )

    assert reply.actions == (GREETING, *first_ring("amartin"))
    assert reply.update == CallUpdate(referrer_type=ReferrerType.GP, out_of_hours=False)
    assert Reason(code="known-caller", text="appelant connu : Dr Dupont") in reply.reasons
    assert codes(reply)[:2] == ["weekly-hours", "known-caller"]


def test_known_caller_with_nobody_to_ring_is_offered_a_message() -> None:
    # Open by the calendar, yet nobody on duty and no backup list.
    opening = Opening(is_open=True, reason=Reason(code="weekly-hours", text="ouvert"))
    reply = incoming(
        NOBODY,
        at=SATURDAY_10H,
        opening=opening,
        known=KnownCaller(name="Dr Dupont", referrer_type=ReferrerType.GP),
    )

    assert reply.actions == (GREETING, Say(text="Personne n'est disponible."), *MESSAGE_OFFER)
    assert reply.update == CallUpdate(
        referrer_type=ReferrerType.GP, out_of_hours=False, callback_needed=True
    )


# --- menu --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "digits", "referrer"),
    [
        *(pytest.param(Menu.PROFESSION, key, kind, id=f"profession-{key}-{kind.value}")
          for key, kind in PROFESSION_KEYS.items()),
        *(pytest.param(Menu.WHO, key, kind, id=f"who-{key}-{kind.value}")
          for key, kind in PUBLIC_KEYS.items()),
    ],
)  # fmt: skip
def test_menu_choice_sets_referrer_and_rings(
    level: Menu, digits: str, referrer: ReferrerType
) -> None:
    reply = menu(LOT, at=TUESDAY_10H, level=level, tries=1, digits=digits)

    assert reply.actions == first_ring("amartin")
    assert reply.update.referrer_type is referrer
    assert reply.update.outcome is None
    assert codes(reply)[0] == "menu-choice"


def test_menu_choice_tables() -> None:
    # "Médecin" and "infirmier" are not filed as GP or nurse libéral, nor "autre
    # professionnel" as a health professional: the referent confirms the precise type.
    assert dict(PROFESSION_KEYS) == {
        "1": ReferrerType.DOCTOR_TO_CONFIRM,
        "2": ReferrerType.NURSE_TO_CONFIRM,
        "3": ReferrerType.HOSPITAL,
        "4": ReferrerType.ESMS,
        "5": ReferrerType.SOCIAL_WORKER,
        "6": ReferrerType.PROFESSIONAL_TO_CONFIRM,
    }
    assert dict(PUBLIC_KEYS) == {"2": ReferrerType.PATIENT, "3": ReferrerType.CARER}


@pytest.mark.parametrize(
    "dept", [pytest.param(LOT, id="public-allowed"), pytest.param(PROS_ONLY, id="pros-only")]
)
def test_professional_gets_the_profession_menu(dept: Department) -> None:
    reply = menu(dept, at=TUESDAY_10H, level=Menu.WHO, tries=1, digits="1")

    assert reply.actions == ask_menu(Menu.PROFESSION, 1, "Médecin 1 … autre 6.")
    assert reply.update == CallUpdate()


@pytest.mark.parametrize(
    ("dept", "level", "digits", "actions"),
    [
        pytest.param(LOT, Menu.WHO, "8",
                     (Say(text="Pas compris."),
                      *ask_menu(Menu.WHO, 2, "Professionnel 1, patient 2, aidant 3.")),
                     id="who-wrong-key"),
        pytest.param(LOT, Menu.WHO, None,
                     ask_menu(Menu.WHO, 2, "Professionnel 1, patient 2, aidant 3."),
                     id="who-no-key-asks-again-silently"),
        pytest.param(PROS_ONLY, Menu.WHO, "3",
                     (Say(text="Pas compris."),
                      *ask_menu(Menu.WHO, 2, "Professionnel 1, particulier 2.")),
                     id="pros-only-has-no-key-3"),
        pytest.param(LOT, Menu.PROFESSION, "7",
                     (Say(text="Pas compris."),
                      *ask_menu(Menu.PROFESSION, 2, "Médecin 1 … autre 6.")),
                     id="profession-wrong-key"),
        pytest.param(LOT, Menu.PROFESSION, "",
                     ask_menu(Menu.PROFESSION, 2, "Médecin 1 … autre 6."),
                     id="profession-empty-digits"),
    ],
)  # fmt: skip
def test_invalid_menu_key_asks_again(
    dept: Department, level: Menu, digits: str | None, actions: tuple[Action, ...]
) -> None:
    reply = menu(dept, at=TUESDAY_10H, level=level, tries=1, digits=digits)

    assert reply.actions == actions
    assert reply.update == CallUpdate()


@pytest.mark.parametrize(
    ("level", "digits"),
    [
        pytest.param(Menu.WHO, "8", id="who-wrong-key"),
        pytest.param(Menu.WHO, None, id="who-no-key"),
        pytest.param(Menu.PROFESSION, "*", id="profession-wrong-key"),
    ],
)
def test_after_the_last_try_the_call_goes_through_unclassified(
    level: Menu, digits: str | None
) -> None:
    reply = menu(LOT, at=TUESDAY_10H, level=level, tries=MENU_TRIES, digits=digits)

    assert reply.actions == first_ring("amartin")
    assert reply.update == CallUpdate(referrer_type=ReferrerType.UNKNOWN)
    assert codes(reply)[0] == "menu-no-choice"


def test_unclassified_call_with_nobody_to_ring_is_offered_a_message() -> None:
    reply = menu(NOBODY, at=SATURDAY_10H, level=Menu.WHO, tries=MENU_TRIES, digits=None)

    assert reply.actions == (Say(text="Personne n'est disponible."), *MESSAGE_OFFER)
    assert reply.update == CallUpdate(referrer_type=ReferrerType.UNKNOWN, callback_needed=True)


# --- ring and ring_ended: the hunt ---------------------------------------------------------


def test_a_step_given_who_is_busy_unread_asks_for_it_only_when_it_rings() -> None:
    # The edge reads who is on a call only for a step that rings (NOT_READ otherwise).
    professional = menu(LOT, at=TUESDAY_10H, level=Menu.WHO, tries=1, digits="1", busy=NOT_READ)
    assert professional == menu(LOT, at=TUESDAY_10H, level=Menu.WHO, tries=1, digits="1")
    taken = ring_ended(LOT, at=TUESDAY_10H, attempt=1, dial_status="completed",
                       accepted_by="bleroy", busy=NOT_READ)  # fmt: skip
    assert taken.update.outcome is Outcome.TAKEN

    with pytest.raises(HuntNotRead):
        menu(LOT, at=TUESDAY_10H, level=Menu.PROFESSION, tries=1, digits="3", busy=NOT_READ)
    with pytest.raises(HuntNotRead):
        ring_ended(LOT, at=TUESDAY_10H, attempt=0, dial_status="no-answer", accepted_by=None,
                   busy=NOT_READ)  # fmt: skip
    with pytest.raises(HuntNotRead):  # the last try rings whoever is on duty
        menu(LOT, at=TUESDAY_10H, level=Menu.WHO, tries=MENU_TRIES, digits="7", busy=NOT_READ)


def test_ring_hunt_until_taken() -> None:
    first = ring(LOT, at=TUESDAY_10H, attempt=0)
    assert first.actions == first_ring("amartin")
    assert codes(first) == ["on-duty", "backup-list", "ring-sequential", "ring-duty"]

    missed = ring_ended(LOT, at=TUESDAY_10H, attempt=0, dial_status="no-answer", accepted_by=None)
    assert missed.actions == (
        Ring(
            attempt=1,
            referents=(person("bleroy"),),
            timeout_s=20,
            caller_id=NUMBER,
            then=Next(step="dialed", params=(("attempt", "1"),)),
        ),
    )
    assert missed.update == CallUpdate(attempts=1)
    assert codes(missed) == ["attempt-unanswered", "ring-duty"]

    taken = ring_ended(
        LOT, at=TUESDAY_10H, attempt=1, dial_status="completed", accepted_by="bleroy"
    )
    assert taken.actions == (Hangup(),)
    assert taken.update == CallUpdate(
        outcome=Outcome.TAKEN, taken_by="bleroy", attempts=2, callback_needed=False
    )
    assert taken.reasons == (Reason(code="taken", text="pris par bleroy à la tentative 2"),)


@pytest.mark.parametrize(
    ("dial_status", "accepted_by"),
    [
        pytest.param("no-answer", None, id="no-answer"),
        pytest.param("busy", None, id="busy"),
        pytest.param("failed", None, id="failed"),
        pytest.param("completed", None, id="picked-up-but-not-accepted"),
        pytest.param("no-answer", "amartin", id="accepted-but-dial-not-answered"),
    ],
)
def test_unaccepted_attempt_moves_on(dial_status: str, accepted_by: str | None) -> None:
    reply = ring_ended(
        LOT, at=TUESDAY_10H, attempt=0, dial_status=dial_status, accepted_by=accepted_by
    )

    assert ringing(reply) == [("bleroy",)]
    assert reply.update.outcome is None


def test_backup_list_rings_after_the_people_on_duty() -> None:
    reply = ring_ended(LOT, at=TUESDAY_10H, attempt=1, dial_status="busy", accepted_by=None)

    assert ringing(reply) == [("coordination",)]
    assert codes(reply) == ["attempt-unanswered", "ring-backup"]


@pytest.mark.parametrize(
    ("dept", "last_attempt"),
    [
        pytest.param(LOT, 2, id="sequential-after-backup"),
        pytest.param(department(strategy=RingStrategy.SIMULTANEOUS), 1,
                     id="simultaneous-after-backup"),
        pytest.param(department(backup=()), 1, id="sequential-no-backup"),
    ],
)  # fmt: skip
def test_all_attempts_exhausted_offers_a_message(dept: Department, last_attempt: int) -> None:
    reply = ring_ended(
        dept, at=TUESDAY_10H, attempt=last_attempt, dial_status="no-answer", accepted_by=None
    )

    assert reply.actions == (Say(text="Personne n'est disponible."), *MESSAGE_OFFER)
    assert reply.update == CallUpdate(attempts=last_attempt + 1, callback_needed=True)
    assert codes(reply)[0] == "attempt-unanswered"
    assert codes(reply)[-1] == "nobody-accepted"


def test_nobody_to_ring_offers_a_message_at_once() -> None:
    reply = ring(NOBODY, at=SATURDAY_10H, attempt=0)

    assert reply.actions == (Say(text="Personne n'est disponible."), *MESSAGE_OFFER)
    assert reply.update == CallUpdate(callback_needed=True)
    assert codes(reply) == ["nobody-on-duty", "ring-sequential", "no-one-to-ring"]


# --- whisper and accept --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referrer", "caller_name", "text"),
    [
        pytest.param(ReferrerType.GP, None, "DAC test : appel d'un médecin. Tapez 1.",
                     id="menu-choice"),
        pytest.param(ReferrerType.UNKNOWN, None, "DAC test : appel d'un correspondant. Tapez 1.",
                     id="unclassified"),
        pytest.param(ReferrerType.GP, "Dr Dupont",
                     "DAC test : appel de Dr Dupont, médecin généraliste. Tapez 1.",
                     id="known-caller-named"),
    ],
)  # fmt: skip
def test_whisper_asks_the_referent_then_hangs_up(
    referrer: ReferrerType, caller_name: str | None, text: str
) -> None:
    reply = whisper(
        LOT, attempt=1, referent_id="bleroy", referrer=referrer, caller_name=caller_name
    )

    # The Hangup after the Ask: with no key (a personal voicemail), the leg is dropped
    # instead of being bridged to the caller.
    assert reply.actions == (
        Ask(
            prompt=text,
            then=Next(step="accept", params=(("attempt", "1"), ("referent", "bleroy"))),
            timeout_s=6,
        ),
        Hangup(),
    )
    assert reply.update == CallUpdate()


@pytest.mark.parametrize(
    ("digits", "actions"),
    [
        pytest.param("1", (Say(text="Mise en relation."),), id="1-takes-the-call"),
        pytest.param("2", (Hangup(),), id="other-key-declines"),
        pytest.param("11", (Hangup(),), id="not-exactly-1"),
        pytest.param(None, (Hangup(),), id="no-key-declines"),
    ],
)
def test_accept(digits: str | None, actions: tuple[Action, ...]) -> None:
    reply = accept(LOT, digits=digits)

    assert reply.actions == actions


# --- message_left and call_ended -----------------------------------------------------------


def test_message_left_thanks_and_asks_for_a_callback() -> None:
    reply = message_left(LOT, duration_s=42)

    assert reply.actions == (Say(text="Message enregistré. Au revoir."), Hangup())
    assert reply.update == CallUpdate(outcome=Outcome.VOICEMAIL, callback_needed=True)
    assert reply.reasons == (Reason(code="voicemail", text="message laissé (42 s)"),)


@pytest.mark.parametrize(
    ("outcome", "withheld", "update"),
    [
        pytest.param(Outcome.IN_PROGRESS, False,
                     CallUpdate(outcome=Outcome.ABANDONED, callback_needed=True),
                     id="abandoned-call-back"),
        pytest.param(Outcome.IN_PROGRESS, True,
                     CallUpdate(outcome=Outcome.ABANDONED, callback_needed=False),
                     id="abandoned-withheld-number-no-callback"),
        pytest.param(Outcome.CLOSED, True, CallUpdate(callback_needed=False),
                     id="closed-withheld-number-no-callback"),
        *(pytest.param(o, w, CallUpdate(), id=f"{o.value}-{'withheld' if w else 'shown'}-kept")
          for o in Outcome if o is not Outcome.IN_PROGRESS for w in (False, True)
          if (o, w) != (Outcome.CLOSED, True)),
    ],
)  # fmt: skip
def test_call_ended(outcome: Outcome, withheld: bool, update: CallUpdate) -> None:
    reply = call_ended(outcome=outcome, withheld_number=withheld)

    assert reply.actions == ()
    assert reply.update == update
    expected_codes = {Outcome.ABANDONED: ["abandoned"], None: []}.get(update.outcome, [])
    if update == CallUpdate(callback_needed=False):
        expected_codes = ["withheld-number"]
    assert codes(reply) == expected_codes
