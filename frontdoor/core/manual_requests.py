"""A request a referent enters by hand (a visit, a letter, a call on her own line…): what the
form or the API may say, read into one value, refused in French when it cannot be kept.

Entered, it is a request like any other: the same classification, persons, tasks and
indicators (it counts as a request of the department; not as a call of the single number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frontdoor.core.channels import CHANNEL_LABELS, MANUAL_CHANNELS, Channel
from frontdoor.core.dates import (
    DateRefused,
    local_instant,
    parse_day,
    parse_instant,
    parse_wall_time,
)
from frontdoor.core.mail_addresses import is_mail_address
from frontdoor.core.numbers import parse_phone
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, ReferrerType
from frontdoor.core.request_work import MAX_NOTE_CHARS

MAX_NAME = 200
MAX_ADDRESS = 250
# Entered afterwards, not before: a visit cannot be in the future (a few minutes of clock
# difference between a browser and the server allowed).
FUTURE_SLACK = timedelta(minutes=5)
_SEPARATORS = re.compile(r"[\s.\-/()]")


class ManualRequestError(ValueError):
    """The French message says which field cannot be kept."""


@dataclass(kw_only=True, frozen=True)
class ManualRequest:
    channel: Channel
    received_at: datetime
    caller_name: str | None
    caller_number: str | None
    contact_address: str | None
    referrer_type: ReferrerType
    note: str | None


def parse_channel(text: str) -> Channel:
    try:
        channel = Channel(text.strip())
    except ValueError:
        channel = None
    if channel not in MANUAL_CHANNELS:
        known = ", ".join(CHANNEL_LABELS[c].lower() for c in MANUAL_CHANNELS)
        raise ManualRequestError(f"canal : à choisir parmi {known}")
    assert channel is not None
    return channel


def parse_contact(text: str, region: str = "FR") -> tuple[str | None, str | None]:
    """A number (French or international, as people type it: "05 65 00 00 01", read in the
    department's territory: "0262 …" is La Réunion's) or a mail address; (number, address),
    either or both None."""
    typed = text.strip()
    if not typed:
        return None, None
    if "@" in typed:
        if len(typed) > MAX_ADDRESS or not is_mail_address(typed):
            raise ManualRequestError("adresse de messagerie : illisible")
        return None, typed.lower()
    digits = _SEPARATORS.sub("", typed)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif not digits.startswith("+"):
        digits = parse_phone(digits, region) or digits
    if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) - 1 <= 15):
        raise ManualRequestError("numéro : attendu comme 05 65 00 00 01 ou +33 5 65 00 00 01")
    return digits, None


def parse_at(text: str, *, now: datetime) -> datetime:
    try:
        moment = parse_instant(text)
    except DateRefused as refused:
        raise ManualRequestError(f"date : {refused}") from None
    return _not_to_come(moment, now)


def _not_to_come(moment: datetime, now: datetime) -> datetime:
    if moment > now + FUTURE_SLACK:
        raise ManualRequestError("date : une demande entrée ne peut pas être à venir")
    return moment


def parse_moment(day: str, wall: str, *, now: datetime, timezone: ZoneInfo) -> datetime:
    """When it happened, on the department's wall clock; empty: now."""
    if not day.strip() and not wall.strip():
        return now
    try:
        moment = local_instant(
            parse_day(day) if day.strip() else now.astimezone(timezone).date(),
            parse_wall_time(wall) if wall.strip() else now.astimezone(timezone).time(),
            timezone,
        )
    except DateRefused as refused:
        raise ManualRequestError(f"date : {refused}") from None
    return _not_to_come(moment, now)


def parse_manual_request(
    *,
    channel: str,
    day: str = "",
    wall: str = "",
    name: str = "",
    contact: str = "",
    referrer_type: str = "",
    note: str = "",
    at: str = "",
    now: datetime,
    timezone: ZoneInfo,
    region: str = "FR",
) -> ManualRequest:
    """From the console's fields (`day`, `wall`) or the API's instant (`at`, with its
    offset); neither: now."""
    chosen = parse_channel(channel)
    received_at = (
        parse_at(at, now=now) if at.strip() else parse_moment(day, wall, now=now, timezone=timezone)
    )
    number, address = parse_contact(contact, region)
    caller_name = name.strip() or None
    if caller_name is not None and len(caller_name) > MAX_NAME:
        raise ManualRequestError(f"nom : au plus {MAX_NAME} caractères")
    try:
        referrer = ReferrerType(referrer_type.strip() or ReferrerType.UNKNOWN.value)
    except ValueError:
        raise ManualRequestError("type d'adresseur : inconnu") from None
    body = note.strip() or None
    if body is not None and len(body) > MAX_NOTE_CHARS:
        raise ManualRequestError(f"note trop longue (au plus {MAX_NOTE_CHARS} caractères)")
    return ManualRequest(
        channel=chosen,
        received_at=received_at,
        caller_name=caller_name,
        caller_number=number,
        contact_address=address,
        referrer_type=referrer,
        note=body,
    )


def entered_reason(entered: ManualRequest, *, by: str) -> Reason:
    """The trace of the entry, without the caller's name or number."""
    referrer = REFERRERS[entered.referrer_type].label
    return Reason(
        code="entered",
        text=f"demande entrée par {by} : {CHANNEL_LABELS[entered.channel].lower()}, "
        f"adresseur : {referrer}",
    )
