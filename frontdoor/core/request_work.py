"""What a referent's everyday actions on a request change, and why one is refused.

Plain functions of the request's fields and the referent's choice: the actions
(frontdoor.actions) apply them, the console and the API only translate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdoor.core.callbacks import TaskStatus
from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import RequestStatus
from frontdoor.core.sms import MAX_ANSWER_SEGMENTS

MAX_NOTE_CHARS = 5000


class WorkError(ValueError):
    """What the referent sent cannot be recorded: the French message says why."""


def note_body(text: str) -> str:
    body = text.strip()
    if not body:
        raise WorkError("la note est vide")
    if len(body) > MAX_NOTE_CHARS:
        raise WorkError(f"note trop longue (au plus {MAX_NOTE_CHARS} caractères)")
    return body


@dataclass(kw_only=True, frozen=True)
class Assignment:
    assigned_to: str | None
    reason: Reason


TO_ME, TO_NOBODY = "me", ""


def assignment(*, to: str, login: str, desk: Mapping[str, str]) -> Assignment:
    """One takes a request for oneself (TO_ME), gives it back (TO_NOBODY), or hands it to a
    colleague of its department by login (the switchboard's dispatch); `desk` is whom it may
    be given to, login → name."""
    if to == TO_ME:
        return Assignment(
            assigned_to=login, reason=Reason(code="assigned", text=f"prise en charge par {login}")
        )
    if to == TO_NOBODY:
        return Assignment(
            assigned_to=None, reason=Reason(code="assigned", text=f"rendue par {login}")
        )
    name = desk.get(to)
    if name is None:
        raise WorkError("à confier à : personne de ce département")
    return Assignment(
        assigned_to=to, reason=Reason(code="assigned", text=f"confiée à {name} par {login}")
    )


@dataclass(kw_only=True, frozen=True)
class Closing:
    status: RequestStatus
    closed_at: datetime | None
    closed_by: str | None
    reason: Reason  # its code is the event's kind: "closed" or "reopened"


def closing(*, close: bool, by: str, at: datetime) -> Closing:
    change = "closed" if close else "reopened"
    return Closing(
        status=RequestStatus.CLOSED if close else RequestStatus.OPEN,
        closed_at=at if close else None,
        closed_by=by if close else None,
        reason=Reason(code=change, text=f"{'close' if close else 'rouverte'} par {by}"),
    )


MAX_MAIL_BODY = 20_000


class MailRefusal(StrEnum):
    NO_MAILBOX = "no_mailbox"
    NO_ADDRESS = "no_address"


MAIL_REFUSALS_FR = {
    MailRefusal.NO_MAILBOX: "ce département n'a pas de messagerie sécurisée",
    MailRefusal.NO_ADDRESS: "pas d'adresse de messagerie sécurisée où répondre",
}


def mail_body(text: str) -> str:
    body = text.strip()
    if not body or len(body) > MAX_MAIL_BODY:
        raise WorkError(f"la réponse doit faire de 1 à {MAX_MAIL_BODY} caractères")
    return body


def mail_answer_refusal(*, has_mailbox: bool, contact_address: str | None) -> MailRefusal | None:
    """Why a request cannot be answered by secure mail, if it cannot: the department writes
    from its own mailbox, to the address that wrote."""
    if not has_mailbox:
        return MailRefusal.NO_MAILBOX
    if not contact_address:
        return MailRefusal.NO_ADDRESS
    return None


class SmsRefusal(StrEnum):
    TOO_LONG = "too_long"
    WITHHELD = "withheld"
    OPTED_OUT = "opted_out"
    PROVIDER = "provider"


SMS_REFUSALS_FR = {
    SmsRefusal.TOO_LONG: f"réponse trop longue (au plus {MAX_ANSWER_SEGMENTS} SMS)",
    SmsRefusal.WITHHELD: "pas de numéro pour répondre (numéro masqué)",
    SmsRefusal.OPTED_OUT: "ce numéro a demandé à ne plus recevoir de SMS (STOP)",
    SmsRefusal.PROVIDER: "l'opérateur a refusé le SMS",
}


def is_too_long(segment_count: int) -> bool:
    """An answer of more SMS than an answer may take."""
    return segment_count > MAX_ANSWER_SEGMENTS


def sms_answer_refusal(*, segment_count: int, number: str | None) -> SmsRefusal | None:
    """Why an answer cannot leave by SMS before the store is asked, if it cannot: too long,
    or no number to answer. (A number that sent STOP is then refused too: OPTED_OUT.)"""
    if is_too_long(segment_count):
        return SmsRefusal.TOO_LONG
    if is_withheld(number):
        return SmsRefusal.WITHHELD
    return None


class CallbackRefusal(StrEnum):
    CLOSED = "closed"
    WITHHELD = "withheld"
    PROVIDER = "provider"
    NO_CALLBACK = "no_callback"  # the account is no referent of the department file
    NO_OUTCOME = "no_outcome"


CALLBACK_REFUSALS_FR = {
    CallbackRefusal.CLOSED: "ce rappel est déjà clos",
    CallbackRefusal.WITHHELD: "pas de numéro à rappeler (numéro masqué)",
    CallbackRefusal.PROVIDER: "l'opérateur a refusé l'appel",
    CallbackRefusal.NO_CALLBACK: "pas de rappel possible depuis votre compte",
    CallbackRefusal.NO_OUTCOME: "issue du rappel : à choisir",
}


def callback_refusal(*, task_status: str, number: str | None) -> CallbackRefusal | None:
    """Why the person cannot be called back, if she cannot: the task is closed, or there is
    no number to call."""
    if task_status != TaskStatus.OPEN.value:
        return CallbackRefusal.CLOSED
    if is_withheld(number):
        return CallbackRefusal.WITHHELD
    return None
