"""The mail channel's pure decisions: never answer automatic mail, references, senders."""

from __future__ import annotations

from datetime import datetime

import pytest

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.mail import (
    NO_ACK_RULES,
    Headers,
    MailAction,
    classify_sender,
    inbound,
    next_attempt,
    no_ack_reasons,
    reference,
    referenced_request,
    unreadable_note,
)
from frontdoor.core.mailbox import reconnect_delay
from frontdoor.core.referrers import ReferrerType
from frontdoor.departments import Departments

PERSON = "dr.roux@chu-toulouse.fr"


def test_every_rule_is_listed() -> None:
    assert [rule.name for rule in NO_ACK_RULES] == [
        "auto-submitted",
        "precedence",
        "empty-return-path",
        "list",
        "mailer-daemon",
        "x-autoreply",
    ]


@pytest.mark.parametrize(
    ("headers", "rules"),
    [
        pytest.param(Headers(sender=PERSON), [], id="a-person"),
        pytest.param(Headers(sender=PERSON, auto_submitted="no"), [], id="auto-submitted-no"),
        pytest.param(
            Headers(sender=PERSON, auto_submitted="auto-replied"),
            ["auto-submitted"],
            id="out-of-office",
        ),
        pytest.param(
            Headers(sender=PERSON, auto_submitted="auto-generated; type=x"),
            ["auto-submitted"],
            id="auto-generated-with-parameters",
        ),
        pytest.param(Headers(sender=PERSON, precedence="Bulk"), ["precedence"], id="bulk"),
        pytest.param(Headers(sender=PERSON, precedence="junk"), ["precedence"], id="junk"),
        pytest.param(Headers(sender=PERSON, precedence="first-class"), [], id="precedence-other"),
        pytest.param(Headers(sender=PERSON, return_path="<>"), ["empty-return-path"], id="bounce"),
        pytest.param(Headers(sender=PERSON, return_path=f"<{PERSON}>"), [], id="return-path"),
        pytest.param(Headers(sender=PERSON, list_id="<ars.example>"), ["list"], id="list-id"),
        pytest.param(
            Headers(sender=PERSON, list_unsubscribe="<mailto:x>"), ["list"], id="unsubscribe"
        ),
        pytest.param(
            Headers(sender="MAILER-DAEMON@chu-toulouse.fr"), ["mailer-daemon"], id="daemon"
        ),
        pytest.param(Headers(sender="noreply@ars.sante.fr"), ["mailer-daemon"], id="noreply"),
        pytest.param(Headers(sender=PERSON, x_autoreply="yes"), ["x-autoreply"], id="x-auto"),
    ],
)
def test_which_mails_are_never_acknowledged(headers: Headers, rules: list[str]) -> None:
    assert [r.code.removeprefix("mail-no-ack-") for r in no_ack_reasons(headers)] == rules


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[DAC46-123] Accusé de réception", 123),
        ("Re: RE: Tr: [dac46-7] suite", 7),
        ("[DAC57-9] autre département", None),
        ("[DAC46-] rien", None),
        ("DAC46-12 sans crochets", None),
        ("[ DAC46-12 ] espaces", 12),
    ],
)
def test_the_reference_in_a_subject(subject: str, expected: int | None) -> None:
    assert referenced_request(subject, "dac46") == expected


def test_a_reference_is_read_back() -> None:
    assert referenced_request(f"Re: {reference('dac46', 42)}", "dac46") == 42


@pytest.mark.parametrize(
    ("address", "kind", "source"),
    [
        ("dr.martin@cabinet.fr", ReferrerType.GP, "known_contact"),
        ("Cadre.Sante@chu-toulouse.fr", ReferrerType.HOSPITAL, "domain"),
        ("x@urgences.chu-toulouse.fr", ReferrerType.HOSPITAL, "domain"),
        ("x@notchu-toulouse.fr", ReferrerType.UNKNOWN, "none"),
        ("x@ehpad-figeac.fr", ReferrerType.CARE_HOME, "domain"),
    ],
)
def test_the_sender_pre_classifies_the_referrer(
    address: str, kind: ReferrerType, source: str
) -> None:
    found, found_source, _ = classify_sender(
        address,
        known={"dr.martin@cabinet.fr": "gp"},
        domains={"chu-toulouse.fr": "hospital", "ehpad-figeac.fr": "care_home"},
    )
    assert (found, found_source) == (kind, source)


@pytest.fixture
def lot(departments: Departments) -> Department:
    department = departments.for_slug("dac46")
    assert department is not None
    return department


@pytest.mark.parametrize(
    ("at", "thread", "headers", "ack", "callback", "notified"),
    [
        ("2026-03-10T10:00:00+01:00", None, Headers(sender=PERSON), True, False, True),
        ("2026-03-10T20:00:00+01:00", None, Headers(sender=PERSON), True, True, False),
        ("2026-03-10T10:00:00+01:00", 5, Headers(sender=PERSON), False, False, False),
        (
            "2026-03-10T10:00:00+01:00",
            None,
            Headers(sender=PERSON, precedence="bulk"),
            False,
            False,
            False,
        ),
    ],
    ids=["in-hours", "out-of-hours", "reply-in-a-thread", "bulk"],
)
def test_what_a_mail_gets(
    lot: Department,
    at: str,
    thread: int | None,
    headers: Headers,
    ack: bool,
    callback: bool,
    notified: bool,
) -> None:
    moment = datetime.fromisoformat(at)
    decision = inbound(
        lot, at=moment, opening=opening_at(moment, lot.calendar), headers=headers, thread=thread
    )
    assert decision.acknowledge is ack
    assert decision.callback_needed is callback
    assert bool(decision.notify) is notified
    expected = MailAction.JOIN_REQUEST if thread else MailAction.NEW_REQUEST
    assert decision.action is expected
    assert decision.reasons


@pytest.mark.parametrize(
    ("at", "thread", "callback", "notified"),
    [
        ("2026-03-10T10:00:00+01:00", None, True, True),
        ("2026-03-10T20:00:00+01:00", None, True, False),
        ("2026-03-10T10:00:00+01:00", 5, False, False),
    ],
    ids=["in-hours", "out-of-hours", "in-a-thread"],
)
def test_an_unreadable_mail_is_never_acknowledged_and_its_sender_is_called_back(
    lot: Department, at: str, thread: int | None, callback: bool, notified: bool
) -> None:
    moment = datetime.fromisoformat(at)
    decision = inbound(
        lot,
        at=moment,
        opening=opening_at(moment, lot.calendar),
        headers=Headers(sender=PERSON),
        thread=thread,
        unreadable="malformed-mime",
    )
    assert decision.acknowledge is False
    assert decision.callback_needed is callback
    assert bool(decision.notify) is notified
    [why] = [r.text for r in decision.reasons if r.code == "mail-unreadable"]
    assert why == "contenu illisible (structure MIME invalide) : original mis de côté, pas d'accusé"


def test_the_note_kept_in_place_of_an_unreadable_mail() -> None:
    assert unreadable_note(
        "too-large", parked_in="Frontdoor-Quarantaine", size=52_400_000, limit=25_000_000
    ) == (
        "Le contenu de ce courriel n'a pas pu être lu (trop volumineux : 52,4 Mo, la limite "
        "est de 25 Mo). L'original est conservé dans le dossier « Frontdoor-Quarantaine » de "
        "la messagerie sécurisée ; demander à l'expéditeur de le renvoyer si besoin."
    )
    assert "marqué « $FrontdoorParked »" in unreadable_note("unknown-charset", parked_in=None)


def test_a_mail_not_sent_is_tried_again_ever_later_then_given_up() -> None:
    at = datetime.fromisoformat("2026-03-10T10:00:00+01:00")
    delays = [next_attempt(n, at=at) for n in range(1, 14)]
    minutes = [None if d is None else (d - at).total_seconds() / 60 for d in delays]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, None, None]


def test_a_mailbox_that_went_away_is_tried_again_ever_later_up_to_five_minutes() -> None:
    assert [reconnect_delay(n) for n in (1, 2, 3, 9, 10, 50)] == [1, 2, 4, 256, 300, 300]
