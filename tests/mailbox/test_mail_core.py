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
    no_ack_reasons,
    reference,
    referenced_request,
)
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
