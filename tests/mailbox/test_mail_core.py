"""The mail channel's pure decisions: never answer automatic mail, references, senders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.mail import (
    BY_HEADERS,
    BY_REFERENCE,
    NO_ACK_RULES,
    AutoAnswer,
    Cited,
    Headers,
    MailAction,
    Threading,
    classify_sender,
    inbound,
    is_no_reply_address,
    linked_reason,
    may_answer,
    next_attempt,
    no_ack_reasons,
    reference,
    referenced_request,
    threading,
    unreadable_note,
    unreadable_notice,
)
from frontdoor.core.mailbox import reconnect_delay
from frontdoor.core.referrers import KnownCaller, ReferrerType
from frontdoor.mailbox.texts import mail_texts
from tests.conftest import ROOT

PERSON = "dr.roux@chu-toulouse.fr"


def test_every_rule_is_listed() -> None:
    assert [(rule.name, rule.description) for rule in NO_ACK_RULES] == [
        (
            "auto-submitted",
            "réponse automatique (Auto-Submitted) : pas d'accusé de réception",
        ),
        (
            "precedence",
            "envoi en nombre ou automatique (Precedence bulk, list, junk ou auto_reply) : "
            "pas d'accusé",
        ),
        ("empty-return-path", "avis de non-remise (Return-Path vide) : pas d'accusé"),
        ("list", "message de liste de diffusion (List-Id) : pas d'accusé"),
        (
            "no-reply-address",
            "adresse qui ne lit pas les réponses (ne-pas-répondre, noreply, MAILER-DAEMON, "
            "postmaster…) : pas d'accusé",
        ),
        ("x-autoreply", "réponse automatique (X-Autoreply) : pas d'accusé"),
        ("x-autorespond", "réponse automatique (X-Autorespond) : pas d'accusé"),
        (
            "x-auto-response-suppress",
            "l'expéditeur refuse les réponses automatiques (X-Auto-Response-Suppress) : "
            "pas d'accusé",
        ),
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
        pytest.param(Headers(sender=PERSON, precedence="auto_reply"), ["precedence"], id="auto"),
        pytest.param(Headers(sender=PERSON, x_autoreply="yes"), ["x-autoreply"], id="x-auto"),
        pytest.param(
            Headers(sender=PERSON, x_autorespond="vacation"), ["x-autorespond"], id="x-autorespond"
        ),
        pytest.param(
            Headers(sender=PERSON, x_auto_response_suppress="All"),
            ["x-auto-response-suppress"],
            id="suppress-all",
        ),
        pytest.param(
            Headers(sender=PERSON, x_auto_response_suppress="OOF, AutoReply"),
            ["x-auto-response-suppress"],
            id="suppress-oof",
        ),
        pytest.param(
            Headers(sender=PERSON, x_auto_response_suppress="None"), [], id="suppress-none"
        ),
        pytest.param(
            Headers(sender="nepasrepondre@ameli.fr", auto_submitted="auto-generated"),
            ["auto-submitted", "no-reply-address"],
            id="every-reason-said",
        ),
    ],
)
def test_which_mails_are_never_acknowledged(headers: Headers, rules: list[str]) -> None:
    assert [r.code.removeprefix("mail-no-ack-") for r in no_ack_reasons(headers)] == rules


@pytest.mark.parametrize(
    ("address", "automatic"),
    [
        ("nepasrepondre@ameli.fr", True),
        ("ne-pas-repondre@ars.sante.fr", True),
        ("ne_pas_repondre@mssante.fr", True),
        ("Ne.Pas.Répondre@hopital.fr", True),
        ("NePasRepondre-DMP@sante.fr", True),
        ("ne-repondez-pas@caf.fr", True),
        ("pas-de-reponse@mairie.fr", True),
        ("noreply@ars.sante.fr", True),
        ("no-reply@doctolib.fr", True),
        ("no_reply@x.fr", True),
        ("ars-oc-noreply@ars.sante.fr", True),
        ("noreply+dac46@x.fr", True),
        ("do-not-reply@x.com", True),
        ("donotreply@x.com", True),
        ("dont-reply@x.com", True),
        ("MAILER-DAEMON@chu-toulouse.fr", True),
        ("mailer_daemon@x.fr", True),
        ("postmaster@chu-toulouse.fr", True),
        ("bounces+123-dac46=mssante.fr@lists.x.org", True),
        ("bounce-42@news.x.fr", True),
        ("listserv@x.fr", True),
        ("dr.roux@chu-toulouse.fr", False),
        ("secretariat.postmaster-adjoint@x.fr", False),
        ("cadre.urgences@ch-cahors.fr", False),
        ("reponse.dac@ch.fr", False),
        ("marie.repondre@x.fr", False),
    ],
)
def test_addresses_that_read_no_answer(address: str, automatic: bool) -> None:
    assert is_no_reply_address(address.lower()) is automatic


@pytest.mark.parametrize(
    ("last", "may"),
    [
        (None, True),
        ("2026-03-09T10:00:00+01:00", True),  # a day ago exactly
        ("2026-03-09T10:00:01+01:00", False),
        ("2026-03-10T09:59:00+01:00", False),
        ("2026-03-03T10:00:00+01:00", True),
        ("2026-03-09T09:00:00+00:00", True),  # 10:00 in Paris, written in UTC
    ],
    ids=["never", "a-day-ago", "a-second-short", "a-minute-ago", "a-week-ago", "other-offset"],
)
def test_a_sender_is_answered_automatically_once_a_day_at_most(last: str | None, may: bool) -> None:
    at = datetime.fromisoformat("2026-03-10T10:00:00+01:00")
    assert may_answer(None if last is None else datetime.fromisoformat(last), at=at) is may


def test_the_period_is_24_hours_across_a_change_of_clocks() -> None:
    """29 March 2026, Paris goes from +01:00 to +02:00: 24 hours back from 10:00 is 09:00."""
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 29, 10, 0, tzinfo=paris)
    assert may_answer(datetime(2026, 3, 28, 9, 0, tzinfo=paris), at=at)
    assert not may_answer(datetime(2026, 3, 28, 9, 1, tzinfo=paris), at=at)
    assert not may_answer(datetime(2026, 3, 28, 10, 0, tzinfo=paris), at=at)


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
        known={
            "dr.martin@cabinet.fr": KnownCaller(name="Dr Martin", referrer_type=ReferrerType.GP)
        },
        domains={"chu-toulouse.fr": "hospital", "ehpad-figeac.fr": "care_home"},
    )
    assert (found, found_source) == (kind, source)


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
def test_an_unreadable_mail_gets_a_notice_instead_of_an_acknowledgement_and_a_callback(
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
    assert decision.answer is AutoAnswer.UNREADABLE
    assert decision.acknowledge is False
    assert decision.callback_needed is callback
    assert bool(decision.notify) is notified
    [why] = [r.text for r in decision.reasons if r.code == "mail-unreadable"]
    assert why == "contenu illisible (structure MIME invalide) : original mis de côté"
    assert "mail-unreadable-notice" in [r.code for r in decision.reasons]


NOW = "2026-03-10T10:00:00+01:00"
AN_HOUR_AGO = "2026-03-10T09:00:00+01:00"
YESTERDAY = "2026-03-09T09:00:00+01:00"


@pytest.mark.parametrize(
    ("headers", "thread", "unreadable", "last", "answer", "why"),
    [
        (Headers(sender=PERSON), None, None, None, AutoAnswer.ACKNOWLEDGEMENT, "mail-ack"),
        (Headers(sender=PERSON), None, None, YESTERDAY, AutoAnswer.ACKNOWLEDGEMENT, "mail-ack"),
        (Headers(sender=PERSON), None, None, AN_HOUR_AGO, None, "mail-no-ack-answered-recently"),
        (Headers(sender=PERSON), 5, None, None, None, "mail-join"),
        (
            Headers(sender=PERSON),
            None,
            "too-large",
            None,
            AutoAnswer.UNREADABLE,
            "mail-unreadable-notice",
        ),
        (
            Headers(sender=PERSON),
            None,
            "too-large",
            AN_HOUR_AGO,
            None,
            "mail-no-ack-answered-recently",
        ),
        (
            Headers(sender=PERSON, auto_submitted="auto-replied"),
            None,
            "unknown-charset",
            None,
            None,
            "mail-no-ack-auto-submitted",
        ),
        (
            Headers(sender="ne-pas-repondre@ars.sante.fr"),
            None,
            None,
            None,
            None,
            "mail-no-ack-no-reply-address",
        ),
    ],
    ids=[
        "first-mail",
        "answered-yesterday",
        "answered-an-hour-ago",
        "a-reply",
        "too-large",
        "too-large-answered-an-hour-ago",
        "unreadable-from-an-autoresponder",
        "no-reply-sender",
    ],
)
def test_what_a_sender_gets_back(
    lot: Department,
    headers: Headers,
    thread: int | None,
    unreadable: str | None,
    last: str | None,
    answer: AutoAnswer | None,
    why: str,
) -> None:
    at = datetime.fromisoformat(NOW)
    decision = inbound(
        lot,
        at=at,
        opening=opening_at(at, lot.calendar),
        headers=headers,
        thread=thread,
        unreadable=unreadable,
        last_answered=None if last is None else datetime.fromisoformat(last),
    )
    assert decision.answer is answer
    assert why in [reason.code for reason in decision.reasons]


def test_the_notice_of_a_mail_too_large_says_its_size_the_limit_and_what_next(
    lot: Department,
) -> None:
    notice = unreadable_notice(
        lot,
        request_id=42,
        subject="IRM de Mme Y",
        code="too-large",
        size=52_400_000,
        limit=25_000_000,
        texts=mail_texts(ROOT / "templates"),
    )
    assert notice.subject == "[DAC46-42] Message non lu : IRM de Mme Y"
    assert "trop volumineux pour être lu : 52,4 Mo, alors que la limite est de 25 Mo" in (
        notice.body
    )
    assert "Un référent vous rappellera ou vous répondra" in notice.body
    assert "$" not in notice.body


def test_the_notice_of_a_mail_that_could_not_be_read_says_why_and_what_next(
    lot: Department,
) -> None:
    notice = unreadable_notice(
        lot,
        request_id=42,
        subject="Sortie",
        code="unknown-charset",
        size=3_000,
        limit=25_000_000,
        texts=mail_texts(ROOT / "templates"),
    )
    assert "son contenu n'a pas pu être lu (jeu de caractères inconnu)" in notice.body
    assert "renvoyer en texte simple" in notice.body
    assert "[DAC46-42]" in notice.body
    assert "$" not in notice.body


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


def test_a_retry_four_hours_later_is_four_hours_across_a_change_of_clocks() -> None:
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 29, 0, 30, tzinfo=paris)  # 02:00 becomes 03:00 meanwhile
    retry = next_attempt(9, at=at)
    assert retry is not None
    assert retry.astimezone(paris) == datetime(2026, 3, 29, 5, 30, tzinfo=paris)


CONVERSATION = {"dr.roux@chu-toulouse.fr", "ide.lac@gmail.com"}
OTHER = {"secretariat@ehpad-figeac.fr"}


def answers(request: int, conversation: set[str]) -> Cited:
    return Cited(request=request, by=BY_HEADERS, conversation=conversation)


def names(request: int, conversation: set[str]) -> Cited:
    return Cited(request=request, by=BY_REFERENCE, conversation=conversation)


@pytest.mark.parametrize(
    ("sender", "cited", "expected"),
    [
        pytest.param(
            PERSON, [answers(7, CONVERSATION)], Threading(joins=7, by=BY_HEADERS), id="a-reply"
        ),
        pytest.param(
            "someone@else.fr",
            [answers(7, CONVERSATION)],
            Threading(linked_to=7, by=BY_HEADERS),
            id="a-forwarded-mail-answered-by-a-stranger",
        ),
        pytest.param(
            PERSON,
            [answers(7, OTHER), answers(8, CONVERSATION)],
            Threading(joins=8, by=BY_HEADERS),
            id="answers-two-requests-joins-its-own",
        ),
        pytest.param(
            "someone@else.fr",
            [answers(7, CONVERSATION), names(9, OTHER)],
            Threading(linked_to=7, by=BY_HEADERS),
            id="a-stranger-answering-and-naming-is-linked-to-the-answered",
        ),
        pytest.param(
            PERSON,
            [answers(7, OTHER), names(9, CONVERSATION)],
            Threading(joins=9, by=BY_REFERENCE),
            id="answers-anothers-names-its-own",
        ),
        pytest.param(
            PERSON, [names(9, CONVERSATION)], Threading(joins=9, by=BY_REFERENCE), id="its-contact"
        ),
        pytest.param(
            "IDE.Lac@Gmail.com",
            [names(9, CONVERSATION)],
            Threading(joins=9, by=BY_REFERENCE),
            id="wrote-to-it-any-case",
        ),
        pytest.param(
            "someone@else.fr",
            [names(9, CONVERSATION)],
            Threading(linked_to=9, by=BY_REFERENCE),
            id="a-stranger",
        ),
        pytest.param(
            PERSON, [names(9, set())], Threading(linked_to=9, by=BY_REFERENCE), id="a-phone-request"
        ),
        pytest.param(PERSON, [], Threading(), id="points-to-none-of-the-departments"),
    ],
)
def test_which_request_a_mail_joins(sender: str, cited: list[Cited], expected: Threading) -> None:
    assert threading(sender=sender, cited=cited) == expected


@pytest.mark.parametrize(
    ("by", "says"),
    [(BY_HEADERS, "répond à un message de la demande n° 7"),
     (BY_REFERENCE, "cite dans son objet la demande n° 7")],
)  # fmt: skip
def test_a_linked_request_says_how_the_mail_pointed_to_the_other(by: str, says: str) -> None:
    assert says in linked_reason(7, by).text
